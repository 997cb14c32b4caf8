"""What the case overview says about the parts other work adds to a case: a confidential
complainant's sealed identity (never shown, only asked for), a report taken by staff and whether
the reporter has agreed it, the support asked for, the sanction's terms in words, and every
ledger entry about the case in words on its history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from redress.accounts.models import Role
from redress.cases import actions
from redress.cases.models import AssignmentRole, Case, Decision, Sanction, Stage
from redress.cases.sanctions import Terms
from redress.helpline import actions as helpline
from redress.helpline.models import OfferedAt, Party, SupportRequest
from redress.ledger.events import Action
from redress.staff.cases import TIMELINE_WORDS
from tests.disclosure.helpers import setting, signed_in
from tests.factories import make_staff, sign_in
from tests.intake.test_taken_reports import _take
from tests.respond.journey import EMAIL, NAME, PHONE

pytestmark = pytest.mark.django_db


def _overview(client: object, reference: str) -> str:
    response = client.get(reverse("staff:case", args=[reference]))  # type: ignore[attr-defined]
    assert response.status_code == 200
    return str(response.content.decode())


def test_a_confidential_complainants_identity_is_sealed_on_the_overview() -> None:
    s = setting()
    page = _overview(signed_in(s.caseworker), s.journey.case.reference)
    for identifier in (NAME, EMAIL, PHONE):
        assert identifier not in page
    assert "Their identity is sealed" in page
    assert reverse("staff:case-identity", args=[s.journey.case.reference]) in page


def test_support_asked_for_shows_where_it_stands() -> None:
    s = setting()
    case = s.journey.case
    if not SupportRequest.objects.filter(case=case, party=Party.COMPLAINANT).exists():
        helpline.ask_for_support(case, Party.COMPLAINANT, OfferedAt.ACKNOWLEDGEMENT, "")
    page = _overview(signed_in(s.caseworker), case.reference)
    assert 'id="case-support"' in page
    assert "The complainant asked for support" in page


def test_the_decision_says_the_sanction_and_its_terms_in_words() -> None:
    s = setting()
    case, maker = s.journey.case, s.maker
    for stage in (Stage.ACKNOWLEDGED, Stage.ASSESSED, Stage.INVESTIGATION):
        actions.transition(case, stage, actor=s.caseworker, reasons="On.")
    investigator = s.journey.people[next(r for r in s.journey.people if r == "investigator")]
    actions.transition(case, Stage.FINDINGS, actor=investigator, reasons="Found.")
    actions.transition(
        case,
        Stage.DECISION,
        actor=maker,
        reasons="The account is consistent and supported.",
        decision=Decision.UPHELD,
        sanction=Sanction.SUSPENSION,
        terms=Terms(starts_on=dt.date(2027, 1, 4), months=3, conditions=""),
    )
    page = _overview(signed_in(s.caseworker), case.reference)
    assert "Suspension for 3 months, from 4 January 2027 to 3 April 2027." in page
    assert "suspension" not in page.replace("Suspension", "")


def test_every_entry_about_a_case_has_words_on_its_history() -> None:
    about_cases = ("case.", "report.", "disclosure.", "helpline.", "subjectaccess.case_read")
    unworded = [
        action.value
        for action in Action
        if action.value.startswith(about_cases)
        and not action.value.startswith("case.record_added.")
        and action.value not in TIMELINE_WORDS
    ]
    assert unworded == []


def test_a_report_taken_by_staff_says_so_until_the_reporter_agrees_it() -> None:
    adviser_browser = Client()
    adviser = make_staff("ada", Role.SUPPORT_ADVISER)
    sign_in(adviser_browser, adviser)
    assert _take(adviser_browser).status_code == 200
    case = Case.objects.get()
    caseworker = make_staff("cal", Role.CASEWORKER)
    actions.assign(case, caseworker, AssignmentRole.CASEWORKER, actor="system:test")
    page = _overview(signed_in(caseworker), case.reference)
    assert 'id="case-taken"' in page
    assert "Awaiting the reporter" in page
