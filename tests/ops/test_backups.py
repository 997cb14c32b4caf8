"""Backups round-trip on SQLite and PostgreSQL: after a restore the ledger verifies and every
case decrypts; keys are never in the backup folder; a tampered backup is refused; without the
keys nothing opens."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REDRESS = str(Path(sys.executable).parent / "redress")
PG = "postgres://postgres@127.0.0.1:5432"


def run(
    data: Path, *args: str, database: str | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["REDRESS_DATA_DIR"] = str(data)
    if database:
        env["DATABASE_URL"] = database
    return subprocess.run(
        [REDRESS, *args], env=env, capture_output=True, text=True, check=check, timeout=300
    )


def made_with_cases(data: Path, database: str | None = None) -> None:
    run(data, "migrate", "-v", "0", database=database)
    run(data, "demo", database=database)
    # One piece of evidence too, so files are part of the round trip.
    run(
        data,
        "shell",
        "-c",
        "from redress.cases.models import Case, Source; from redress.cases import actions; "
        "c = Case.objects.exclude(stage='closed').first(); "
        "actions.attach(c, b'minutes of the meeting', kind='text', original_name='m.txt', "
        "kept_original=False, source=Source.STAFF, actor='system:test')",
        database=database,
    )


def demo_cases(data: Path, database: str | None = None) -> int:
    """How many cases the demo made: every one of them is checked on restore."""
    program = "from redress.cases.models import Case; print(Case.objects.count())"
    return int(run(data, "shell", "-c", program, database=database).stdout.split()[-1])


def test_sqlite_round_trip_keeps_keys_apart_and_refuses_tampering(tmp_path: Path) -> None:
    data, backup, keys = tmp_path / "data", tmp_path / "backup", tmp_path / "keys"
    made_with_cases(data)
    out = run(data, "backup", str(backup), "--keys-to", str(keys)).stdout
    assert "sqlite database, 1 files" in out
    everything = b"".join(p.read_bytes() for p in backup.rglob("*") if p.is_file())
    for key_file in keys.rglob("*"):
        if key_file.is_file() and key_file.stat().st_size >= 16:
            assert key_file.read_bytes() not in everything
    # Lose everything, then restore into a fresh data folder with the keys brought back.
    fresh = tmp_path / "fresh"
    restored = run(fresh, "restore", str(backup), "--keys-from", str(keys), check=False)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "ledger intact" in restored.stdout
    assert f"{demo_cases(data)} cases and 1 attachments checked" in restored.stdout
    # Over a database with data, only with --force.
    again = run(fresh, "restore", str(backup), check=False)
    assert again.returncode != 0
    assert "not empty" in again.stderr
    # A changed part is named and nothing is restored.
    (backup / "files").joinpath(next(p.name for p in (backup / "files").rglob("*") if p.is_file()))
    target = next(p for p in (backup / "files").rglob("*") if p.is_file())
    target.write_bytes(target.read_bytes() + b"x")
    tampered = run(tmp_path / "other", "restore", str(backup), check=False)
    assert tampered.returncode != 0
    assert "has changed since the backup was made" in tampered.stderr


def test_without_the_keys_nothing_opens(tmp_path: Path) -> None:
    data, backup = tmp_path / "data", tmp_path / "backup"
    made_with_cases(data)
    run(data, "backup", str(backup))
    thief = run(tmp_path / "thief", "restore", str(backup), check=False)
    assert thief.returncode == 1
    assert "failed: case" in thief.stdout


def _postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{PG}/postgres", connect_timeout=3):
            return True
    except Exception:
        return False


@pytest.mark.skipif(
    not _postgres_reachable(), reason="PostgreSQL is not reachable on 127.0.0.1:5432"
)
def test_postgresql_round_trip(tmp_path: Path) -> None:
    import psycopg

    first, second = f"redress_ops_{secrets.token_hex(4)}", f"redress_ops_{secrets.token_hex(4)}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{first}"')
        admin.execute(f'CREATE DATABASE "{second}"')
    try:
        data, backup, keys = tmp_path / "data", tmp_path / "backup", tmp_path / "keys"
        made_with_cases(data, f"{PG}/{first}")
        run(data, "backup", str(backup), "--keys-to", str(keys), database=f"{PG}/{first}")
        restored = run(
            tmp_path / "fresh",
            "restore",
            str(backup),
            "--keys-from",
            str(keys),
            database=f"{PG}/{second}",
            check=False,
        )
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "ledger intact" in restored.stdout
        assert "1 attachments checked" in restored.stdout
    finally:
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{first}" WITH (FORCE)')
            admin.execute(f'DROP DATABASE IF EXISTS "{second}" WITH (FORCE)')
