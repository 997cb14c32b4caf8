"""``redress report --year YYYY --format pdf|html|csv``: the publishable annual report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from redress.reports import periods, rendering
from redress.reports.figures import compute


class Command(BaseCommand):
    help = "Write the annual transparency report (small figures hidden) for one year."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=rendering.FORMATS, default="pdf")
        parser.add_argument(
            "--output", help="file to write (default: redress-report-YEAR.FORMAT; - for stdout)"
        )

    def handle(
        self, *args: Any, year: int, format: str, output: str | None, **options: Any
    ) -> None:
        form = periods.YearForm({"year": year})
        if not form.is_valid():
            raise CommandError(form.errors["year"][0])
        figures = compute(*periods.year(year))
        document = rendering.render(figures, format)
        if output == "-":
            sys.stdout.buffer.write(document)
            return
        path = Path(output or f"redress-report-{year}.{format}")
        path.write_bytes(document)
        where = figures.checkpoint.seq if figures.checkpoint else "none"
        point = figures.log_checkpoint
        published = (
            f"the log's published checkpoint of {point.size} entries "
            f"({'witnessed' if point.witnessed else 'unwitnessed'})"
            if point
            else "no published log checkpoint yet"
        )
        self.stdout.write(
            f"Wrote {path} ({len(document):,} bytes), ledger checkpoint {where}, {published}."
        )
