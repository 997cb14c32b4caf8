"""A NUL character (U+0000) anywhere a request carries text is a plain 400, never a 500.

PostgreSQL cannot hold or compare text with a NUL in it (psycopg raises), so before the
middleware a NUL in a search or a looked-up path answered 500 there. Run these on both
databases: ``DATABASE_URL=postgres://... pytest tests/core/test_nul_bytes.py``.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from redress.accounts.models import Role
from redress.cases.models import Case
from redress.directory.models import Person, PersonKind
from redress.intake.actions import answers_of
from redress.intake.models import Draft
from tests.factories import API_REPORT, make_staff, sign_in
from tests.intake import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def member() -> Person:
    return Person.objects.create(identifier="M-1", name="Morgan Member", kind=PersonKind.MEMBER)


def refused_page(response) -> str:  # type: ignore[no-untyped-def]
    """The project's 400 page with an error summary: no traceback, no 500."""
    assert response.status_code == 400, response.content.decode()[:500]
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "<html" in page
    assert "There is a problem with your request" in page
    assert "govuk-error-summary" in page
    assert "null character" in page
    assert "Traceback" not in page
    return page


def refused_json(response, where: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 400, response.content.decode()[:500]
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": f"Null characters are not allowed in {where}."}


def client_in_wizard() -> Client:
    client = Client(raise_request_exception=False)
    client.get("/report/start")
    return client


@pytest.mark.parametrize("query", ["q=Mo%00rgan", "q=Mo\x00rgan", "q=%00%00", "x%00=1&q=Mo"])
def test_the_respondent_search_in_the_report_wizard(member: Person, query: str) -> None:
    client = client_in_wizard()
    refused_page(client.get(f"/report/who?{query}"))
    # The same search without the NUL still works.
    found = client.post("/report/who", {"q": "Morgan", "search": "1"})
    assert "Morgan Member" in found.content.decode()


def test_the_staff_person_search(member: Person) -> None:
    client = Client(raise_request_exception=False)
    sign_in(client, make_staff("inv", Role.INVESTIGATOR))
    refused_page(client.get("/staff/conflicts?search=Mor%00gan"))
    refused_page(client.get("/staff/conflicts", {"search": "\x00" * 5}))
    assert "Morgan Member" in client.get("/staff/conflicts?search=Morgan").content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/staff/cases/RD%00-2027",
        "/staff/cases/%00/evidence/1",
        "/check/verify-email/abc%00def",
        "/report/who%00",
        "/escrow/confirm/%00",
    ],
)
def test_a_nul_in_the_path(path: str) -> None:
    client = Client(raise_request_exception=False)
    sign_in(client, make_staff("cw", Role.CASEWORKER))
    refused_page(client.get(path))


def test_a_form_post(member: Person) -> None:
    client = client_in_wizard()
    refused_page(client.post("/report/what-happened", {"what_happened": "It\x00 happened"}))
    refused_page(client.post("/report/who", {"respondent_id": "M-1\x00"}))
    refused_page(client.post("/report/who", {"q": "Mo\x00rgan", "search": "1"}))
    refused_page(client.post("/check", {"code": "\x00" * 20}))
    assert "what_happened" not in answers_of(Draft.objects.get())
    # Without the NUL the same answer is taken.
    response = client.post("/report/what-happened", {"what_happened": "It happened"})
    assert response.status_code == 302
    assert answers_of(Draft.objects.get())["what_happened"] == "It happened"


def test_a_multipart_form_field_but_not_a_files_contents() -> None:
    client = client_in_wizard()
    note = SimpleUploadedFile("note.txt", b"Minutes of the meeting.", content_type="text/plain")
    refused_page(
        client.post("/report/evidence", {"upload": "1", "file": note, "keep_original": "\x00"})
    )
    assert answers_of(Draft.objects.get()).get("evidence", []) == []
    # Pictures are full of NUL bytes: a file's contents are the upload checks' business.
    picture = samples.png()
    assert b"\x00" in picture
    response = client.post(
        "/report/evidence", {"upload": "1", "file": SimpleUploadedFile("photo.png", picture)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert len(answers_of(Draft.objects.get())["evidence"]) == 1


@pytest.mark.parametrize(
    "field",
    [
        "what_happened",
        "respondent_id",
        "respondent_description",
        "when_period",
        "where",
        "witnesses",
        "impact",
        "outcome",
        "contact_name",
        "contact_phone",
    ],
)
def test_a_json_report_names_the_field(field: str) -> None:
    client = Client(raise_request_exception=False)
    body = {**API_REPORT, "identity": "named", "contact_name": "Sam", field: "ab\u0000cd"}
    response = client.post("/api/reports", body, content_type="application/json")
    assert response.status_code == 400, response.content.decode()[:500]
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["errors"][field] == "Null characters are not allowed."
    assert not Case.objects.exists()


def test_the_api_answers_json() -> None:
    client = Client(raise_request_exception=False)
    refused_json(client.get("/api/cases/RD%00"), "the path")
    refused_json(client.get("/api/reports/me?lang=%00"), "the query parameter 'lang'")
    refused_json(
        client.post("/api/reports?x=%00", API_REPORT, content_type="application/json"),
        "the query parameter 'x'",
    )
    # A form body is not JSON: the API refuses it before anything reads a field.
    form = client.post("/api/reports", {"category": "a\x00"})
    assert form.status_code == 400
    assert form["Content-Type"].startswith("application/json")
    assert not Case.objects.exists()
    # A NUL in a header the API reads is just a wrong receipt code.
    response = client.get("/api/reports/me", headers={"X-Receipt": "\x00" * 20})
    assert response.status_code == 401
