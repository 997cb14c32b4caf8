"""Evidence on the staff case page: each file's name as given (escaped, hidden characters shown),
its type, size, when and by whom it was added, what cleaning removed and what it still shows;
downloads saved under a harmless form of the name, ending in the file's real type."""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.test import Client

from redress.accounts.models import Role, User
from redress.cases import actions
from redress.cases.models import AssignmentRole, Attachment, Case, Source
from redress.intake import actions as intake_actions
from redress.intake.cleaning import cleaning_of
from redress.intake.sandbox import clean
from redress.staff.evidence_details import download_name, name_as_given
from tests.intake import samples
from tests.intake.test_hostile_files import pdf_open_action_and_attachment
from tests.staff.test_console import _case, _signed_in

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert('x')</script>\u202egpj.exe"


def _caseworker() -> tuple[Client, User]:
    client, user = _signed_in(Role.CASEWORKER, name="robin")
    assert isinstance(user, User)
    user.display_name = "Robin Caseworker"
    user.save(update_fields=["display_name"])
    return client, user


def _handled() -> tuple[Client, User, Case]:
    client, user = _caseworker()
    case = _case()
    actions.assign(case, user, AssignmentRole.CASEWORKER, actor="system:test")
    return client, user, case


def _card(client: Client, case: Case, attachment: Attachment) -> str:
    """The evidence card of one file, as the page's HTML (still escaped)."""
    page = client.get(f"/staff/cases/{case.reference}").content.decode()
    found = re.search(
        rf'<div class="govuk-summary-card" id="evidence-{attachment.pk}">(.*?)</dl>', page, re.S
    )
    assert found, "no card for the file"
    return found.group(1)


def _words(card: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", card)).split())


def test_a_hostile_name_is_shown_escaped_with_its_override_marked() -> None:
    client, _user, case = _handled()
    cleaned = clean(samples.jpeg(), filename="photo.jpg")
    attachment = actions.attach(
        case,
        cleaned.data,
        kind=cleaned.kind,
        original_name=HOSTILE,
        kept_original=False,
        source=Source.COMPLAINANT,
        actor="complainant",
        cleaning=cleaning_of(cleaned),
    )
    page = client.get(f"/staff/cases/{case.reference}").content.decode()
    assert "<script>alert" not in page
    assert "\u202e" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;⟨U+202E⟩gpj.exe" in page
    words = _words(_card(client, case, attachment))
    assert "Type JPEG picture" in words
    assert f"Size {' '.join(filesizeformat(attachment.size).split())}" in words
    assert "by the complainant" in words
    assert "Removed when uploaded location (GPS)" in words
    assert "camera make and model" in words
    assert "What it still shows Nothing we know of" in words


def test_a_file_uploaded_by_staff_names_them_and_what_was_removed() -> None:
    client, user, case = _handled()
    # Django drops the path and invisible characters from an uploaded file's name; the markup
    # stays and is escaped.
    upload = SimpleUploadedFile('<img src=x onerror="alert(1)">.jpg', samples.jpeg())
    response = client.post(f"/staff/cases/{case.reference}/evidence", {"file": upload})
    assert response.status_code == 302
    attachment = case.attachments.get()
    assert attachment.added_by == user
    assert attachment.original_name == '<img src=x onerror="alert(1)">.jpg'
    card = _card(client, case, attachment)
    assert "<img src=x" not in card
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;.jpg" in card
    words = _words(card)
    assert "by Robin Caseworker" in words
    assert re.search(r"Added \d{1,2} \w+ \d{4} at \d\d:\d\d, by Robin Caseworker", words)
    assert "location (GPS)" in words


def test_a_pdf_with_javascript_says_what_was_removed() -> None:
    client, _user, case = _handled()
    cleaned = clean(pdf_open_action_and_attachment(), filename="statement.pdf")
    attachment = intake_actions.add_evidence(case, cleaned, original_name="statement.pdf")
    words = _words(_card(client, case, attachment))
    assert "Type PDF document" in words
    assert "scripts (JavaScript)" in words
    assert "embedded files" in words
    assert "the attached file “invoice.exe”" in words
    assert "by the complainant" in words


def test_a_file_kept_as_uploaded_says_so_and_what_it_shows() -> None:
    client, _user, case = _handled()
    upload = SimpleUploadedFile("scene.jpg", samples.jpeg())
    client.post(f"/staff/cases/{case.reference}/evidence", {"file": upload, "keep_original": "on"})
    attachment = case.attachments.get()
    assert attachment.kept_original
    words = _words(_card(client, case, attachment))
    assert "Removed when uploaded Nothing: none was found" in words
    assert "Kept as uploaded, with its metadata" in words
    assert "location (GPS)" in words


def test_a_respondents_file_and_a_file_from_before_cleaning_was_kept() -> None:
    client, _user, case = _handled()
    answered = actions.attach(
        case,
        b"Rota: 14:00 to 14:30.\n",
        kind="text",
        original_name="rota.txt",
        kept_original=False,
        source=Source.RESPONDENT,
        actor="respondent",
    )
    words = _words(_card(client, case, answered))
    assert "Type Plain text" in words
    assert "by the respondent" in words
    assert "Not recorded: the file was added before this was kept" in words


def test_the_wizards_files_keep_what_was_removed() -> None:
    draft = intake_actions.start_draft()
    intake_actions.save_answers(
        draft,
        {
            "what_happened": "He shouted at me in the tea room.",
            "category": "bullying",
            "respondent_description": "The office manager",
            "when_kind": "not_sure",
            "where": "The tea room",
            "support": "no",
            "identity": "anonymous",
        },
    )
    cleaned = clean(samples.jpeg(), filename="tea room.jpg")
    intake_actions.stage_evidence(draft, cleaned, original_name="tea room.jpg")
    case = intake_actions.submit(draft.pk).case
    client, user = _caseworker()
    actions.assign(case, user, AssignmentRole.CASEWORKER, actor="system:test")
    attachment = case.attachments.get()
    words = _words(_card(client, case, attachment))
    assert "tea room.jpg" in words
    assert "location (GPS)" in words
    assert "by the complainant" in words


def test_the_download_is_named_safely_with_its_real_type() -> None:
    client, _user, case = _handled()
    cleaned = clean(samples.jpeg(), filename="photo.jpg")
    attachment = actions.attach(
        case,
        cleaned.data,
        kind=cleaned.kind,
        original_name=HOSTILE,
        kept_original=False,
        source=Source.COMPLAINANT,
        actor="complainant",
    )
    response = client.get(f"/staff/cases/{case.reference}/evidence/{attachment.pk}")
    assert response.status_code == 200
    header = response["Content-Disposition"]
    # "/" ends a path: only what follows the last one is kept, as Django does with uploads.
    assert header == "attachment; filename=\"script_gpj.jpg\"; filename*=UTF-8''script_%20gpj.jpg"
    fallback = re.search(r'filename="([^"]*)"', header)
    assert fallback
    assert re.fullmatch(r"[A-Za-z0-9._-]+\.jpg", fallback.group(1))
    full = unquote(header.split("filename*=UTF-8''")[1])
    assert full.endswith(".jpg")
    assert "/" not in full
    assert "\u202e" not in full


@pytest.mark.parametrize(
    ("given", "kind", "ascii_name", "full"),
    [
        ("Tŷ'r Cyngor.pdf", "pdf", "Ty_r_Cyngor.pdf", "Tŷ'r Cyngor.pdf"),
        ("../../etc/passwd", "text", "passwd.txt", "passwd.txt"),
        ("C:\\Users\\sam\\report.docx", "pdf", "report.pdf", "report.pdf"),
        ("notes.final version", "text", "notes.final_version.txt", "notes.final version.txt"),
        ('<b>"x"</b>?.jpg', "jpeg", "b.jpg", "b_.jpg"),
        (".hidden.jpg", "jpeg", "hidden.jpg", "hidden.jpg"),
        ("line\nbreak\x00.png", "png", "line_break.png", "line break.png"),
        ("", "mp3", "evidence-{pk}.mp3", "evidence-{pk}.mp3"),
        ("日本語.txt", "text", "evidence-{pk}.txt", "日本語.txt"),
    ],
)
def test_download_names(given: str, kind: str, ascii_name: str, full: str) -> None:
    _client, _user, case = _handled()
    attachment = actions.attach(
        case,
        b"x",
        kind=kind,
        original_name=given,
        kept_original=False,
        source=Source.COMPLAINANT,
        actor="complainant",
    )
    pk = attachment.pk
    assert download_name(attachment) == (ascii_name.format(pk=pk), full.format(pk=pk))


def test_every_hidden_character_is_marked_not_only_direction_controls() -> None:
    assert name_as_given("a\u200bb\x07c\u2028d\u202ee") == "a⟨U+200B⟩b⟨U+0007⟩c⟨U+2028⟩d⟨U+202E⟩e"


def test_the_card_in_welsh() -> None:
    client, _user, case = _handled()
    cleaned = clean(pdf_open_action_and_attachment(), filename="datganiad.pdf")
    attachment = intake_actions.add_evidence(case, cleaned, original_name="datganiad.pdf")
    client.cookies["django_language"] = "cy"
    words = _words(_card(client, case, attachment))
    assert "Math Dogfen PDF" in words
    assert "gan yr achwynydd" in words
    assert "Tynnwyd wrth ei huwchlwytho" in words
    assert "sgriptiau (JavaScript)" in words
    assert "Dim y gwyddom amdano" in words
