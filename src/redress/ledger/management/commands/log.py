"""``redress log vkey`` and ``redress log checkpoint``: the published transparency log."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from redress.ledger import log
from redress.ledger.errors import LedgerError


class Command(BaseCommand):
    help = "Print the transparency log's verifier key, or sign a checkpoint of it now."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        commands.add_parser("vkey", help="print the log's verifier key (signed-note vkey)")
        commands.add_parser(
            "checkpoint", help="sign a checkpoint now and gather witnesses' cosignatures"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] == "vkey":
            self.stdout.write(log.vkey())
            return
        try:
            made = log.make_checkpoint()
        except LedgerError as error:
            raise CommandError(str(error), returncode=1) from error
        if made is None:
            self.stdout.write("The log has not grown since its last checkpoint; nothing to sign.")
            return
        state = "published" if made.published else "waiting for witnesses' cosignatures"
        self.stdout.write(f"Log checkpoint signed at size {made.size}: {state}.")
        self.stdout.write(made.signed_note(), ending="")
