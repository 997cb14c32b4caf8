"""The report wizard with the test client: validation, one case per report, the code once."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from redress.cases.models import Case
from redress.directory.models import Person
from redress.intake.models import Draft, Receipt
from redress.ledger.models import Entry
from tests.intake.helpers import ANSWERS, fill_report, receipt_on

pytestmark = pytest.mark.django_db


def test_full_report_shows_the_code_only_after_commit(client: Client) -> None:
    fill_report(client)
    check = client.get("/report/check-answers").content.decode()
    assert "He said my job depended on keeping quiet." in check
    assert "receipt-code" not in check
    assert not Case.objects.exists()
    response = client.post("/report/submit")
    assert response.headers["Location"] == "/report/sent"
    case = Case.objects.get()
    assert case.narrative == "He said my job depended on keeping quiet."
    page = client.get("/report/sent").content.decode()
    code = receipt_on(page)
    assert len(code.replace("-", "")) == 20
    assert Receipt.objects.filter(case=case).exists()
    assert Entry.objects.filter(action="case.received", object=f"case:{case.reference}").exists()
    assert "nobody can recover it" in page


def test_double_submit_makes_one_case_and_keeps_the_same_code(client: Client) -> None:
    fill_report(client)
    client.post("/report/submit")
    first = receipt_on(client.get("/report/sent").content.decode())
    client.post("/report/submit")  # back button, double click, retried request
    second = receipt_on(client.get("/report/sent").content.decode())
    assert Case.objects.count() == 1
    assert first == second


def test_confirming_the_code_is_saved_forgets_it(client: Client) -> None:
    fill_report(client)
    client.post("/report/submit")
    response = client.post("/report/sent", {})
    assert response.status_code == 400
    assert "Confirm that you have saved your receipt code" in response.content.decode()
    response = client.post("/report/sent", {"saved": "on"})
    assert response.headers["Location"] == "/report/done"
    assert Draft.objects.get().receipt is None
    assert client.get("/report/sent").status_code == 302
    # Sending again (the back button) says it was sent, and starts nothing new.
    assert client.post("/report/submit").headers["Location"] == "/report/done"
    assert Draft.objects.count() == 1
    assert Case.objects.count() == 1


def test_each_step_explains_a_missing_answer_and_keeps_what_was_typed(client: Client) -> None:
    client.get("/report/start")
    response = client.post("/report/what-happened", {"what_happened": ""})
    assert response.status_code == 400
    assert "Tell us what happened" in response.content.decode()
    response = client.post("/report/category", {"category": "nonsense"})
    assert "Select the kind of behaviour" in response.content.decode()
    response = client.post(
        "/report/when",
        {"when_kind": "date", "when_day": "31", "when_month": "2", "when_year": "2025"},
    )
    body = response.content.decode()
    assert "The date must be a real date" in body
    assert 'value="31"' in body
    response = client.post(
        "/report/who", {"respondent_id": "not-listed", "respondent_description": ""}
    )
    assert "describe someone who is not listed" in response.content.decode()


def test_narrative_over_the_limit_is_refused_and_kept(client: Client) -> None:
    client.get("/report/start")
    text = "x" * 10_001
    response = client.post("/report/what-happened", {"what_happened": text})
    assert response.status_code == 400
    assert "10,000 characters or fewer" in response.content.decode()
    assert text in response.content.decode()


def test_html_in_answers_is_stored_and_shown_inert(client: Client) -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    fill_report(client, **{"what-happened": {"what_happened": hostile}})
    page = client.get("/report/check-answers").content.decode()
    assert hostile not in page
    assert "&lt;script&gt;" in page
    client.post("/report/submit")
    assert Case.objects.get().narrative == hostile


def test_directory_search_works_without_javascript(client: Client) -> None:
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    client.get("/report/start")
    page = client.post("/report/who", {"q": "whip", "search": "1"}).content.decode()
    assert "Brisa Holloway-Pike" in page
    assert "Juno Talbrook" in page
    page = client.post("/report/who", {"q": "Brackenmoor", "search": "1"}).content.decode()
    assert "Brisa Holloway-Pike" in page
    person = Person.objects.get(identifier="M-1002")
    response = client.post("/report/who", {"respondent_id": person.identifier})
    assert response.status_code == 302
    fill_report(client, who={"respondent_id": person.identifier})
    client.post("/report/submit")
    assert Case.objects.filter(respondent=person).count() == 1


def test_cannot_send_an_incomplete_report(client: Client) -> None:
    client.get("/report/start")
    client.post("/report/what-happened", ANSWERS["what-happened"])
    response = client.post("/report/submit")
    assert response.headers["Location"] == "/report/category"
    assert not Case.objects.exists()


def test_named_report_asks_for_contact_details(client: Client) -> None:
    fill_report(client, identity={"identity": "named"})
    assert "contact" in client.get("/report/check-answers").content.decode()
    assert client.post("/report/submit").headers["Location"] == "/report/contact"
    response = client.post("/report/contact", {"contact_name": "", "email_updates": "on"})
    body = response.content.decode()
    assert "Enter your name" in body
    assert "Enter an email address to get email updates" in body
    client.post("/report/contact", {"contact_name": "Rhian", "contact_email": "rhian@example.org"})
    client.post("/report/submit")
    details = json.loads(Case.objects.get().details or "{}")
    assert details["contact_email"] == "rhian@example.org"


def test_choosing_anonymous_after_giving_contact_details_forgets_them(client: Client) -> None:
    fill_report(client, identity={"identity": "named"})
    client.post(
        "/report/contact",
        {"contact_name": "Jo Example", "contact_email": "jo@example.org", "contact_phone": "0123"},
    )
    client.post("/report/identity?change=1", {"identity": "anonymous"})
    draft = Draft.objects.get()
    assert not {"contact_name", "contact_email", "contact_phone"} & set(json.loads(draft.answers))
    client.post("/report/submit")
    case = Case.objects.get()
    assert case.identity == "anonymous"
    details = case.details or ""
    assert "Jo Example" not in details
    assert "jo@example.org" not in details
    assert Receipt.objects.get().email_digest is None


def test_an_anonymous_api_report_keeps_no_contact_details(client: Client) -> None:
    body = {
        "category": "bullying",
        "what_happened": "Shouted at again.",
        "identity": "anonymous",
        "respondent_description": "A manager",
        "contact_name": "Jo Example",
        "contact_email": "jo@example.org",
    }
    assert client.post("/api/reports", body, content_type="application/json").status_code == 201
    assert "Jo Example" not in (Case.objects.get().details or "")


def test_drafts_are_sealed_in_the_database(client: Client) -> None:
    client.get("/report/start")
    client.post("/report/what-happened", {"what_happened": "UNIQUE-DRAFT-MARKER-4417"})
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT answers FROM intake_draft")
        (stored,) = cursor.fetchone()
    assert b"UNIQUE-DRAFT-MARKER-4417" not in bytes(stored)


def test_the_code_is_not_kept_on_the_device_once_the_browser_closes(client: Client) -> None:
    fill_report(client)
    response = client.post("/report/submit")
    cookie = response.cookies["sessionid"]
    assert not cookie["max-age"]
    assert not cookie["expires"]
    assert receipt_on(client.get("/report/sent").content.decode())


def test_changing_the_evidence_stays_in_change_mode(client: Client) -> None:
    fill_report(client)
    page = client.get("/report/evidence?change=1").content.decode()
    assert 'href="/report/check-answers" class="govuk-back-link"' in page
    upload = SimpleUploadedFile("note.txt", b"What I wrote down that night.", "text/plain")
    response = client.post("/report/evidence?change=1", {"file": upload})
    assert response.headers["Location"] == "/report/evidence?change=1"
    response = client.post("/report/evidence?change=1", {"continue": "1"})
    assert response.headers["Location"] == "/report/check-answers"
