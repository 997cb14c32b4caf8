"""``redress restore SRC [--keys-from KEYS] [--force]``: restore a backup, then prove it: the
ledger verifies and every case and attachment decrypts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from redress.ops.backups import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup made by `redress backup`, then verify the ledger and every case."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source")
        parser.add_argument("--keys-from", help="the folder the keys were backed up to")
        parser.add_argument(
            "--force", action="store_true", help="restore over a database with data"
        )

    def handle(
        self, *args: Any, source: str, keys_from: str | None, force: bool, **options: Any
    ) -> None:
        try:
            report = restore(
                Path(source), keys_from=Path(keys_from) if keys_from else None, force=force
            )
        except BackupError as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(
            f"Restored: ledger {'intact' if report.ledger_ok else 'BROKEN'} "
            f"({report.ledger_entries} entries), {report.cases} cases and {report.attachments} "
            f"attachments checked, {report.shredded} shredded under the retention policy."
        )
        for failure in report.failures:
            self.stdout.write(f"  failed: {failure}")
        if report.failures:
            sys.exit(1)
