"""The deadline sweep marks exactly the overdue set, tells exactly their owners, and escalates
exactly the items five working days past due; once, whatever how often it runs."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redress.accounts.models import Role
from redress.cases.deadlines import add_working_days
from redress.cases.models import AssignmentRole, Deadline, DeadlineKind
from redress.cases.sweep import sweep
from redress.ledger.models import Entry
from tests.cases.helpers import handler, new_case
from tests.factories import make_staff

pytestmark = pytest.mark.django_db
_passes = itertools.count()

TODAY = dt.date(2026, 11, 25)  # a Wednesday


def _item(case, kind: DeadlineKind, due: dt.date, **extra) -> Deadline:  # type: ignore[no-untyped-def]
    return Deadline.objects.create(
        case=case,
        kind=kind,
        owner_role=AssignmentRole.CASEWORKER,
        started_on=due - dt.timedelta(days=10),
        due_on=due,
        escalate_on=add_working_days(due, 5, "england"),
        **extra,
    )


item_states = st.lists(
    st.tuples(
        st.integers(min_value=-20, max_value=10),  # due, in days from today
        st.sampled_from(["open", "met", "cancelled", "paused", "already overdue"]),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(item_states)
def test_the_sweep_marks_exactly_the_overdue_set(states: list[tuple[int, str]]) -> None:
    case = new_case()
    Deadline.objects.filter(case=case).delete()
    # Each pass has its own moment, as in life: the marks of one pass are not another's.
    now = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC) + dt.timedelta(seconds=next(_passes))
    items = []
    for offset, state in states:
        extra: dict[str, object] = {}
        if state == "met":
            extra["met_at"] = now
        elif state == "cancelled":
            extra["cancelled_at"] = now
        elif state == "paused":
            extra["paused_remaining"] = 3
        elif state == "already overdue":
            extra["overdue_at"] = now - dt.timedelta(days=30)
        items.append(
            (_item(case, DeadlineKind.FEEDBACK, TODAY + dt.timedelta(days=offset), **extra), state)
        )
    expected_overdue = {item.pk for item, state in items if state == "open" and item.due_on < TODAY}
    expected_escalated = {
        item.pk
        for item, state in items
        if state in ("open", "already overdue")
        and item.escalate_on < TODAY
        and (state == "already overdue" or item.due_on < TODAY)
    }
    result = sweep(today=TODAY, now=now)
    assert result.overdue == len(expected_overdue)
    assert result.escalated == len(expected_escalated)
    marked = set(Deadline.objects.filter(case=case, overdue_at=now).values_list("pk", flat=True))
    assert marked == expected_overdue
    escalated = set(
        Deadline.objects.filter(case=case, escalated_at=now).values_list("pk", flat=True)
    )
    assert escalated == expected_escalated
    # Nobody holds the caseworker role on this case: the newly overdue are the team's.
    assert result.owners == ({None: len(expected_overdue)} if expected_overdue else {})
    # A second pass the same day changes nothing and tells nobody again.
    again = sweep(today=TODAY, now=now + dt.timedelta(minutes=5))
    assert (again.overdue, again.escalated) == (0, 0)
    assert again.owners == {}


def test_owners_are_told_by_email_and_oversight_after_five_working_days(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    caseworker = handler(AssignmentRole.CASEWORKER)
    caseworker.email = "caseworker@example.org"
    caseworker.save()
    watcher = make_staff("watcher", Role.OVERSIGHT, totp=False, password=None)
    watcher.email = "oversight@example.org"
    watcher.save()
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        case = new_case({AssignmentRole.CASEWORKER: caseworker})
        ack = Deadline.objects.get(case=case, kind=DeadlineKind.ACKNOWLEDGE)
        assert ack.due_on == dt.date(2026, 11, 9)
        clock.move_to(dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            result = sweep()
        assert result.overdue == 1
        assert result.escalated == 0
        assert [m.to for m in mail.outbox] == [["caseworker@example.org"]]
        assert case.reference not in mail.outbox[0].body  # no case detail in email
        # Five working days after 9 November is 16 November: escalated on the 17th, not before.
        clock.move_to(dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC))
        assert sweep().escalated == 0
        clock.move_to(dt.datetime(2026, 11, 17, 9, 0, tzinfo=dt.UTC))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert sweep().escalated == 1
        assert ["oversight@example.org"] in [m.to for m in mail.outbox]
        assert Entry.objects.filter(action="deadline.swept").count() == 2


def test_an_item_is_counted_for_its_owner_or_the_team() -> None:
    caseworker = handler(AssignmentRole.CASEWORKER)
    owned, unowned = new_case({AssignmentRole.CASEWORKER: caseworker}), new_case()
    Deadline.objects.filter(case__in=[owned, unowned], kind="acknowledge").update(
        due_on=TODAY - dt.timedelta(days=1)
    )
    result = sweep(today=TODAY)
    assert result.owners == {caseworker.pk: 1, None: 1}


def test_redress_sweep_runs_one_pass(capsys: pytest.CaptureFixture[str]) -> None:
    case = new_case()
    Deadline.objects.filter(case=case).update(
        due_on=dt.date(2020, 1, 1), escalate_on=dt.date(2020, 1, 8)
    )
    call_command("sweep")
    assert "overdue: 2  escalated: 2" in capsys.readouterr().out
