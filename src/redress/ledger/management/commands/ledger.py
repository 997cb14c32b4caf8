"""``redress ledger verify`` and ``redress ledger checkpoint [--export]``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from redress.core.progress import Progress
from redress.ledger import log, tlog, witnesses
from redress.ledger.checkpoints import export_checkpoint, format_time, make_checkpoint
from redress.ledger.errors import LedgerError
from redress.ledger.models import Head
from redress.ledger.verification import default_workers, record_verification, verify


class Command(BaseCommand):
    help = "Verify the tamper-evident ledger, or sign and export checkpoints."
    # An auditor must be able to check the ledger even when unrelated configuration is broken.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{verify,checkpoint}"
        )
        verify_parser = commands.add_parser(
            "verify",
            help="recompute the chain and check every checkpoint; exit 1 naming the first fault",
        )
        verify_parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="processes checking ranges of a long chain at once (default: %(default)s)",
        )
        verify_parser.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            metavar="FILE",
            help="a log checkpoint (signed note) published or cosigned earlier: fail unless the "
            "log is an append-only extension of it (repeatable)",
        )
        checkpoint = commands.add_parser(
            "checkpoint", help="sign a checkpoint over the current head now"
        )
        checkpoint.add_argument(
            "--export",
            action="store_true",
            help="print the newest checkpoint as JSON for publication instead of making one",
        )

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand == "verify":
            self.verify(workers=max(1, int(options["workers"])), files=options["checkpoint"])
        else:
            self.checkpoint(export=bool(options.get("export")))

    def verify(self, *, workers: int, files: list[str]) -> None:
        against = [*log.own_checkpoints(), *self._checkpoint_files(files)]
        against.extend(witnesses.latest_cosigned())
        total = Head.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
        progress = Progress("Verifying ledger", total, stream=sys.stderr)
        result = verify(progress=progress, workers=workers)
        progress.finish()
        record_verification(result)
        if not result.ok:
            # The verdict is the command's output, so it goes to stdout; the exit status says it
            # failed, for scripts and monitoring.
            self.stdout.write(f"Ledger broken at seq {result.first_bad_seq}: {result.fault}")
            sys.exit(1)
        last = result.last_checkpoint
        where = (
            f"last checkpoint seq {last.seq} at {format_time(last.time)}"
            if last is not None
            else "no checkpoint yet"
        )
        self.stdout.write(f"Ledger intact: {result.checked} entries checked; {where}")
        found = log.check(against)
        if not found.ok:
            self.stdout.write(f"Log broken: {found.fault}")
            sys.exit(1)
        self.stdout.write(
            f"Log intact: {found.size} entries; an append-only extension of "
            f"{len(found.checked)} checkpoints ({', '.join(self._sources(found.checked))})"
        )

    def _checkpoint_files(self, files: list[str]) -> list[log.Against]:
        found = []
        for name in files:
            try:
                data = Path(name).read_bytes()
            except OSError as error:
                raise CommandError(f"cannot read {name}: {error.strerror}", returncode=2) from error
            try:
                found.append(log.against_note(data, f"the checkpoint in {name}"))
            except tlog.TlogError as error:
                self.stdout.write(f"Log broken: the checkpoint in {name} does not verify: {error}")
                sys.exit(1)
        return found

    @staticmethod
    def _sources(checked: tuple[log.Against, ...]) -> list[str]:
        outside = [mark.source for mark in checked if not mark.source.startswith("the log's ")]
        own = len(checked) - len(outside)
        return [*([f"{own} of its own"] if own else []), *outside] or ["none yet"]

    def checkpoint(self, *, export: bool) -> None:
        try:
            if export:
                self.stdout.write(json.dumps(export_checkpoint(), indent=2))
                return
            made = make_checkpoint()
        except LedgerError as error:
            raise CommandError(str(error), returncode=1) from error
        if made is None:
            self.stdout.write("No new entries since the last checkpoint; nothing to sign.")
        else:
            self.stdout.write(f"Checkpoint signed at seq {made.seq} ({format_time(made.time)}).")
