"""Backups and restores: the database, the encrypted files, and (kept apart) the keys.

A backup folder holds the database (SQLite through its online backup API, PostgreSQL through
``pg_dump --format=custom``), a copy of the encrypted files as they are, and a manifest with the
ledger's head and a SHA-256 of every part. Key material is never written there: with
``--keys-to`` it goes to a separate folder, to be kept somewhere else, so that whoever holds one
cannot read the other. A restore checks every hash first, refuses a database that is not empty
unless forced, then verifies the ledger and decrypts every case and attachment.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from redress.cases.models import Attachment, Case
from redress.ledger.models import Entry, Head
from redress.ledger.verification import verify
from redress.vault.errors import Shredded
from redress.vault.storage import EncryptingStorage

MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        PGHOST=str(db.get("HOST") or "127.0.0.1"),
        PGPORT=str(db.get("PORT") or 5432),
        PGUSER=str(db.get("USER") or "postgres"),
        PGDATABASE=str(db["NAME"]),
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: postgresql-client)")
    return found


def _files_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def backup(destination: Path, *, keys_to: Path | None = None) -> dict[str, Any]:
    """Write a backup to ``destination`` (which must not exist); returns the manifest."""
    if destination.exists():
        raise BackupError(f"{destination} already exists: a backup never overwrites another")
    if keys_to is not None and keys_to.resolve().is_relative_to(destination.resolve()):
        raise BackupError("keep the keys apart from the backup, not inside it")
    work = Path(tempfile.mkdtemp(prefix=".backup-", dir=destination.parent))
    try:
        vendor = connection.vendor
        if vendor == "sqlite":
            target = sqlite3.connect(work / "database.sqlite3")
            connection.ensure_connection()
            connection.connection.backup(target)
            target.close()
        elif vendor == "postgresql":
            dump = work / "database.dump"
            subprocess.run(  # noqa: S603 - fixed arguments, database from settings
                [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(dump)],
                env=_pg_env(),
                check=True,
                capture_output=True,
            )
        else:  # pragma: no cover - only SQLite and PostgreSQL are supported
            raise BackupError(f"cannot back up a {vendor} database")
        files = work / "files"
        if _files_root().exists():
            shutil.copytree(_files_root(), files)
        else:
            files.mkdir()
        head = Head.objects.filter(pk=1).first()
        parts = {
            str(path.relative_to(work)): _sha256(path)
            for path in sorted(work.rglob("*"))
            if path.is_file()
        }
        manifest = {
            "created_at": timezone.now().isoformat(),
            "database": vendor,
            "ledger_head": {
                "seq": head.seq if head else 0,
                "hash": bytes(head.hash).hex() if head else "",
            },
            "files": sum(1 for name in parts if name.startswith("files/")),
            "parts": parts,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2))
        work.rename(destination)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if keys_to is not None:
        if keys_to.exists():
            raise BackupError(f"{keys_to} already exists")
        shutil.copytree(settings.KEYS_DIR, keys_to)
        os.chmod(keys_to, 0o700)
    return manifest


@dataclass
class RestoreReport:
    cases: int = 0
    attachments: int = 0
    shredded: int = 0
    failures: list[str] = field(default_factory=list)
    ledger_ok: bool = False
    ledger_entries: int = 0


def check_manifest(source: Path) -> dict[str, Any]:
    """The manifest, after checking that every part is there and unchanged."""
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as failed:
        raise BackupError(f"{source} has no readable {MANIFEST}") from failed
    for name, expected in manifest["parts"].items():
        part = source / name
        if not part.is_file():
            raise BackupError(f"the backup is missing {name}")
        if _sha256(part) != expected:
            raise BackupError(f"{name} has changed since the backup was made")
    return dict(manifest)


def restore(source: Path, *, keys_from: Path | None = None, force: bool = False) -> RestoreReport:
    """Restore ``source`` into the configured database and data folder, then check it."""
    manifest = check_manifest(source)
    if manifest["database"] != connection.vendor:
        raise BackupError(
            f"the backup is of a {manifest['database']} database, this is {connection.vendor}"
        )
    if not force and _has_data():
        raise BackupError("the database is not empty; restore over it only with --force")
    if keys_from is not None:
        shutil.copytree(keys_from, settings.KEYS_DIR, dirs_exist_ok=True)
    if connection.vendor == "sqlite":
        name = Path(settings.DATABASES["default"]["NAME"])
        connections.close_all()
        for suffix in ("-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(source / "database.sqlite3", name)
    else:
        connections.close_all()
        subprocess.run(  # noqa: S603 - fixed arguments, database from settings
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--dbname",
                _pg_env()["PGDATABASE"],
                str(source / "database.dump"),
            ],
            env=_pg_env(),
            check=True,
            capture_output=True,
        )
    if _files_root().exists():
        shutil.rmtree(_files_root())
    shutil.copytree(source / "files", _files_root())
    return check_restored()


def _has_data() -> bool:
    try:
        return Entry.objects.exists() or Case.objects.exists()
    except Exception:
        return False


def check_restored() -> RestoreReport:
    """Verify the ledger and open every case and attachment with the keys at hand."""
    report = RestoreReport()
    result = verify()
    report.ledger_ok, report.ledger_entries = result.ok, result.checked
    if not result.ok:
        report.failures.append(f"ledger broken at entry {result.first_bad_seq}")
    storage = EncryptingStorage()
    for case in Case.objects.select_related("data_key").iterator():
        report.cases += 1
        try:
            _ = case.narrative
        except Shredded:
            report.shredded += 1
        except Exception as failed:
            report.failures.append(f"case {case.reference}: {type(failed).__name__}")
    for attachment in Attachment.objects.select_related("data_key", "case").iterator():
        report.attachments += 1
        try:
            storage.open_sealed(attachment.stored_name, attachment.data_key)
        except Shredded:
            report.shredded += 1
        except Exception as failed:
            where = f"attachment {attachment.pk} of {attachment.case.reference}"
            report.failures.append(f"{where}: {type(failed).__name__}")
    return report
