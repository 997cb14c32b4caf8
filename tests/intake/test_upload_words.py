"""What the complainant is told about an upload is in the page's language, and a file kept as it
was says what its hidden details show (DESIGN.md: "after being told what it reveals")."""

from __future__ import annotations

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from redress.intake import filetypes, upload_words
from redress.intake.actions import answers_of
from redress.intake.models import Draft
from redress.intake.sandbox import clean
from redress.intake.upload_words import UploadRefused, in_words
from tests.intake import samples
from tests.intake.helpers import fill_report

pytestmark = pytest.mark.django_db

SENTENCES = [
    upload_words.EMPTY,
    upload_words.TOO_LARGE,
    upload_words.NOT_ACCEPTED,
    upload_words.NOT_UTF8,
    upload_words.DISGUISED,
    upload_words.UNREADABLE,
    upload_words.TOO_COMPLEX,
    upload_words.PROTECTED,
    upload_words.MACROS,
    upload_words.UNAVAILABLE,
]


def welsh(client: Client) -> Client:
    client.get("/language/cy?next=/")
    return client


def upload(client: Client, name: str, data: bytes, *, keep: bool = False) -> str:
    fields: dict[str, object] = {"upload": "1", "file": SimpleUploadedFile(name, data)}
    if keep:
        fields["keep_original"] = "on"
    response = client.post("/report/evidence", fields, follow=True)
    return html.unescape(response.content.decode())


def refusal(data: bytes, filename: str = "") -> UploadRefused:
    with pytest.raises(UploadRefused) as refused:
        clean(data, filename=filename)
    return refused.value


@pytest.mark.parametrize(
    "words", [*SENTENCES, *upload_words.LABELS, *(kind[2] for kind in filetypes.KINDS.values())]
)
def test_every_refusal_label_and_kind_has_a_welsh_translation(words: str) -> None:
    with translation.override("cy"):
        assert in_words(words) != words


def test_refusals_are_shown_in_the_active_language() -> None:
    disguised = refusal(samples.png(), filename="photo.jpg")
    empty = refusal(b"")
    too_large = refusal(b"x" * (filetypes.MAX_BYTES + 1))
    not_utf8 = refusal("Café au lait".encode("latin-1"), filename="letter.txt")
    with translation.override("en"):
        assert disguised.message == "The file says it is a JPEG picture but it is not"
        assert too_large.message == "The file is larger than 20 MB"
    with translation.override("cy"):
        assert (
            disguised.message == "Mae'r ffeil yn dweud mai llun JPEG yw hi, ond nid yw hynny'n wir"
        )
        assert empty.message == "Mae'r ffeil yn wag"
        assert too_large.message == "Mae'r ffeil yn fwy na 20 MB"
        assert not_utf8.message.startswith("Nid yw'r ffeil destun hon wedi'i chadw fel UTF-8")


def test_the_sanitiser_answers_in_english_words_and_the_web_process_translates_them() -> None:
    with translation.override("cy"):
        cleaned = clean(samples.jpeg(), filename="photo.jpg")
        assert cleaned.found[0] == "location (GPS)"  # the child's word, checked against LABELS
        assert in_words(cleaned.found[0]) == "lleoliad (GPS)"


def test_the_welsh_evidence_page_says_what_was_removed_and_why_a_file_was_refused(
    client: Client,
) -> None:
    welsh(client).get("/report/start")
    page = upload(client, "photo.jpg", samples.jpeg())
    assert "Dilëwyd:" in page
    assert "lleoliad (GPS)" in page
    assert "gwneuthurwr a model y camera" in page
    assert "location (GPS)" not in page
    refused = client.post(
        "/report/evidence", {"upload": "1", "file": SimpleUploadedFile("scan.pdf", b"%PNG no")}
    )
    assert refused.status_code == 400
    said = html.unescape(refused.content.decode())
    assert "Mae'r ffeil yn dweud mai PDF yw hi, ond nid yw hynny'n wir" in said
    assert "The file says it is" not in said


def test_the_error_prefix_of_a_text_input_is_translated(client: Client) -> None:
    page = welsh(client).post("/check", {"code": ""}).content.decode()
    assert '<span class="govuk-visually-hidden">Gwall:</span>' in page
    assert '<span class="govuk-visually-hidden">Error:</span>' not in page


# --- Keeping the original --------------------------------------------------------------------


def test_a_kept_original_says_what_it_reveals_on_the_evidence_page(client: Client) -> None:
    client.get("/report/start")
    page = upload(client, "photo.jpg", samples.jpeg(), keep=True)
    listed = re.search(r'<ul [^>]*id="found-1">(.*?)</ul>', page, re.S)
    assert listed is not None, page
    assert "location (GPS)" in listed.group(1)
    assert "camera make and model" in listed.group(1)
    assert "Removed:" not in page
    (item,) = answers_of(Draft.objects.get())["evidence"]
    assert item["kept_original"]
    assert item["found"][0] == "location (GPS)"


def test_a_kept_original_says_what_it_reveals_on_check_your_answers(client: Client) -> None:
    fill_report(client)
    upload(client, "photo.jpg", samples.jpeg(), keep=True)
    upload(client, "notes.txt", b"Minutes of the meeting.")
    page = client.get("/report/check-answers").content.decode()
    assert "photo.jpg (kept as it was: it shows location (GPS), camera make and model" in page
    assert "notes.txt" in page


def test_a_kept_original_is_described_in_welsh(client: Client) -> None:
    welsh(client)
    fill_report(client)
    evidence = upload(client, "photo.jpg", samples.jpeg(), keep=True)
    assert "Mae ei manylion cudd yn dangos:" in evidence
    assert "lleoliad (GPS)" in evidence
    page = html.unescape(client.get("/report/check-answers").content.decode())
    assert "photo.jpg (wedi'i chadw fel yr oedd: mae'n dangos lleoliad (GPS)" in page
