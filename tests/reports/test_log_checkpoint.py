"""The yearly report names the published log checkpoint it was computed at: its size, time,
origin and root, and whether outside witnesses cosigned it, on the page, in the PDF and the CSV."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from nacl.signing import SigningKey

from redress.cases import actions
from redress.cases.models import Category, Identity
from redress.ledger import log, tlog
from redress.reports import periods, presentation, rendering
from redress.reports.figures import compute

pytestmark = pytest.mark.django_db

SIGNED = dt.datetime(2025, 6, 2, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _unwitnessed(settings: object) -> None:
    settings.LOG_WITNESSES = []  # type: ignore[attr-defined]
    settings.LOG_QUORUM = 0  # type: ignore[attr-defined]


def published(*witnesses: tlog.CosignatureSigner) -> int:
    """Two complaints, then a checkpoint signed at SIGNED, published with these cosignatures."""
    with time_machine.travel(SIGNED, tick=False):
        for _ in range(2):
            actions.receive(
                category=Category.BULLYING, identity=Identity.ANONYMOUS, narrative="Words."
            )
        made = log.make_checkpoint()
    assert made is not None
    if witnesses:
        text = tlog.parse_note(made.note).text
        log.publish(made, [w.cosign(text, int(SIGNED.timestamp())) for w in witnesses])
    return made.size


def test_an_unwitnessed_checkpoint_is_named_as_such() -> None:
    size = published()
    figures = compute(*periods.year(2025))
    point = figures.log_checkpoint
    assert point is not None
    assert (point.size, point.origin, point.witnessed) == (size, log.origin(), False)
    html = " ".join(rendering.render(figures, "html").decode().split())
    assert (
        f"Computed when the newest published checkpoint of the log {log.origin()} held "
        f"{size} entries. It was signed on 2 June 2025 09:30 (UTC)."
    ) in html
    assert "It is not witnessed" in html
    assert point.root in html
    rows = presentation.as_csv(figures).splitlines()
    assert f"Published log checkpoint,size,,{size}" in rows
    assert f"Published log checkpoint,origin,,{log.origin()}" in rows


def test_a_witnessed_checkpoint_names_its_witnesses() -> None:
    union = tlog.CosignatureSigner("union.example/witness", SigningKey(bytes([3]) * 32))
    board = tlog.CosignatureSigner("board.example/witness", SigningKey(bytes([5]) * 32))
    published(union, board)
    figures = compute(*periods.year(2025))
    assert figures.log_checkpoint is not None
    assert figures.log_checkpoint.witnesses == (union.name, board.name)
    html = " ".join(rendering.render(figures, "html").decode().split())
    assert (
        "It is cosigned by 2 outside witnesses: union.example/witness, board.example/witness."
    ) in html


def test_before_any_checkpoint_the_report_says_so() -> None:
    figures = compute(*periods.year(2025), sign=False)
    assert figures.log_checkpoint is None
    html = rendering.render(figures, "html").decode()
    assert "No checkpoint of the published log existed yet." in html


def test_the_welsh_page_names_it_in_welsh(client: object) -> None:
    from django.utils import translation

    size = published()
    with translation.override("cy"):
        html = " ".join(rendering.render(compute(*periods.year(2025)), "html").decode().split())
    assert f"{size} o gofnodion" in html
    assert "Nid yw wedi'i dystio" in html


@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
)
def test_the_pdf_names_the_checkpoint(tmp_path: Path) -> None:
    size = published()
    output = tmp_path / "report.pdf"
    out = io.StringIO()
    call_command("report", year=2025, format="pdf", output=str(output), stdout=out)
    assert f"the log's published checkpoint of {size} entries (unwitnessed)" in out.getvalue()
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(output), "-"], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    assert f"held {size} entries" in text
    assert log.origin() in text
    assert "It is not witnessed" in text
