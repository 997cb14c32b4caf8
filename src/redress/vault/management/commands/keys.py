"""``redress keys``: the vault's key-encryption keys (status, rotate, rewrap)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from redress.core.progress import Progress
from redress.vault import rotation
from redress.vault.errors import VaultError


class Command(BaseCommand):
    help = "Show, rotate or re-wrap the key-encryption keys that protect case content."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="{status,rotate,rewrap}")
        actions.required = True
        actions.add_parser("status", help="the current key and how many data keys use each key")
        rotate = actions.add_parser(
            "rotate",
            help="make a new key-encryption key (key folder only), re-wrap every data key, "
            "retire the old key; resumes an unfinished rotation",
        )
        rewrap = actions.add_parser(
            "rewrap", help="re-wrap every data key under the current key (after an env change)"
        )
        for sub in (rotate, rewrap):
            sub.add_argument(
                "--batch-size",
                type=int,
                default=rotation.DEFAULT_BATCH_SIZE,
                help="data keys per transaction (default %(default)s)",
            )
        rotate.add_argument(
            "--actor", default="system", help="who is rotating, for the ledger entry"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "status":
                self._status()
            elif options["action"] == "rotate":
                progress = Progress("Re-wrapping data keys", 0)
                result = rotation.rotate(
                    actor=options["actor"],
                    batch_size=options["batch_size"],
                    progress=_reporter(progress),
                )
                progress.finish()
                self.stdout.write(result.summary())
            else:
                progress = Progress("Re-wrapping data keys", 0)
                result = rotation.rewrap(
                    batch_size=options["batch_size"], progress=_reporter(progress)
                )
                progress.finish()
                self.stdout.write(
                    f"Re-wrapped {result.rewrapped:,} data keys under {result.kek_id}."
                )
        except (VaultError, ValueError) as error:
            raise CommandError(str(error)) from error

    def _status(self) -> None:
        state = rotation.status()
        self.stdout.write(f"Key-encryption keys: {state.source}")
        self.stdout.write(f"Current key-encryption key: {state.current}")
        self.stdout.write(f"Data keys: {state.total:,}")
        for kek_id in sorted(set(state.usable) | set(state.live_by_kek)):
            notes = []
            if kek_id == state.current:
                notes.append("current")
            if kek_id not in state.usable:
                notes.append("NOT AVAILABLE: these data keys cannot be opened")
            suffix = f" ({', '.join(notes)})" if notes else ""
            self.stdout.write(f"  under {kek_id}: {state.live_by_kek.get(kek_id, 0):,}{suffix}")
        self.stdout.write(f"  shredded: {state.shredded:,}")


def _reporter(progress: Progress) -> rotation.ProgressCallback:
    def report(done: int, total: int) -> None:
        progress.total = total
        progress.update(done)

    return report
