"""The decision page (issue 19): the decision asked one thing a page, checked, then recorded;
a refused answer comes back with what was typed; the page is offered only to whoever may make
the deciding move, and an appeal's outcome only to the appeals panel."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.test import Client

from redress.accounts.models import Role, User
from redress.cases import actions
from redress.cases.models import AssignmentRole, Case, Decision, Sanction, Source, Stage
from redress.cases.sanctions import Terms
from redress.directory.models import Person
from redress.register.models import RegisterEntry
from tests.factories import make_staff, sign_in
from tests.register.helpers import make_member

pytestmark = pytest.mark.django_db
_names = itertools.count()

TODAY = dt.datetime(2027, 1, 4, 10, 0, tzinfo=dt.UTC)
ROLES = {
    AssignmentRole.CASEWORKER: Role.CASEWORKER,
    AssignmentRole.INVESTIGATOR: Role.INVESTIGATOR,
    AssignmentRole.DECISION_MAKER: Role.DECISION_MAKER,
    AssignmentRole.APPEALS_PANEL: Role.APPEALS_PANEL,
}


@pytest.fixture(autouse=True)
def today():  # type: ignore[no-untyped-def]
    with time_machine.travel(TODAY):
        yield


def case_at(
    stage: Stage, respondent: Person | None = None
) -> tuple[Case, dict[AssignmentRole, User]]:
    people = {role: make_staff(f"{role}-{next(_names)}", grant) for role, grant in ROLES.items()}
    case = actions.receive(
        category="harassment",
        identity="named",
        narrative="It happened.",
        respondent=respondent or make_member(),
    )
    for role, person in people.items():
        actions.assign(case, person, role, actor="system:test")
    road = [
        (Stage.ACKNOWLEDGED, AssignmentRole.CASEWORKER),
        (Stage.ASSESSED, AssignmentRole.CASEWORKER),
        (Stage.INVESTIGATION, AssignmentRole.CASEWORKER),
        (Stage.FINDINGS, AssignmentRole.INVESTIGATOR),
    ]
    for to, role in road:
        if case.stage == stage:
            break
        case = actions.transition(case, to, actor=people[role], reasons="Next.")
    return case, people


def signed_in(user: User) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def page(client: Client, url: str, **data: str) -> str:
    response = client.post(url, data) if data else client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_an_upheld_decision_is_asked_page_by_page_checked_and_recorded() -> None:
    case, people = case_at(Stage.FINDINGS)
    client = signed_in(people[AssignmentRole.DECISION_MAKER])
    url = f"/staff/cases/{case.reference}/decision"
    first = page(client, url)
    assert "What is the decision?" in first
    assert "Partly upheld" in first
    assert "Not taken forward" not in first  # not a decision this move can record
    steps = [
        ({"question": "decision", "decision": "upheld"}, "reasons"),
        ({"question": "reasons", "reasons": "The account was consistent."}, "sanction"),
        ({"question": "sanction", "sanction": "suspension"}, "terms"),
        (
            {
                "question": "terms",
                "start_day": "4",
                "start_month": "1",
                "start_year": "2027",
                "months": "3",
                "conditions": "No access to the members' gym.",
            },
            "check",
        ),
    ]
    for data, following in steps:
        response = client.post(url, data)
        assert response.status_code == 302
        assert response["Location"] == f"{url}?question={following}"
    terms = page(client, f"{url}?question=terms")  # as the change link shows them again
    assert "Give the date it starts and how many months it lasts." in terms
    assert 'value="2027"' in terms
    check = page(client, f"{url}?question=check")
    for shown in ("Upheld", "Suspension", "4 January 2027", "3 April 2027", "members"):
        assert shown in check
    assert f"{url}?question=terms" in check  # a change link back to the terms
    assert Case.objects.get(pk=case.pk).stage == Stage.FINDINGS  # nothing stored yet
    response = client.post(url, {"question": "check"})
    assert response.status_code == 302
    assert response["Location"] == f"/staff/cases/{case.reference}"
    decided = Case.objects.get(pk=case.pk)
    assert (decided.stage, decided.decision, decided.sanction) == (
        Stage.DECISION,
        Decision.UPHELD,
        Sanction.SUSPENSION,
    )
    assert decided.sanction_ends_on == dt.date(2027, 4, 3)
    assert RegisterEntry.objects.get().sanction_months == 3
    assert "The decision is recorded." in client.get(response["Location"]).content.decode()


def test_a_refused_answer_comes_back_with_what_was_typed_and_nothing_is_stored() -> None:
    case, people = case_at(Stage.FINDINGS)
    client = signed_in(people[AssignmentRole.DECISION_MAKER])
    url = f"/staff/cases/{case.reference}/decision"
    client.post(url, {"question": "decision", "decision": "upheld"})
    client.post(url, {"question": "reasons", "reasons": "Proved."})
    client.post(url, {"question": "sanction", "sanction": "suspension"})
    typed = {"question": "terms", "start_day": "31", "start_month": "2", "start_year": "2027"}
    response = client.post(url, {**typed, "months": "3"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "The start date must be a real date" in body
    assert 'value="31"' in body
    response = client.post(url, {**typed, "start_day": "4", "conditions": "Kept words."})
    assert response.status_code == 400
    body = response.content.decode()
    assert "how many months it lasts" in body
    assert "Kept words." in body
    assert 'href="#start_day"' in body or 'href="#id_start_day"' in body
    assert Case.objects.get(pk=case.pk).stage == Stage.FINDINGS
    assert not RegisterEntry.objects.exists()


def test_the_answers_so_far_are_sealed_in_the_session() -> None:
    case, people = case_at(Stage.FINDINGS)
    client = signed_in(people[AssignmentRole.DECISION_MAKER])
    url = f"/staff/cases/{case.reference}/decision"
    client.post(url, {"question": "reasons", "reasons": "The stairwell camera showed it."})
    stored = str(dict(client.session.items()))
    assert "stairwell" not in stored
    assert "stairwell" in page(client, f"{url}?question=reasons")


def test_only_whoever_may_make_the_deciding_move_is_offered_the_page() -> None:
    case, people = case_at(Stage.FINDINGS)
    url = f"/staff/cases/{case.reference}/decision"
    for role in (AssignmentRole.INVESTIGATOR, AssignmentRole.CASEWORKER):
        assert signed_in(people[role]).get(url).status_code == 403
    outsider = make_staff("another-decision-maker", Role.DECISION_MAKER)
    assert signed_in(outsider).get(url).status_code == 403
    # At assessment the caseworker may decide not to take it forward: the one decision that
    # fits is not asked, the reasons come first.
    assessed, team = case_at(Stage.ASSESSED, respondent=case.respondent)
    body = page(
        signed_in(team[AssignmentRole.CASEWORKER]), f"/staff/cases/{assessed.reference}/decision"
    )
    assert "Reasons for the decision" in body


def test_the_appeals_panel_varies_the_sanction_and_the_register_follows() -> None:
    case, people = case_at(Stage.FINDINGS)
    maker = people[AssignmentRole.DECISION_MAKER]
    case = actions.transition(
        case,
        Stage.DECISION,
        actor=maker,
        reasons="Proved.",
        decision=Decision.UPHELD,
        sanction=Sanction.SUSPENSION,
        terms=Terms(starts_on=dt.date(2027, 1, 4), months=3),
    )
    case = actions.transition(case, Stage.APPEAL_WINDOW, actor=maker, reasons="Told.")
    actions.lodge_appeal(case, "Too long.", by=Source.RESPONDENT)
    url = f"/staff/cases/{case.reference}/appeal"
    assert signed_in(maker).get(url).status_code == 403
    client = signed_in(people[AssignmentRole.APPEALS_PANEL])
    assert "What is the appeal&#x27;s outcome?" in page(client, url)
    for data in (
        {"question": "outcome", "outcome": "allowed"},
        {"question": "reasons", "reasons": "One month is enough."},
        {"question": "decision", "decision": "upheld"},
        {"question": "sanction", "sanction": "suspension"},
        {
            "question": "terms",
            "start_day": "4",
            "start_month": "1",
            "start_year": "2027",
            "months": "1",
        },
    ):
        assert client.post(url, data).status_code == 302
    assert "3 February 2027" in page(client, f"{url}?question=check")
    assert client.post(url, {"question": "check"}).status_code == 302
    entry = RegisterEntry.objects.get()
    assert (entry.withdrawn_at, entry.sanction_months) == (None, 1)
    assert Case.objects.get(pk=case.pk).stage == Stage.CLOSED
    assert client.get(url).status_code == 403  # decided: nothing more to decide


def test_a_refused_decision_comes_back_on_the_check_page_with_the_answers_kept() -> None:
    case, people = case_at(Stage.FINDINGS)
    client = signed_in(people[AssignmentRole.DECISION_MAKER])
    url = f"/staff/cases/{case.reference}/decision"
    client.post(url, {"question": "decision", "decision": "not_upheld"})
    client.post(url, {"question": "reasons", "reasons": "Not enough to go on."})
    actions.put_on_hold(case, actor=people[AssignmentRole.CASEWORKER], reason="Police inquiry.")
    response = client.post(url, {"question": "check"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "The case is on hold." in body
    assert "Not enough to go on." in body
    assert Case.objects.get(pk=case.pk).decision == ""


def test_a_changed_decision_asks_again_what_hangs_on_it() -> None:
    case, people = case_at(Stage.FINDINGS)
    client = signed_in(people[AssignmentRole.DECISION_MAKER])
    url = f"/staff/cases/{case.reference}/decision"
    client.post(url, {"question": "decision", "decision": "not_upheld"})
    client.post(url, {"question": "reasons", "reasons": "Some of it happened."})
    response = client.post(url, {"question": "decision", "decision": "partly_upheld"})
    assert response["Location"] == f"{url}?question=sanction"  # the reasons are kept
    client.post(url, {"question": "sanction", "sanction": "apology"})
    response = client.post(url, {"question": "terms", "conditions": "In writing."})
    assert response["Location"] == f"{url}?question=check"
    client.post(url, {"question": "decision", "decision": "not_upheld"})
    check = page(client, f"{url}?question=check")
    assert "Apology" not in check
    assert "In writing." not in check
    assert client.post(url, {"question": "check"}).status_code == 302
    decided = Case.objects.get(pk=case.pk)
    assert (decided.decision, decided.sanction) == (Decision.NOT_UPHELD, "")
