"""``redress backup DEST [--keys-to KEYS]``: database, encrypted files, a manifest; keys apart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from redress.ops.backups import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and encrypted files; with --keys-to, the keys to a separate place."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("destination")
        parser.add_argument("--keys-to", help="a separate folder for the key material")

    def handle(self, *args: Any, destination: str, keys_to: str | None, **options: Any) -> None:
        try:
            manifest = backup(Path(destination), keys_to=Path(keys_to) if keys_to else None)
        except BackupError as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(
            f"Backed up to {destination}: {manifest['database']} database, "
            f"{manifest['files']} files, ledger head {manifest['ledger_head']['seq']}."
        )
        if not keys_to:
            self.stdout.write("Keys were not copied: back them up separately (--keys-to).")
