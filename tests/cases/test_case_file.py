"""The case file: records with their writers, interim measures and their reviews, risk
exceptions approved by the decision-maker, messages that count as the complainant's update."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from redress.cases import actions
from redress.cases.actions import CaseError
from redress.cases.models import (
    AssignmentRole,
    Deadline,
    DeadlineKind,
    MeasureKind,
    RecordKind,
    Stage,
)
from redress.ledger.models import Entry
from tests.cases.helpers import new_case, team

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


def _to_investigation(people, case):  # type: ignore[no-untyped-def]
    caseworker = people[AssignmentRole.CASEWORKER]
    for stage in (Stage.ACKNOWLEDGED, Stage.ASSESSED, Stage.INVESTIGATION):
        case = actions.transition(case, stage, actor=caseworker, reasons="Next.")
    return case


def test_each_record_has_its_writers_and_is_sealed() -> None:
    people = team()
    case = _to_investigation(people, new_case(people))
    with pytest.raises(CaseError, match="investigator"):
        actions.add_record(
            case, RecordKind.FINDINGS, "Found.", actor=people[AssignmentRole.CASEWORKER]
        )
    with pytest.raises(CaseError, match="kind of record"):
        actions.add_record(
            case, RecordKind.RESPONSE, "Not mine.", actor=people[AssignmentRole.CASEWORKER]
        )
    note = actions.add_record(
        case,
        RecordKind.INTERVIEW,
        "The witness saw the meeting.",
        actor=people[AssignmentRole.INVESTIGATOR],
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM cases_caserecord WHERE id = %s", [note.pk])
        (stored,) = cursor.fetchone()
    assert b"witness" not in bytes(stored if not isinstance(stored, str) else stored.encode())
    assert Entry.objects.filter(action="case.record_added.interview").count() == 1


def test_a_message_to_the_complainant_is_the_regular_update() -> None:
    with time_machine.travel(START, tick=False) as clock:
        people = team()
        case = new_case(people)
        caseworker = people[AssignmentRole.CASEWORKER]
        case = actions.transition(case, Stage.ACKNOWLEDGED, actor=caseworker, reasons="Read.")
        first = Deadline.objects.get(case=case, kind=DeadlineKind.FEEDBACK)
        clock.shift(dt.timedelta(days=10))
        actions.send_message_to_complainant(case, "We are assessing your report.", actor=caseworker)
        first.refresh_from_db()
        assert first.met_at is not None
        following = Deadline.objects.get(case=case, kind=DeadlineKind.FEEDBACK, met_at__isnull=True)
        assert following.due_on > first.due_on


def test_interim_measures_are_reviewed_until_they_end() -> None:
    with time_machine.travel(START, tick=False) as clock:
        people = team()
        case = new_case(people)
        caseworker = people[AssignmentRole.CASEWORKER]
        measure = actions.record_measure(
            case, MeasureKind.NO_CONTACT, "No contact outside meetings.", actor=caseworker
        )
        subject = f"measure:{measure.pk}"
        review = Deadline.objects.get(kind=DeadlineKind.INTERIM_REVIEW, subject=subject)
        assert review.due_on == dt.date(2026, 12, 7)
        clock.shift(dt.timedelta(days=9))
        actions.review_measure(measure, actor=caseworker, notes="Still needed.")
        assert Deadline.objects.filter(
            subject=subject, met_at__isnull=True
        ).get().due_on == dt.date(2026, 12, 16)
        actions.review_measure(measure, actor=caseworker, notes="No longer needed.", end=True)
        measure.refresh_from_db()
        assert measure.ended_on == dt.date(2026, 12, 2)
        assert not Deadline.objects.filter(subject=subject, met_at__isnull=True).exists()
        with pytest.raises(CaseError, match="ended"):
            actions.review_measure(measure, actor=caseworker, notes="Again.")


def test_the_whip_withdrawn_is_recorded_as_a_fact() -> None:
    people = team()
    case = new_case(people)
    measure = actions.record_measure(
        case,
        MeasureKind.WHIP_WITHDRAWN,
        "The party withdrew the whip on 20 November.",
        actor=people[AssignmentRole.INVESTIGATOR],
    )
    assert measure.get_kind_display().startswith("Whip withdrawn")


def test_a_risk_exception_needs_the_decision_maker_and_pauses_notification() -> None:
    from redress.directory.models import Person, PersonKind

    with time_machine.travel(START, tick=False) as clock:
        people = team()
        respondent = Person.objects.create(
            identifier="P-1", name="Sam Member", kind=PersonKind.MEMBER, email="sam@example.org"
        )
        case = _to_investigation(people, new_case(people, respondent=respondent))
        notify = Deadline.objects.get(case=case, kind=DeadlineKind.NOTIFY_RESPONDENT)
        caseworker = people[AssignmentRole.CASEWORKER]
        maker = people[AssignmentRole.DECISION_MAKER]
        exception = actions.request_risk_exception(
            case, actor=caseworker, reasons="The complainant fears retaliation this week."
        )
        with pytest.raises(CaseError, match="decision-maker"):
            actions.approve_risk_exception(exception, actor=caseworker)
        exception = actions.approve_risk_exception(exception, actor=maker)
        notify.refresh_from_db()
        assert notify.paused_remaining == 10
        review = Deadline.objects.get(case=case, kind=DeadlineKind.RISK_REVIEW, met_at__isnull=True)
        assert review.due_on == dt.date(2026, 12, 7)
        with pytest.raises(CaseError, match="risk exception delays"):
            actions.notify_respondent(case, actor=caseworker)
        clock.shift(dt.timedelta(days=10))
        actions.review_risk_exception(exception, actor=maker, notes="Risk remains.", keep=True)
        assert Deadline.objects.filter(case=case, kind=DeadlineKind.RISK_REVIEW).count() == 2
        actions.review_risk_exception(exception, actor=maker, notes="Risk has passed.", keep=False)
        notify.refresh_from_db()
        assert notify.paused_remaining is None
        assert notify.due_on > dt.date(2026, 12, 3)
