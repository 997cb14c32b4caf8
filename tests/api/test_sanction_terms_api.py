"""A sanction's terms through the API: a decision-maker's system records a suspension with its
start and length and reads them back; terms that do not fit the sanction are refused in words
with nothing stored; a vetting system reads the terms, and their words, on the register."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from redress.accounts import tokens
from redress.accounts.models import Role, Scope, User
from redress.cases import actions
from redress.cases.models import AssignmentRole, Case, Source, Stage
from redress.directory.models import Person
from redress.ledger.models import Entry
from redress.register.models import RegisterEntry
from tests.cases.helpers import new_case, team
from tests.factories import make_staff
from tests.register.helpers import make_member

pytestmark = pytest.mark.django_db

DECIDED = dt.datetime(2027, 1, 4, 10, 0, tzinfo=dt.UTC)
SUSPENSION = {
    "to": "decision",
    "reasons": "Proved on the evidence.",
    "decision": "upheld",
    "sanction": "suspension",
    "starts_on": "2027-01-04",
    "months": 3,
    "conditions": "No access to the members' gym.",
}


def _at_findings(member: Person) -> tuple[Case, dict[AssignmentRole, User]]:
    people = team()
    with time_machine.travel(DECIDED - dt.timedelta(days=60)):
        case = new_case(people, respondent=member)
        for stage, role in [
            (Stage.ACKNOWLEDGED, AssignmentRole.CASEWORKER),
            (Stage.ASSESSED, AssignmentRole.CASEWORKER),
            (Stage.INVESTIGATION, AssignmentRole.CASEWORKER),
            (Stage.FINDINGS, AssignmentRole.INVESTIGATOR),
        ]:
            case = actions.transition(case, stage, actor=people[role], reasons="Next.")
    return case, people


@pytest.fixture
def at_findings() -> tuple[Case, dict[str, str]]:
    case, people = _at_findings(make_member())
    secret = tokens.issue(
        name="cms",
        scopes=[Scope.CASES_READ, Scope.CASES_WRITE],
        actor=people[AssignmentRole.DECISION_MAKER],
    ).secret
    return case, {"Authorization": f"Bearer {secret}"}


def _decide(client: Client, case: Case, auth: dict[str, str], body: dict[str, Any]) -> Any:
    with time_machine.travel(DECIDED):
        return client.post(
            f"/api/cases/{case.reference}/transitions",
            body,
            content_type="application/json",
            headers=auth,
        )


def test_a_suspension_with_its_terms_is_recorded_and_read_back(
    client: Client, at_findings: tuple[Case, dict[str, str]]
) -> None:
    case, auth = at_findings
    moved = _decide(client, case, auth, SUSPENSION)
    assert moved.status_code == 200, moved.json()
    assert moved.json()["decided"] == {
        "decision": "upheld",
        "sanction": "suspension",
        "sanction_starts_on": "2027-01-04",
        "sanction_months": 3,
        "sanction_ends_on": "2027-04-03",
        "sanction_conditions": "No access to the members' gym.",
    }
    entry = RegisterEntry.objects.get(case_reference=case.reference)
    assert (entry.sanction, entry.sanction_starts_on, entry.sanction_ends_on) == (
        "suspension",
        dt.date(2027, 1, 4),
        dt.date(2027, 4, 3),
    )
    assert entry.sanction_conditions == "No access to the members' gym."
    # Reading the sealed conditions back is a read of the case's content, and ledgered so.
    assert Entry.objects.filter(action="case.viewed", actor__contains="via token").exists()


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"starts_on": None, "months": None}, "how many months it lasts"),
        ({"months": 0}, "between 1 and 120 months"),
        ({"starts_on": "2025-01-04"}, "before the complaint was received"),
        ({"conditions": "x" * 501}, "500 characters or fewer"),
        ({"sanction": "apology"}, "has no start date"),
    ],
)
def test_terms_that_do_not_fit_are_refused_in_words_and_nothing_is_stored(
    client: Client,
    at_findings: tuple[Case, dict[str, str]],
    change: dict[str, Any],
    refusal: str,
) -> None:
    case, auth = at_findings
    refused = _decide(client, case, auth, {**SUSPENSION, **change})
    assert refused.status_code == 409
    assert refused["Content-Type"].startswith("application/json")
    assert refusal in refused.json()["detail"]
    case.refresh_from_db()
    assert (case.stage, case.decision, case.sanction) == (Stage.FINDINGS, "", "")
    assert case.sanction_starts_on is None
    assert case.sanction_months is None
    assert not RegisterEntry.objects.filter(case_reference=case.reference).exists()


def test_terms_of_the_wrong_type_name_the_field(
    client: Client, at_findings: tuple[Case, dict[str, str]]
) -> None:
    case, auth = at_findings
    bad = _decide(client, case, auth, {**SUSPENSION, "starts_on": "4 January"})
    assert bad.status_code == 422
    assert bad.json()["errors"] == {"starts_on": "Give a real date, as YYYY-MM-DD."}
    case.refresh_from_db()
    assert case.stage == Stage.FINDINGS


def test_the_terms_are_shown_only_to_those_who_may_read_the_case(
    client: Client, at_findings: tuple[Case, dict[str, str]]
) -> None:
    case, auth = at_findings
    _decide(client, case, auth, SUSPENSION)
    read = client.get(f"/api/cases/{case.reference}", headers=auth).json()
    assert read["decided"]["sanction_ends_on"] == "2027-04-03"
    # A caseworker with no assignment on the case does not see it at all.
    stranger = make_staff("elsewhere", Role.CASEWORKER, totp=False, password=None)
    theirs = tokens.issue(name="x", scopes=[Scope.CASES_READ], actor=stranger).secret
    other = client.get(
        f"/api/cases/{case.reference}", headers={"Authorization": f"Bearer {theirs}"}
    )
    assert other.status_code == 404
    assert "gym" not in other.content.decode()


def test_the_vetting_api_gives_the_terms_and_their_words(
    client: Client, at_findings: tuple[Case, dict[str, str]]
) -> None:
    case, auth = at_findings
    _decide(client, case, auth, SUSPENSION)
    admin = make_staff("admin", Role.ADMINISTRATOR, totp=False, password=None)
    vetting = tokens.issue(name="appointments", scopes=[Scope.VETTING], actor=admin).secret
    ask = {"subject": "M-42", "purpose": "Board seat", "requesting_body": "Arts Council"}
    with time_machine.travel(DECIDED + dt.timedelta(days=40)):
        made = client.post(
            "/api/vetting-checks",
            ask,
            content_type="application/json",
            headers={"Authorization": f"Bearer {vetting}"},
        )
        assert made.status_code == 201, made.json()
        finding = made.json()["findings"][0]
        assert finding["sanction_starts_on"] == "2027-01-04"
        assert finding["sanction_months"] == 3
        assert finding["sanction_ends_on"] == "2027-04-03"
        assert finding["sanction_conditions"] == "No access to the members' gym."
        assert (
            "Suspension for 3 months, from 4 January 2027 to 3 April 2027. "
            "Conditions: No access to the members' gym."
        ) in finding["words"]
        welsh = client.get(
            f"/api/vetting-checks/{made.json()['id']}",
            headers={"Authorization": f"Bearer {vetting}", "Accept-Language": "cy"},
        ).json()["findings"][0]
        assert any("4 Ionawr 2027" in sentence for sentence in welsh["words"])


@pytest.fixture
def under_appeal(client: Client, at_findings: tuple[Case, dict[str, str]]) -> tuple[Case, Any]:
    """The suspension decided through the API, appealed by the respondent, and the appeals
    panel's system holding a token."""
    case, auth = at_findings
    _decide(client, case, auth, SUSPENSION)
    case.refresh_from_db()
    maker = case.assignments.get(role=AssignmentRole.DECISION_MAKER).user
    with time_machine.travel(DECIDED + dt.timedelta(days=1)):
        actions.transition(case, Stage.APPEAL_WINDOW, actor=maker, reasons="Told both.")
        actions.lodge_appeal(case, "Three months is too long.", by=Source.RESPONDENT)
    panel = make_staff("panel-api", Role.APPEALS_PANEL, totp=False, password=None)
    actions.assign(case, panel, AssignmentRole.APPEALS_PANEL, actor="system:test")
    secret = tokens.issue(
        name="panel", scopes=[Scope.CASES_READ, Scope.CASES_WRITE], actor=panel
    ).secret
    return case, {"Authorization": f"Bearer {secret}"}


def _appeal(client: Client, case: Case, auth: dict[str, str], body: dict[str, Any]) -> Any:
    with time_machine.travel(DECIDED + dt.timedelta(days=10)):
        return client.post(
            f"/api/cases/{case.reference}/appeal-decision",
            body,
            content_type="application/json",
            headers=auth,
        )


ALLOWED = {
    "outcome": "allowed",
    "reasons": "One month is proportionate.",
    "decision": "upheld",
    "sanction": "suspension",
    "starts_on": "2027-01-04",
    "months": 1,
    "conditions": "No access to the members' gym.",
}


def test_an_appeal_allowed_with_new_terms_changes_the_register(
    client: Client, under_appeal: tuple[Case, dict[str, str]]
) -> None:
    case, auth = under_appeal
    decided = _appeal(client, case, auth, ALLOWED)
    assert decided.status_code == 200, decided.json()
    entry = RegisterEntry.objects.get(case_reference=case.reference)
    assert (entry.sanction_months, entry.sanction_ends_on) == (1, dt.date(2027, 2, 3))
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"months": 3}, "must change the decision, the sanction or its terms"),
        ({"months": None}, "how many months it lasts"),
        ({"conditions": "x" * 501}, "500 characters or fewer"),
    ],
)
def test_an_appeal_with_terms_that_do_not_fit_is_refused_and_nothing_changes(
    client: Client,
    under_appeal: tuple[Case, dict[str, str]],
    change: dict[str, Any],
    refusal: str,
) -> None:
    case, auth = under_appeal
    refused = _appeal(client, case, auth, {**ALLOWED, **change})
    assert refused.status_code == 409
    assert refusal in refused.json()["detail"]
    case.refresh_from_db()
    assert (case.stage, case.sanction_months) == (Stage.APPEAL, 3)
    assert RegisterEntry.objects.get(case_reference=case.reference).sanction_months == 3
