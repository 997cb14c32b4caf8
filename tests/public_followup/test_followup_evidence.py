"""Evidence added on "Check your report" after the report was sent: the complainant is told what
was removed from each file, is asked before a file is kept with its hidden details (what it
shows, in plain words, while it can still be stopped), and a report takes a limited number of
files in all."""

from __future__ import annotations

import datetime as dt
import html
import io
import threading
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone
from PIL import Image

from redress.cases.models import Attachment, Case, Source
from redress.intake import actions
from redress.intake.sandbox import clean
from redress.public.followup import MAX_CASE_FILES, PENDING
from redress.vault.storage import EncryptingStorage
from tests.intake import samples
from tests.intake.helpers import fill_report, receipt_on
from tests.respond.journey import check_in

pytestmark = pytest.mark.django_db

PHOTO = "IMG_0042 Eirlys phone.jpg"


@pytest.fixture
def complainant() -> Client:
    """A complainant signed in to an anonymous report sent through the wizard."""
    reporter = Client()
    fill_report(reporter)
    reporter.post("/report/submit")
    return check_in(receipt_on(reporter.get("/report/sent").content.decode()))


def page_of(client: Client) -> str:
    return html.unescape(client.get("/check/report").content.decode())


def upload(client: Client, data: bytes, name: str = PHOTO, **extra: str) -> Any:
    return client.post(
        "/check/report", {"upload": "1", "file": SimpleUploadedFile(name, data), **extra}
    )


def has_location(data: bytes) -> bool:
    return bool(Image.open(io.BytesIO(data)).getexif().get_ifd(samples.GPS_IFD))


def stored(attachment: Attachment) -> bytes:
    return EncryptingStorage().open_sealed(attachment.stored_name, attachment.case.data_key)


def held_file(client: Client) -> str:
    return str(client.session[PENDING]["stored_name"])


def test_a_file_added_after_sending_says_what_was_removed(complainant: Client) -> None:
    response = upload(complainant, samples.jpeg())
    assert response.status_code == 302
    assert response["Location"] == "/check/report#evidence"
    attachment = Attachment.objects.get()
    assert not attachment.kept_original
    assert not has_location(stored(attachment))

    page = page_of(complainant)
    assert f"{PHOTO} was added to your report." in page
    assert 'id="evidence-removed"' in page
    for label in ("location (GPS)", "camera make and model", "camera and lens serial numbers"):
        assert f"<li>{label}</li>" in page
    assert "was added to your report" not in page_of(complainant)  # told once


def test_a_text_file_says_nothing_about_hidden_details(complainant: Client) -> None:
    upload(complainant, b"What I wrote down that night.", name="note.txt")
    page = page_of(complainant)
    assert "note.txt was added to your report." in page
    assert "hidden details from it" not in page
    assert "We found no hidden details" not in page  # text is never read for them


def test_keeping_the_original_asks_first_and_says_what_it_shows(complainant: Client) -> None:
    original = samples.jpeg()
    response = upload(complainant, original, keep_original="on")
    assert response.status_code == 302
    assert not Attachment.objects.exists()  # nothing is on the case until they say yes
    held = held_file(complainant)
    assert EncryptingStorage().exists(held)

    page = page_of(complainant)
    assert f"Before {PHOTO} is added" in page
    assert 'id="pending-found"' in page
    assert "<li>location (GPS)</li>" in page
    assert "they may reveal who you are" in page
    assert 'id="id_file"' not in page  # one question at a time

    response = complainant.post("/check/report", {"keep_confirm": "1"})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.kept_original
    assert attachment.original_name == PHOTO
    assert stored(attachment) == original
    assert not EncryptingStorage().exists(held)
    assert PENDING not in complainant.session

    page = page_of(complainant)
    assert 'id="evidence-found"' in page
    assert "<li>location (GPS)</li>" in page
    assert "(Kept as it was, with its hidden details)" in page
    # A second click of the same button adds nothing more.
    assert complainant.post("/check/report", {"keep_confirm": "1"}).status_code == 302
    assert Attachment.objects.count() == 1


def test_the_details_can_be_removed_after_all(complainant: Client) -> None:
    upload(complainant, samples.jpeg(), keep_original="on")
    held = held_file(complainant)
    complainant.post("/check/report", {"keep_strip": "1"})
    attachment = Attachment.objects.get()
    assert not attachment.kept_original
    assert not has_location(stored(attachment))
    assert not EncryptingStorage().exists(held)
    assert 'id="evidence-removed"' in page_of(complainant)


def test_the_file_can_be_left_out(complainant: Client) -> None:
    upload(complainant, samples.jpeg(), keep_original="on")
    held = held_file(complainant)
    complainant.post("/check/report", {"keep_cancel": "1"})
    assert not Attachment.objects.exists()
    assert not EncryptingStorage().exists(held)
    page = page_of(complainant)
    assert "The file was not added to your report." in page
    assert 'id="id_file"' in page


def test_a_kept_file_with_nothing_hidden_is_added_at_once(complainant: Client) -> None:
    upload(complainant, b"Notes from the meeting.", name="notes.txt", keep_original="on")
    assert Attachment.objects.count() == 1
    assert PENDING not in complainant.session


def test_the_held_file_is_sealed_and_its_name_is_not_in_the_session(complainant: Client) -> None:
    original = samples.jpeg()
    upload(complainant, original, keep_original="on")
    held = held_file(complainant)
    with EncryptingStorage().inner.open(held, "rb") as raw:
        assert samples.MARKER_MAKE.encode() not in raw.read()
    session = Session.objects.get(session_key=complainant.session.session_key)
    assert "IMG_0042" not in str(session.get_decoded())
    assert "IMG_0042" not in session.session_data


def test_leaving_or_withdrawing_forgets_the_held_file(complainant: Client) -> None:
    upload(complainant, samples.jpeg(), keep_original="on")
    held = held_file(complainant)
    complainant.post("/check/leave")
    assert not EncryptingStorage().exists(held)

    reporter = Client()
    fill_report(reporter)
    reporter.post("/report/submit")
    other = check_in(receipt_on(reporter.get("/report/sent").content.decode()))
    upload(other, samples.jpeg(), keep_original="on")
    held = held_file(other)
    other.post("/check/withdraw", {"reason": "", "confirm": "on"})
    assert not EncryptingStorage().exists(held)
    assert other.post("/check/report", {"keep_confirm": "1"}).status_code == 302
    assert not Attachment.objects.exists()


def fill_case(case: Case, count: int) -> None:
    cleaned = clean(b"A note.", filename="note.txt")
    for _ in range(count):
        actions.add_evidence(case, cleaned, original_name="note.txt")


def test_a_report_takes_a_limited_number_of_files(complainant: Client) -> None:
    case = Case.objects.get()
    fill_case(case, MAX_CASE_FILES - 1)
    upload(complainant, samples.jpeg(), keep_original="on")  # held: not yet counted
    fill_case(case, 1)  # another tab filled the last place
    response = complainant.post("/check/report", {"keep_confirm": "1"})
    assert response.status_code == 400
    assert case.attachments.count() == MAX_CASE_FILES
    assert PENDING not in complainant.session

    page = page_of(complainant)
    assert 'id="evidence-limit"' in page
    assert f"Your report has {MAX_CASE_FILES} files, the most it can have." in page
    assert 'id="id_file"' not in page

    response = upload(complainant, b"One more note.", name="more.txt")
    assert response.status_code == 400
    refused = html.unescape(response.content.decode())
    assert "govuk-error-summary" in refused
    assert '<a href="#evidence-limit">Your report has 20 files' in refused
    assert "<title>Error:" in refused
    assert case.attachments.filter(source=Source.COMPLAINANT).count() == MAX_CASE_FILES
    # A message still goes through: the caseworker can ask for more another way.
    response = complainant.post("/check/report", {"send": "1", "body": "I have more photos."})
    assert response.status_code == 302


def test_refusals_stay_on_the_page(complainant: Client) -> None:
    response = complainant.post("/check/report", {"upload": "1"})
    assert response.status_code == 400
    assert '<a href="#id_file">Select a file to upload</a>' in response.content.decode()
    response = upload(complainant, samples.jpeg(), name="statement.pdf")
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    assert not Attachment.objects.exists()


def test_the_new_words_are_in_welsh(complainant: Client) -> None:
    complainant.cookies["django_language"] = "cy"
    page = page_of(complainant)
    assert 'lang="cy"' in page
    for english in (
        "Your report can have up to",
        "Keep the original file with its hidden details",
        "Photos, recordings and documents can carry hidden details",
    ):
        assert english not in page, english

    upload(complainant, samples.jpeg(), keep_original="on")
    page = page_of(complainant)
    for english in (
        "is added",
        "You chose to keep this file as it was",
        "Everyone who handles your report",
        "Remove the hidden details and add it",
        "Add it with its hidden details",
        "Do not add it",
        "location (GPS)",
    ):
        assert english not in page, english

    complainant.post("/check/report", {"keep_strip": "1"})
    page = page_of(complainant)
    for english in ("was added to your report", "We removed these hidden details"):
        assert english not in page, english
    assert PHOTO in page

    complainant.post("/check/report", {"upload": "1"})
    upload(complainant, samples.jpeg(), keep_original="on")
    complainant.post("/check/report", {"keep_cancel": "1"})
    assert "The file was not added" not in page_of(complainant)

    case = Case.objects.get()
    fill_case(case, MAX_CASE_FILES - actions.complainant_files(case))
    assert "the most it can have" not in page_of(complainant)


def _stored_files() -> set[str]:
    storage = EncryptingStorage()
    later = timezone.now() + dt.timedelta(days=1)
    return {name for bucket in storage.buckets() for name in storage.stored_before(bucket, later)}


def test_a_file_refused_for_the_limit_leaves_nothing_stored(complainant: Client) -> None:
    case = Case.objects.get()
    fill_case(case, MAX_CASE_FILES)
    before = _stored_files()
    with pytest.raises(actions.CaseFull):
        fill_case(case, 1)
    assert _stored_files() == before
    assert actions.complainant_files(case) == MAX_CASE_FILES


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgres_only")
def test_two_uploads_at_once_cannot_both_take_the_last_place(complainant: Client) -> None:
    case = Case.objects.get()
    fill_case(case, MAX_CASE_FILES - 1)
    cleaned = clean(b"A note.", filename="note.txt")
    both_counted = threading.Barrier(2)
    outcomes: list[str] = []

    def add() -> None:
        try:
            both_counted.wait()
            actions.add_evidence(Case.objects.get(pk=case.pk), cleaned, original_name="n.txt")
            outcomes.append("added")
        except actions.CaseFull:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=add) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["added", "refused"]
    assert actions.complainant_files(case) == MAX_CASE_FILES
