"""``redress clean-file IN OUT``: the upload sanitiser for files staff receive by other routes.

A file that arrives by email, on paper scanned, or through the helpline is cleaned exactly as a
complainant's upload is: checked by its content, parsed in the resource-limited child process,
and stripped of identifying metadata and active content. The original is never opened in this
process.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from redress.intake.filetypes import MAX_BYTES
from redress.intake.sandbox import clean
from redress.intake.upload_words import UploadRefused


class Command(BaseCommand):
    help = (
        "Clean a file as an upload is cleaned, in the sandbox: print what was removed and what "
        "the file still shows; exit 0 when cleaned, 1 when refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", metavar="IN", help="the file as it was received")
        parser.add_argument("target", metavar="OUT", help="where to write the cleaned file")

    def handle(self, *args: Any, source: str, target: str, **options: Any) -> None:
        translation.activate("en")
        inbound, outbound = Path(source), Path(target)
        if outbound.exists():
            raise CommandError(f"{target} already exists; choose a new name", returncode=2)
        try:
            with inbound.open("rb") as received:
                data = received.read(MAX_BYTES + 1)
        except OSError as error:
            raise CommandError(f"cannot read {source}: {error.strerror}", returncode=2) from error
        try:
            cleaned = clean(data, filename=inbound.name)
        except UploadRefused as refused:
            self.stdout.write(f"Refused: {refused.message}")
            sys.exit(1)
        try:
            with outbound.open("xb") as written:
                written.write(cleaned.data)
        except OSError as error:
            raise CommandError(f"cannot write {target}: {error.strerror}", returncode=2) from error
        # What the cleaned file still shows: the sanitiser reads it again, changing nothing.
        still = clean(cleaned.data, filename=outbound.name, keep_original=True).found
        self.stdout.write(f"Cleaned: {cleaned.kind} file written to {target}")
        self.stdout.write(
            "Removed: " + ("; ".join(cleaned.removed) if cleaned.removed else "nothing needed")
        )
        if cleaned.removed_names:
            # Marked and cut as the complainant's page shows them: the names come from the file.
            self.stdout.write("Removed files: " + "; ".join(cleaned.removed_names))
        self.stdout.write("Still shows: " + ("; ".join(still) if still else "nothing we know of"))
