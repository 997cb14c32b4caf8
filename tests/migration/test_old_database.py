"""A database made by an older Redress still migrates, and its ledger still verifies.

``fixtures/`` holds such a database (see its README): a dump for SQLite and one for PostgreSQL,
the keys it was made with, and what it holds. The dump of the vendor this suite runs on is loaded
into a fresh database of its own, and the current code, in a separate process as an operator
would run it, migrates it, reads it and verifies its ledger, then adds to that ledger and
signs a checkpoint over it. A changed entry must still be caught.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text())

# What the migrated database holds, read with the current code.
READ = """
import json
from redress.cases.models import Case
from redress.ledger.models import Checkpoint, Entry
last = Checkpoint.objects.order_by("-seq").first()
print(json.dumps({
    "cases": Case.objects.count(),
    "entries": Entry.objects.count(),
    "checkpoints": Checkpoint.objects.count(),
    "checkpoint_seq": last.seq,
    "checkpoint_public_key": last.public_key,
    "case_narrative": Case.objects.get(reference=%r).narrative,
}))
"""

# pg_dump's lines for psql alone that fence the dump: \restrict KEY and \unrestrict KEY.
PSQL_FENCE = re.compile(r"^\\(?:un)?restrict \S+$", re.MULTILINE)


@dataclass
class OldDatabase:
    """The fixture loaded into a database of its own: where it is, and a way to change it
    behind Redress's back, as someone with write access to the database could."""

    vendor: str
    url: str
    execute: Callable[[str], None]

    @property
    def expected(self) -> dict[str, Any]:
        return dict(EXPECTED[self.vendor])


def _load_sqlite(folder: Path) -> OldDatabase:
    path = folder / "old.sqlite3"
    loaded = sqlite3.connect(path)
    try:
        loaded.executescript((FIXTURES / "sqlite.sql").read_text(encoding="utf-8"))
    finally:
        loaded.close()

    def execute(statement: str) -> None:
        with closing(sqlite3.connect(path)) as changed, changed:
            changed.execute(statement)

    return OldDatabase("sqlite", f"sqlite:///{path}", execute)


def _server_url(database: str) -> str:
    """The suite's PostgreSQL server, with another database on it."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(("postgres", parts.netloc, f"/{database}", parts.query, ""))


def _create_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(_server_url("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _drop_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(_server_url("postgres"), autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _load_postgresql(name: str) -> OldDatabase:
    import psycopg

    url = _server_url(name)
    dump = PSQL_FENCE.sub("", (FIXTURES / "postgresql.sql").read_text(encoding="utf-8"))
    with psycopg.connect(url) as loaded:
        loaded.execute(dump.encode())

    def execute(statement: str) -> None:
        # A connection of its own: the dump emptied the loading session's search_path.
        with psycopg.connect(url) as changed:
            changed.execute(statement.encode())

    return OldDatabase("postgresql", url, execute)


@pytest.fixture
def old_database(tmp_path: Path) -> Iterator[OldDatabase]:
    """The fixture's dump for the vendor this suite runs on, in a fresh database."""
    if connection.vendor == "sqlite":
        yield _load_sqlite(tmp_path)
    elif connection.vendor == "postgresql":
        name = f"redress_old_{secrets.token_hex(4)}"
        _create_database(name)
        try:
            yield _load_postgresql(name)
        finally:
            _drop_database(name)
    else:
        pytest.skip(f"no fixture for {connection.vendor}")


@pytest.fixture
def data_folder(tmp_path: Path) -> Path:
    """A data folder holding a copy of the keys the old database was made with, with the
    modes Redress gives its own key files."""
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    for source in sorted((FIXTURES / "keys").rglob("*")):
        target = data / "keys" / source.relative_to(FIXTURES / "keys")
        if source.is_dir():
            target.mkdir(mode=0o700, parents=True)
        else:
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
            target.chmod(0o600)
    return data


def redress(database: OldDatabase, data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a management command of the current code against the old database."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("REDRESS_")
        and name not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PYTHONPATH", "SECRET_KEY")
    }
    env.update(
        DATABASE_URL=database.url,
        REDRESS_DATA_DIR=str(data),
        DJANGO_SETTINGS_MODULE="redress.settings",
        PYTHONPATH=str(ROOT / "src"),
    )
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def migrated(database: OldDatabase, data: Path) -> None:
    done = redress(database, data, "migrate", "--noinput")
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_old_database_migrates_and_keeps_its_cases_and_ledger(
    old_database: OldDatabase, data_folder: Path
) -> None:
    expected = old_database.expected
    migrated(old_database, data_folder)

    read = redress(old_database, data_folder, "shell", "-c", READ % expected["case_reference"])
    assert read.returncode == 0, read.stdout + read.stderr
    held = json.loads(read.stdout.strip().splitlines()[-1])
    assert held == {
        "cases": expected["cases"],
        "entries": expected["entries"],
        "checkpoints": expected["checkpoints"],
        "checkpoint_seq": expected["checkpoint_seq"],
        "checkpoint_public_key": expected["checkpoint_public_key"],
        "case_narrative": expected["case_narrative"],
    }

    verified = redress(old_database, data_folder, "ledger", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert (
        f"Ledger intact: {expected['entries']} entries checked; "
        f"last checkpoint seq {expected['checkpoint_seq']} at "
    ) in verified.stdout
    # The old entries joined the log's tree in order (with the verification's own entry after
    # them), and the tree is the one their salted digests make.
    assert f"Log intact: {expected['entries'] + 1} entries" in verified.stdout
    signed_log = redress(old_database, data_folder, "log", "checkpoint")
    assert signed_log.returncode == 0, signed_log.stdout + signed_log.stderr
    assert f"Log checkpoint signed at size {expected['entries'] + 1}: published" in (
        signed_log.stdout
    )

    # Verifying ledgered itself with the current code's append (on PostgreSQL, the function
    # the current migrations installed): that entry chains onto the old ones, and a checkpoint
    # the current code signs over the whole chain verifies too.
    after = expected["entries"] + 1
    signed = redress(old_database, data_folder, "ledger", "checkpoint")
    assert signed.returncode == 0, signed.stdout + signed.stderr
    assert f"Checkpoint signed at seq {after} " in signed.stdout
    again = redress(old_database, data_folder, "ledger", "verify")
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"Ledger intact: {after} entries checked; last checkpoint seq {after} at " in (
        again.stdout
    )


def test_a_changed_entry_in_an_old_database_fails_verification(
    old_database: OldDatabase, data_folder: Path
) -> None:
    migrated(old_database, data_folder)
    old_database.execute("UPDATE ledger_entry SET actor = 'user:999' WHERE seq = 2")

    verified = redress(old_database, data_folder, "ledger", "verify")
    assert verified.returncode == 1, verified.stdout + verified.stderr
    assert "Ledger broken at seq 2" in verified.stdout
    assert "Ledger intact" not in verified.stdout
