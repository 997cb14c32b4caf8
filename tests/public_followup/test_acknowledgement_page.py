"""The acknowledgement a complainant can read: a page and a tagged PDF saying what was received and
when, its reference and how to check it later, never the receipt code, with the signed file
offered beside them for someone checking the proof."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import translation

from redress.ledger.models import Entry
from redress.public.acknowledgement_page import when_in_words
from tests.intake.helpers import fill_report, receipt_on

pytestmark = pytest.mark.django_db

# 4:27 in the morning in London (GMT in December).
SENT = dt.datetime(2026, 12, 7, 4, 27, 30, tzinfo=dt.UTC)
POPPLER = shutil.which("pdftotext") and shutil.which("pdfinfo")


@pytest.fixture(autouse=True)
def _at_sent() -> Iterator[None]:
    """Every step a minute or so after SENT, while the browser's session lasts."""
    with time_machine.travel(SENT, tick=False):
        yield


def reported(client: Client) -> tuple[str, str]:
    """A report sent in this browser at SENT; its receipt code, and the page that showed it."""
    fill_report(client)
    client.post("/report/submit")
    sent = client.get("/report/sent").content.decode()
    return receipt_on(sent), sent


def received() -> str:
    """The time the report was received, as the page writes it. On PostgreSQL the ledger takes
    the database's own clock, which the test does not move, so this reads the entry."""
    return when_in_words(Entry.objects.get(action="case.received").time)


def reference_of(page: str) -> str:
    match = re.search(r'id="reference">(R[A-Z0-9-]+)<', page)
    assert match, "no reference on the page"
    return match.group(1)


def pdf_text(pdf: bytes, tmp_path: Path) -> tuple[str, str]:
    path = tmp_path / "acknowledgement.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split()), info


def test_the_page_says_what_was_received_when_and_how_to_check_it(client: Client) -> None:
    code, sent = reported(client)
    assert 'href="/report/acknowledgement/read"' in sent
    response = client.get("/report/acknowledgement/read")
    assert response.status_code == 200
    page = response.content.decode()
    reference = reference_of(page)
    assert "govuk-panel--confirmation" in page
    assert "govuk-summary-list" in page
    assert f'<dd class="govuk-summary-list__value" id="received">{received()}</dd>' in page
    assert f"{settings.SITE_URL}/check" in page
    assert code not in page
    assert code.replace("-", "") not in page
    assert 'href="/report/acknowledgement/pdf"' in page
    assert 'href="/report/acknowledgement"' in page  # the signed file, beside it
    assert "For someone checking the proof" in page
    assert "Exit this page" in page  # the complainant's layout
    assert reference.startswith("R")


@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdfinfo) is not installed")
def test_the_pdf_says_the_same_is_tagged_and_holds_no_code(client: Client, tmp_path: Path) -> None:
    code, _sent = reported(client)
    reference = reference_of(client.get("/report/acknowledgement/read").content.decode())
    response = client.get("/report/acknowledgement/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="redress-acknowledgement-{reference}.pdf"'
    )
    text, info = pdf_text(bytes(response.content), tmp_path)
    assert reference in text
    assert received() in text
    assert f"{settings.SITE_URL}/check" in text
    assert "enter your receipt code" in text
    assert code not in text
    assert code.replace("-", "") not in text
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    assert re.search(rf"^Title:\s+Acknowledgement of your report {reference}$", info, re.M), info
    with pikepdf.open(io.BytesIO(bytes(response.content))) as document:
        assert str(document.Root.Lang) == "en"


def test_in_welsh_the_page_and_its_date_are_welsh(client: Client) -> None:
    client.get("/language/cy?next=/")
    reported(client)
    page = client.get("/report/acknowledgement/read").content.decode()
    assert 'lang="cy"' in page
    with translation.override("cy"):
        assert received() in page
    assert re.search(r"\d+ \w+ 20\d\d am \d+:\d\d(yb|yh)<", page)
    assert "Cawsom eich adroddiad" in page


def test_from_check_your_report_with_the_code(client: Client, tmp_path: Path) -> None:
    code, _sent = reported(client)
    other = Client()
    assert other.get("/check/acknowledgement/read").headers["Location"] == "/check"
    assert other.get("/check/acknowledgement/pdf").headers["Location"] == "/check"
    assert other.get("/report/acknowledgement/read").status_code == 404
    assert other.post("/check", {"code": code}).status_code == 302
    status = other.get("/check/report").content.decode()
    assert 'href="/check/acknowledgement/read"' in status
    page = other.get("/check/acknowledgement/read").content.decode()
    assert received() in page
    assert 'href="/check/acknowledgement"' in page
    assert 'href="/check/acknowledgement/pdf"' in page
    assert code not in page
    response = other.get("/check/acknowledgement/pdf")
    assert response["Content-Type"] == "application/pdf"
    if POPPLER:
        text, _info = pdf_text(bytes(response.content), tmp_path)
        assert received() in text
        assert code not in text


@pytest.mark.parametrize(
    ("moment", "english", "welsh"),
    [
        (SENT, "7 December 2026 at 4:27am", "7 Rhagfyr 2026 am 4:27yb"),
        (dt.datetime(2027, 7, 1, 11, 5, tzinfo=dt.UTC), "1 July 2027 at 12:05pm", None),
        (dt.datetime(2027, 1, 2, 0, 30, tzinfo=dt.UTC), "2 January 2027 at 12:30am", None),
        (dt.datetime(2027, 1, 2, 15, 0, tzinfo=dt.UTC), "2 January 2027 at 3:00pm", None),
    ],
)
def test_times_are_written_as_gov_uk_writes_them(
    moment: dt.datetime, english: str, welsh: str | None
) -> None:
    """In the scheme's time zone (British Summer Time in July), 12-hour, am or pm."""
    with translation.override("en"):
        assert when_in_words(moment) == english
    if welsh:
        with translation.override("cy"):
            assert when_in_words(moment) == welsh
