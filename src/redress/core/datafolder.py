"""Commands that work on a data folder made before, and what they say when there is none.

``redress totp_code caseworker`` run against a folder that holds no database used to stop with
a traceback ("no such table"), and to leave an empty ``var/`` behind. The ``redress`` command
(cli.py) asks here first: a command that only reads and changes what ``redress migrate`` (or
``make demo``) set up is refused with one plain sentence, and the settings make no folder and
no key file for it (``paths.EXISTING_ONLY``).
"""

from __future__ import annotations

from pathlib import Path

# The commands that need a migrated database. Commands that make one (migrate, restore, demo's
# set-up in the Makefile), need none (clean_file, the witness, help) or say on their own what is
# missing (serve and worker refuse an unsafe start first) are not here.
NEEDS_DATABASE = frozenset(
    {
        "acknowledgement",
        "backup",
        "change_password",
        "changepassword",
        "createsuperuser",
        "demo",
        "dumpdata",
        "import_directory",
        "keys",
        "ledger",
        "loaddata",
        "log",
        "report",
        "reset_second_factor",
        "sweep",
        "totp_code",
    }
)


def needs_database(argv: list[str]) -> bool:
    """Whether the command line ``argv`` runs a command that needs a database (asking for a
    command's help needs none)."""
    if len(argv) < 2 or argv[1] not in NEEDS_DATABASE:
        return False
    # `redress acknowledgement verifier` only prints the standalone verifier.
    return not {"-h", "--help", "verifier"} & set(argv[2:])


def refusal(where: str) -> str:
    return f"no database at {where}; run `make demo` or `redress migrate` first"


def missing_database() -> str | None:
    """None when the configured database holds Redress's tables, else the sentence to print.

    An SQLite file that is not there is never opened (opening it would create it), and a data
    folder that is not there is not made."""
    from django.conf import settings
    from django.db import DatabaseError, connection

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        where = str(database["NAME"])
        if not Path(where).is_file():
            return refusal(where)
    else:
        where = f"{database.get('HOST') or 'localhost'}/{database['NAME']}"
        if not Path(settings.DATA_DIR).is_dir():
            return refusal(f"{where} with the data folder {settings.DATA_DIR}")
    try:
        tables = connection.introspection.table_names()
    except DatabaseError:
        return refusal(where)
    finally:
        connection.close()
    return None if "django_migrations" in tables else refusal(where)
