"""Make the fixture of an older Redress's database that ``tests/migration`` migrates and verifies.

A database made by an older revision must still migrate, and its ledger must still verify, with
the current code. This script checks the given revision out into a temporary git worktree and,
with that revision's code only, makes one database on SQLite and one on PostgreSQL: ``migrate``,
``demo`` (the fictional demo scheme), ``ledger checkpoint`` (a signed checkpoint) and ``ledger
verify`` (which adds one entry after the checkpoint, as a live ledger has). It then writes, under
``tests/migration/fixtures/`` (or ``--out``):

- ``sqlite.sql``: the SQLite database as text (Python's ``sqlite3`` ``iterdump``);
- ``postgresql.sql``: the PostgreSQL database as text
  (``pg_dump --no-owner --no-privileges --inserts``);
- ``keys/``: the data folder's key files (throwaway demo keys: the key-encryption key that
  opens the cases' data keys, the ledger's checkpoint signing key, the Django secret key). Both
  databases are made with the same keys;
- ``expected.json``: what each database holds (counts, the checkpoint, one case's reference and
  narrative), read with that revision's code, for the test to compare against;
- ``README.md``: how the fixture was made.

Usage, from the repository root (PostgreSQL must be reachable; a database named
``redress_fixture_<random>``, or ``--pg-database``, is created on it and dropped afterwards)::

    .venv/bin/python tools/make_migration_fixture.py REVISION \\
        [--postgres postgres://postgres@127.0.0.1:5432] [--pg-database NAME] \\
        [--out tests/migration/fixtures]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "tests" / "migration" / "fixtures"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432"

# Read inside the older revision's code, after the commands ran: what the fixture holds.
FACTS = """
import json
from redress.cases.models import Case
from redress.ledger.models import Checkpoint, Entry, Head
first = Case.objects.order_by("pk").first()
last = Checkpoint.objects.order_by("-seq").first()
print(json.dumps({
    "cases": Case.objects.count(),
    "entries": Entry.objects.count(),
    "head_seq": Head.objects.get(pk=1).seq,
    "checkpoints": Checkpoint.objects.count(),
    "checkpoint_seq": last.seq,
    "checkpoint_public_key": last.public_key,
    "case_reference": first.reference,
    "case_narrative": first.narrative,
}))
"""


def run(argv: list[str], *, env: dict[str, str], cwd: Path | None = None) -> str:
    """Run a command; stop with its output when it fails."""
    print("+", " ".join(arg if "\n" not in arg else "'...'" for arg in argv), file=sys.stderr)
    done = subprocess.run(  # noqa: S603 - our own fixed commands
        argv, env=env, cwd=cwd, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(
            f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    return done.stdout


def clean_environment() -> dict[str, str]:
    """The caller's environment without anything that would point Redress elsewhere."""
    dropped = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PYTHONPATH", "SECRET_KEY")
    return {
        name: value
        for name, value in os.environ.items()
        if name not in dropped and not name.startswith("REDRESS_")
    }


def make_database(code: Path, data: Path, database_url: str) -> dict[str, object]:
    """Migrate, load the demo, sign a checkpoint and verify, all with the older code."""
    env = clean_environment()
    env.update(
        PYTHONPATH=str(code / "src"),
        DJANGO_SETTINGS_MODULE="redress.settings",
        REDRESS_DATA_DIR=str(data),
        DATABASE_URL=database_url,
        REDRESS_DEMO_MODE="1",
        REDRESS_INSECURE_HTTP="1",
    )
    django = [sys.executable, "-m", "django"]
    run([*django, "migrate", "--noinput", "-v", "0"], env=env, cwd=code)
    run([*django, "demo"], env=env, cwd=code)
    print(run([*django, "ledger", "checkpoint"], env=env, cwd=code).strip(), file=sys.stderr)
    print(run([*django, "ledger", "verify"], env=env, cwd=code).strip(), file=sys.stderr)
    facts = run([*django, "shell", "-c", FACTS], env=env, cwd=code).strip().splitlines()[-1]
    return dict(json.loads(facts))


def dump_sqlite(database: Path, to: Path) -> None:
    source = sqlite3.connect(database)
    try:
        with to.open("w", encoding="utf-8") as out:
            for line in source.iterdump():
                out.write(f"{line}\n")
    finally:
        source.close()


def with_database(server: str, name: str) -> str:
    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def create_database(server: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(with_database(server, "postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(server: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(with_database(server, "postgres"), autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def copy_keys(data: Path, to: Path) -> None:
    """The data folder's key files, without the empty lock files made while creating them."""
    shutil.copytree(data / "keys", to, ignore=shutil.ignore_patterns("*.lock"))


def readme(commit: str, subject: str, facts: dict[str, dict[str, object]]) -> str:
    counts = "\n".join(
        f"- {vendor}: {item['cases']} cases, {item['entries']} ledger entries, "
        f"checkpoint at seq {item['checkpoint_seq']}"
        for vendor, item in facts.items()
    )
    return f"""# A database made by an older Redress

`tests/migration/test_old_database.py` loads one of these dumps into a fresh database (SQLite,
or PostgreSQL when the suite runs with `DATABASE_URL=postgres://...`), applies the current
code's migrations to it, and checks that the ledger still verifies, that the counts below are
unchanged and that a case's narrative still decrypts with the keys kept here.

Made from commit `{commit}`:

> {subject}

by

    .venv/bin/python tools/make_migration_fixture.py {commit}

which, in a git worktree of that commit and with that commit's code only, ran for each database

    python -m django migrate
    REDRESS_DEMO_MODE=1 REDRESS_INSECURE_HTTP=1 python -m django demo
    python -m django ledger checkpoint
    python -m django ledger verify

(`ledger verify` records its own entry, so each ledger holds one entry after its checkpoint),
then wrote:

- `sqlite.sql`: Python's `sqlite3` `iterdump` of the SQLite database;
- `postgresql.sql`: `pg_dump --no-owner --no-privileges --inserts` of the PostgreSQL database
  (plain INSERT statements, so the test loads it without `psql`);
- `keys/`: the data folder's keys as they were created (the empty `*.lock` files left out).
  Both databases were made with these same keys. They are throwaway keys for fictional demo
  data: keep them here, never use them anywhere else;
- `expected.json`: what each database holds, read with that commit's code.

What the databases hold:

{counts}

Everything in them is the fictional demo scheme: no real person or complaint.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revision", help="the git revision whose code makes the databases")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="PostgreSQL server URL")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="fixture folder")
    parser.add_argument(
        "--pg-database",
        default=f"redress_fixture_{secrets.token_hex(4)}",
        help="name of the PostgreSQL database to make (it must not exist; dropped afterwards)",
    )
    options = parser.parse_args()

    env = clean_environment()
    git = ["git", "-C", str(ROOT)]
    commit = run([*git, "rev-parse", "--verify", f"{options.revision}^{{commit}}"], env=env)
    commit = commit.strip()
    subject = run([*git, "log", "-1", "--format=%s", commit], env=env).strip()
    out: Path = options.out.resolve()

    with tempfile.TemporaryDirectory(prefix="redress-fixture-") as scratch:
        work = Path(scratch)
        code = work / "code"
        run([*git, "worktree", "add", "--detach", str(code), commit], env=env)
        name = options.pg_database
        created = False
        try:
            facts: dict[str, dict[str, object]] = {}
            sqlite_data = work / "sqlite-data"
            sqlite_file = work / "redress.sqlite3"
            facts["sqlite"] = make_database(code, sqlite_data, f"sqlite:///{sqlite_file}")

            pg_data = work / "pg-data"
            shutil.copytree(sqlite_data / "keys", pg_data / "keys")
            create_database(options.postgres, name)
            created = True
            pg_url = with_database(options.postgres, name)
            facts["postgresql"] = make_database(code, pg_data, pg_url)

            if out.exists():
                shutil.rmtree(out)
            out.mkdir(parents=True)
            dump_sqlite(sqlite_file, out / "sqlite.sql")
            run(
                [
                    "pg_dump",
                    "--no-owner",
                    "--no-privileges",
                    "--inserts",
                    "--file",
                    str(out / "postgresql.sql"),
                    pg_url,
                ],
                env=env,
            )
            copy_keys(sqlite_data, out / "keys")
            expected = {"commit": commit, **facts}
            (out / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
            (out / "README.md").write_text(readme(commit, subject, facts))
        finally:
            if created:
                drop_database(options.postgres, name)
            run([*git, "worktree", "remove", "--force", str(code)], env=env)
    for path in sorted(out.rglob("*")):
        if path.is_file():
            print(f"{path.stat().st_size:>9}  {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
