"""The ``redress`` command: Django's management commands with Redress's settings."""

from __future__ import annotations

import os
import sys

# Files and folders Redress makes are its own alone: 0600 and 0700. A umask rather than a chmod
# after the fact, because SQLite creates the database's -wal and -shm files itself, and Django's
# mail backend its mail files, each with 0644 less the umask.
PRIVATE_UMASK = 0o077


def main() -> None:
    os.umask(PRIVATE_UMASK)
    if len(sys.argv) > 1 and sys.argv[1] == "witness":
        # A witness is run by an outside body: it needs nothing of Redress's settings, database
        # or keys, so it starts before (and without) Django.
        from redress.witness import main as witness_main

        sys.exit(witness_main(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redress.settings")
    from django.core.management import execute_from_command_line

    from redress.core import datafolder, paths

    argv = list(sys.argv)
    # Commands read as words on the command line: ``redress import-directory`` runs
    # ``import_directory``.
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    if datafolder.needs_database(argv):
        # Checked before the command starts, so it neither fails half way nor makes a folder.
        paths.EXISTING_ONLY = True
        import django

        django.setup()
        problem = datafolder.missing_database()
        if problem:
            sys.stderr.write(problem + "\n")
            sys.exit(1)
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
