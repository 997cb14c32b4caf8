"""``redress retention [--dry-run] [--as-of YYYY-MM-DD]``: apply the retention schedule, or
list (one case a line) what it would shred and why, changing nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from redress.retention import actions


class Command(BaseCommand):
    help = "Shred the content of closed cases the retention schedule says are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List, change nothing.")
        parser.add_argument("--as-of", help="The day to apply the schedule for (YYYY-MM-DD).")

    def handle(self, *args: Any, dry_run: bool, as_of: str | None, **options: Any) -> None:
        day = None
        if as_of and not dry_run:
            raise CommandError("--as-of only goes with --dry-run: shredding runs for today")
        if as_of:
            try:
                day = dt.date.fromisoformat(as_of)
            except ValueError as error:
                raise CommandError("--as-of must be a date as YYYY-MM-DD") from error
        if dry_run:
            items = actions.due(day)
            verb = "would shred"
        else:
            items = actions.apply(day, actor="system:retention")
            verb = "shredded"
        for item in items:
            self.stdout.write(f"{item.reference}\t{verb}\tdue {item.due_on}\t{item.why}")
        if not items:
            self.stdout.write("Nothing is due." if dry_run else "Nothing was due.")
