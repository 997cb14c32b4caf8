"""``redress clean-file``: a file staff receive by another route is cleaned as an upload is."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from tests.intake import samples
from tests.intake.test_hostile_files import pdf_open_action_and_attachment


def _run(source: Path, target: Path) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("clean_file", str(source), str(target), stdout=out)
    except SystemExit as stop:
        return int(stop.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_a_photo_loses_its_location_and_says_what_went(tmp_path: Path) -> None:
    source, target = tmp_path / "from-email.jpg", tmp_path / "clean.jpg"
    source.write_bytes(samples.jpeg())
    code, out = _run(source, target)
    assert code == 0
    assert "Removed: location (GPS)" in out
    assert "Still shows: nothing we know of" in out
    cleaned = Image.open(target)
    assert 34853 not in cleaned.getexif()  # the GPS IFD
    assert samples.MARKER_MAKE.encode() not in target.read_bytes()


def test_a_disguised_file_is_refused_with_the_reason_and_nothing_written(
    tmp_path: Path,
) -> None:
    source, target = tmp_path / "invoice.pdf", tmp_path / "clean.pdf"
    source.write_bytes(samples.exe())
    code, out = _run(source, target)
    assert code == 1
    assert out.startswith("Refused: ")
    assert "not" in out
    assert not target.exists()


def test_it_never_overwrites_a_file(tmp_path: Path) -> None:
    source, target = tmp_path / "scan.pdf", tmp_path / "clean.pdf"
    source.write_bytes(samples.pdf())
    target.write_bytes(b"kept")
    with pytest.raises(CommandError, match="already exists"):
        call_command("clean_file", str(source), str(target))
    assert target.read_bytes() == b"kept"


def test_a_removed_attachment_is_named(tmp_path: Path) -> None:
    source, target = tmp_path / "from-email.pdf", tmp_path / "clean.pdf"
    source.write_bytes(pdf_open_action_and_attachment())
    code, out = _run(source, target)
    assert code == 0
    assert "Removed files: invoice.exe\n" in out
    assert b"INVOICE-EXE-MARKER" not in target.read_bytes()
