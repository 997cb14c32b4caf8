"""A support adviser takes a report given by phone or in person (EU Directive 2019/1937,
Art. 18(2)-(4)): one case, made by the path every report takes, marked as taken by whom and
how, ledgered; the receipt code read out once or emailed, never kept in clear."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from redress.accounts.models import Role
from redress.cases.models import Case
from redress.directory.models import Person, PersonKind
from redress.intake import receipts, taken
from redress.intake.models import Receipt, TakenReport, TakenState
from redress.ledger.models import Entry
from tests.factories import make_staff, sign_in
from tests.intake.helpers import receipt_on

pytestmark = pytest.mark.django_db

REPORT: dict[str, Any] = {
    "how": "phone",
    "what_happened": "He said my job depended on keeping quiet <b>really</b>.",
    "category": "harassment",
    "respondent_id": "not-listed",
    "respondent_description": "A senior member",
    "when_kind": "period",
    "when_period": "From January to March",
    "where": "The committee corridor",
    "support": "yes",
    "identity": "anonymous",
    "receipt": "read_out",
    "receipt_email": "",
}


@pytest.fixture
def adviser(client: Client) -> Client:
    sign_in(client, make_staff("ada", Role.SUPPORT_ADVISER))
    return client


def _take(client: Client, **changes: Any) -> Any:
    page = client.get("/staff/reports/new").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token
    return client.post("/staff/reports/new", {**REPORT, "token": token.group(1), **changes})


def test_an_adviser_takes_a_phone_report_once_marked_as_taken_and_ledgered(
    adviser: Client,
) -> None:
    home = adviser.get("/staff/").content.decode()
    assert 'href="/staff/reports/new"' in home
    response = _take(adviser)
    assert response.status_code == 200, response.content.decode()[:3000]
    page = response.content.decode()
    code = receipt_on(page)
    case = Case.objects.get()
    assert case.reference in page
    assert case.narrative == REPORT["what_happened"]
    record = TakenReport.objects.get(case=case)
    assert record.taken_by.username == "ada"
    assert record.how == "phone"
    assert record.state == TakenState.AWAITING
    actions = list(
        Entry.objects.filter(object=f"case:{case.reference}").values_list("actor", "action")
    )
    ada = f"user:{record.taken_by.pk}"
    assert actions == [
        (ada, "case.received"),
        (ada, "helpline.support_requested"),  # the reporter said yes to support
        (ada, "report.taken_by_phone"),
        (ada, "report.receipt_read_out"),
    ]
    status = taken.status_for(case)
    assert status is not None
    assert status.awaiting
    assert status.words == "Awaiting the reporter's confirmation"
    assert status.taken_by == "ada"
    assert status.how == "By phone"
    # The code is kept only as its keyed digest, and the page that showed it cannot again.
    receipt = Receipt.objects.get(case=case)
    assert bytes(receipt.digest) == receipts.digest(receipts.normalise(code) or "")
    assert "no-store" in response.headers["Cache-Control"]
    again = adviser.post("/staff/reports/new", {**REPORT, "token": "old"})
    assert again.status_code == 409
    assert code not in again.content.decode()
    assert case.reference in again.content.decode()
    assert Case.objects.count() == 1


def test_a_second_send_of_the_same_form_makes_no_second_case(adviser: Client) -> None:
    page = adviser.get("/staff/reports/new").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token
    first = adviser.post("/staff/reports/new", {**REPORT, "token": token.group(1)})
    second = adviser.post("/staff/reports/new", {**REPORT, "token": token.group(1)})
    assert (first.status_code, second.status_code) == (200, 409)
    assert Case.objects.count() == 1


def test_a_report_in_person_with_the_code_emailed_carries_nothing_of_it(
    adviser: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _take(
            adviser,
            how="in_person",
            identity="named",
            contact_name="Sam Example",
            contact_phone="01632 960 001",
            receipt="email",
            receipt_email="sam@example.org",
        )
    page = response.content.decode()
    assert response.status_code == 200, page[:3000]
    assert 'id="receipt-code"' not in page
    case = Case.objects.get()
    assert TakenReport.objects.get(case=case).how == "in_person"
    assert "report.receipt_emailed" in Entry.objects.values_list("action", flat=True)
    [email] = mail.outbox
    assert email.to == ["sam@example.org"]
    found = re.search(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){4}", email.body)
    assert found
    assert actions_open(found.group(0)) == case
    for secret in ("keeping quiet", "senior member", "committee", "Sam Example", "harassment"):
        assert secret not in email.body
        assert secret not in email.subject


def actions_open(code: str) -> Case | None:
    from redress.intake import actions

    return actions.find_case(code)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"what_happened": ""}, "what_happened", "Tell us what happened"),
        ({"how": ""}, "how", "Select how the report was given"),
        ({"receipt": "email"}, "receipt_email", "Enter the email address for the receipt code"),
        ({"identity": "named"}, "contact_name", "Enter your name"),
        (
            {"when_kind": "date", "when_day": "31", "when_month": "2", "when_year": "2026"},
            "when_day",
            "The date must be a real date",
        ),
        ({"what_happened": "x" * 10_001}, "what_happened", "10,000 characters or fewer"),
    ],
)
def test_bad_input_keeps_what_was_typed_and_stores_nothing(
    adviser: Client, changes: dict[str, str], field: str, message: str
) -> None:
    response = _take(adviser, **changes)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert f'href="#id_{field}' in page  # the error summary leads to the field
    assert "The committee corridor" in page
    assert "From January to March" in page
    assert Case.objects.count() == 0
    assert TakenReport.objects.count() == 0
    assert not Entry.objects.filter(action__startswith="report.").exists()


def test_the_directory_search_keeps_what_was_typed(adviser: Client) -> None:
    Person.objects.create(
        identifier="p-1", name="Alex Member", kind=PersonKind.MEMBER, role_title="Whip"
    )
    page = adviser.get("/staff/reports/new").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token
    found = adviser.post(
        "/staff/reports/new", {**REPORT, "token": token.group(1), "q": "whip", "search": "1"}
    )
    body = found.content.decode()
    assert found.status_code == 200
    assert "Alex Member" in body
    assert "From January to March" in body
    assert "&lt;b&gt;really&lt;/b&gt;" in body
    made = adviser.post(
        "/staff/reports/new",
        {**REPORT, "token": token.group(1), "respondent_id": "p-1", "respondent_description": ""},
    )
    assert made.status_code == 200
    assert Case.objects.get().respondent == Person.objects.get(identifier="p-1")


@pytest.mark.parametrize("role", [Role.SUPPORT_ADVISER, Role.CASEWORKER])
def test_advisers_and_caseworkers_may_take_reports(client: Client, role: Role) -> None:
    sign_in(client, make_staff("someone", role))
    assert client.get("/staff/reports/new").status_code == 200


def test_others_may_not(client: Client) -> None:
    sign_in(client, make_staff("ola", Role.OVERSIGHT))
    assert client.get("/staff/reports/new").status_code == 403
    assert 'href="/staff/reports/new"' not in client.get("/staff/").content.decode()
