"""``redress acknowledgement verify FILE``: check a complainant's signed acknowledgement."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from redress.intake.acknowledgement import InvalidAcknowledgement, verify


class Command(BaseCommand):
    help = "Verify a signed acknowledgement file: exit 0 when genuine, 1 when not."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("verify", help="check an acknowledgement file")
        check.add_argument("file", type=Path)
        check.add_argument(
            "--signature-only",
            action="store_true",
            help="check the signature without looking the entry up in this ledger",
        )

    def handle(
        self, *args: Any, action: str, file: Path, signature_only: bool, **options: Any
    ) -> None:
        try:
            statement = json.loads(file.read_text())
        except (OSError, ValueError) as unreadable:
            raise CommandError(f"Cannot read {file}: {unreadable}") from None
        try:
            self.stdout.write(verify(statement, check_ledger=not signature_only))
        except InvalidAcknowledgement as invalid:
            raise CommandError(f"Not genuine: {invalid}") from None
