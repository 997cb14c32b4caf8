"""``redress import-directory FILE.csv``: load or update the directory of people; nothing is
imported unless every line is valid."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from redress.directory.importing import MAX_BYTES, import_directory


class Command(BaseCommand):
    help = "Import people (members, staff, party officials) from a CSV file, all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            help="CSV with identifier, name, roles, party, office, constituency, line manager",
        )

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file at {path}")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError("The file is larger than 20 MB")
        outcome = import_directory(path.read_bytes(), actor="system:import")
        if outcome.problems:
            self.stdout.write("Nothing was imported. Fix these lines and run it again:")
            for problem in outcome.problems:
                self.stdout.write(f"  {problem}")
            sys.exit(1)
        self.stdout.write(
            f"Imported: {outcome.created} created, {outcome.updated} updated, "
            f"{outcome.unchanged} unchanged."
        )
