"""Long text is never cut without a word: no form carries a maxlength a browser would cut a paste
at, a text over the limit comes back whole with the message beside the field, and nothing
typed by a person is shortened before it is stored."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import time_machine
from django.test import Client

from redress.accounts.models import Role
from redress.cases import actions
from redress.cases.actions import CaseError
from redress.cases.models import CaseRecord, ConflictDeclaration, RecordKind
from redress.directory.importing import import_directory
from redress.directory.models import Party, Person
from redress.intake.models import Draft
from redress.vetting.actions import VettingError, run_check
from redress.vetting.models import VettingCheck
from tests.factories import make_staff, sign_in
from tests.intake.helpers import ANSWERS, fill_report, receipt_on
from tests.respond.conftest import START
from tests.respond.journey import open_link, reported

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "redress" / "templates"
MAXLENGTH = re.compile(r"\smaxlength\s*=", re.IGNORECASE)
# Pasted past the limit: the end is what a browser with maxlength would have dropped.
TOO_LONG = "I was told to keep quiet. " * 385 + "THE END OF MY ACCOUNT"


def field_error(page: str, field: str) -> str:
    error = rf'<p id="id_{field}-error" class="govuk-error-message">(.*?)</p>'
    match = re.search(error, page, re.S)
    assert match, f"no error beside {field}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def kept(page: str, field: str) -> str:
    match = re.search(rf'<textarea[^>]* name="{field}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, f"no textarea {field}"
    return html.unescape(match.group(1))


@pytest.mark.parametrize(
    ("slug", "field", "message"),
    [
        ("what-happened", "what_happened", "What happened must be 10,000 characters or fewer"),
        ("impact", "impact", "The impact must be 10,000 characters or fewer"),
        ("where", "where", "Where it happened must be 2,000 characters or fewer"),
    ],
)
def test_the_wizard_refuses_a_long_answer_beside_the_field_and_keeps_it(
    client: Client, slug: str, field: str, message: str
) -> None:
    assert len(TOO_LONG) > 10_000
    client.get("/report/start")
    response = client.post(f"/report/{slug}", {field: TOO_LONG})
    assert response.status_code == 400
    page = response.content.decode()
    assert field_error(page, field) == f"Error: {message}"
    assert f'<a href="#id_{field}">{message}</a>' in page  # the error summary
    assert kept(page, field) == TOO_LONG
    assert not MAXLENGTH.search(page)
    assert all(TOO_LONG not in str(d.answers) for d in Draft.objects.all())


def test_a_long_answer_shortened_by_its_writer_goes_through(client: Client) -> None:
    client.get("/report/start")
    client.post("/report/what-happened", {"what_happened": TOO_LONG})
    fitting = TOO_LONG[:10_000]
    response = client.post("/report/what-happened", {"what_happened": fitting})
    assert response.status_code == 302
    assert kept(client.get("/report/what-happened").content.decode(), "what_happened") == fitting


def test_a_staff_form_refuses_a_long_reason_beside_the_field_and_keeps_it(client: Client) -> None:
    caseworker = make_staff("ffion", Role.CASEWORKER)
    party = Party.objects.create(name="Harbour Alliance")
    sign_in(client, caseworker)
    response = client.post("/staff/conflicts", {"party": party.pk, "reason": TOO_LONG})
    assert response.status_code == 400
    page = response.content.decode()
    assert field_error(page, "reason") == "Error: The reason must be 500 characters or fewer"
    assert kept(page, "reason") == TOO_LONG
    assert not MAXLENGTH.search(page)
    assert not ConflictDeclaration.objects.exists()


def test_no_template_and_no_rendered_form_carries_a_maxlength(client: Client) -> None:
    for template in TEMPLATES.rglob("*.html"):
        assert not MAXLENGTH.search(template.read_text()), template
    client.get("/report/start")
    pages = [f"/report/{slug}" for slug in ANSWERS] + ["/report/check-code", "/report/lost-code"]
    vetting = make_staff("vera", Role.VETTING_OFFICER)
    for path in pages:
        page = client.get(path).content.decode()
        assert not MAXLENGTH.search(page), path
    sign_in(client, vetting)
    page = client.get("/staff/vetting/new").content.decode()
    assert "<textarea" in page
    assert not MAXLENGTH.search(page)


def test_actions_refuse_what_they_used_to_cut() -> None:
    officer = make_staff("vera", Role.VETTING_OFFICER, totp=False, password=None)
    person = Person.objects.create(identifier="M-1", name="Ada Ferncastle", kind="member")
    with pytest.raises(VettingError, match="500 characters or fewer"):
        run_check(subject=person, purpose="x" * 501, requesting_body="Whips", actor=officer)
    with pytest.raises(VettingError, match="200 characters or fewer"):
        run_check(subject=person, purpose="Promotion", requesting_body="x" * 201, actor=officer)
    assert not VettingCheck.objects.exists()
    caseworker = make_staff("ffion", Role.CASEWORKER, totp=False, password=None)
    with pytest.raises(CaseError, match="500 characters or fewer"):
        actions.declare_conflict(caseworker, reason="x" * 501, person=person)
    csv = "identifier,name,roles,party,office,constituency,line manager\n"
    outcome = import_directory(
        (csv + f"S-1,Bryn Oakes,staff; {'x' * 201},,,,\n").encode(), actor="system:test"
    )
    assert [str(p) for p in outcome.problems] == [
        "line 2, roles: its title is longer than 200 characters"
    ]


def test_in_welsh_the_limit_and_the_refusal_are_in_welsh(client: Client) -> None:
    client.get("/language/cy?next=/")
    client.get("/report/start")
    assert "Gallwch roi hyd at 10,000 nod" in client.get("/report/what-happened").content.decode()
    page = client.post("/report/what-happened", {"what_happened": TOO_LONG}).content.decode()
    assert "10,000 nod neu lai" in field_error(page, "what_happened")
    assert kept(page, "what_happened") == TOO_LONG


def test_a_long_message_to_the_caseworker_comes_back_whole(client: Client) -> None:
    fill_report(client)
    client.post("/report/submit")
    code = receipt_on(client.get("/report/sent").content.decode())
    follow = Client()
    assert follow.post("/check", {"code": code}).status_code == 302
    response = follow.post("/check/report", {"send": "1", "body": TOO_LONG})
    assert response.status_code == 400
    page = response.content.decode()
    assert field_error(page, "body") == "Error: Your message must be 10,000 characters or fewer"
    assert kept(page, "body") == TOO_LONG
    assert not MAXLENGTH.search(page)


def test_a_respondents_long_answer_comes_back_whole() -> None:
    with time_machine.travel(START, tick=False):
        journey = reported()
        journey.to_investigation()
        journey.write_allegations()
        respondent = open_link(journey.notify())
        response = respondent.post("/respond/", {"act": "answer", "body": TOO_LONG * 2})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Your answer must be 20,000 characters or fewer" in page
    assert TOO_LONG * 2 in html.unescape(page)
    assert not MAXLENGTH.search(page)
    assert not CaseRecord.objects.filter(kind=RecordKind.RESPONSE).exists()
