"""The retention schedule under a moved clock: exactly the due cases are shredded (content gone,
skeleton kept), nothing under a hold on the case or on its respondent, nothing not closed."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from redress.cases.models import Case, Stage
from redress.ledger.models import Entry
from redress.retention import actions
from redress.retention.tasks import apply_schedule
from redress.vault.actions import Shredded, clear_key_cache
from tests.factories import make_staff
from tests.retention.helpers import SECRET, closed_case, person

pytestmark = pytest.mark.django_db

CLOSED = dt.date(2020, 3, 2)
TODAY = dt.datetime(2024, 6, 1, 9, tzinfo=dt.UTC)


def _unreadable(case: Case) -> bool:
    clear_key_cache()
    fresh = Case.objects.get(pk=case.pk)
    try:
        _ = fresh.narrative
    except Shredded:
        return True
    return False


@pytest.fixture
def cases() -> dict[str, Case]:
    with time_machine.travel(dt.datetime(2020, 3, 1, tzinfo=dt.UTC), tick=False):
        member = person()
        return {
            # 2 years after closure: due in 2022.
            "ntf": closed_case("not_taken_forward", CLOSED),
            # Bullying finding: on the register 5 years, to 2025.
            "upheld": closed_case("upheld", CLOSED, respondent=member),
            # Not upheld, bullying: 3 years, due 2023.
            "not_upheld": closed_case("not_upheld", CLOSED),
            # Sexual misconduct not upheld: 6 years, due 2026.
            "sm": closed_case("not_upheld", CLOSED, category="sexual_misconduct"),
            "withdrawn": closed_case("not_taken_forward", CLOSED, withdrawn=True),
            # Decided long ago but still in its appeal window: never shredded.
            "open": closed_case("not_upheld", CLOSED, stage=Stage.APPEAL_WINDOW),
        }


def test_a_run_shreds_exactly_the_due_cases_and_keeps_their_skeleton(cases) -> None:
    with time_machine.travel(TODAY, tick=False):
        done = actions.apply(actor="system:test")
    expected = {cases[name].reference for name in ("ntf", "not_upheld", "withdrawn")}
    assert {item.reference for item in done} == expected
    for name, case in cases.items():
        assert _unreadable(case) == (case.reference in expected), name
    kept = Case.objects.get(pk=cases["ntf"].pk)
    assert (kept.stage, kept.category, kept.decision) == ("closed", "bullying", "not_taken_forward")
    assert kept.stage_changed_at.date() == CLOSED
    assert kept.received_at is not None
    assert Entry.objects.filter(action="retention.shredded").count() == 3
    assert Entry.objects.filter(action="vault.key_shredded").count() == 3


def test_messages_are_shredded_with_the_case(cases) -> None:
    with time_machine.travel(TODAY, tick=False):
        actions.apply(actor="system:test")
    clear_key_cache()
    message = Case.objects.get(pk=cases["ntf"].pk).messages.get()
    with pytest.raises(Shredded):
        _ = message.body


def test_a_finding_is_kept_until_it_leaves_the_register(cases) -> None:
    reference = cases["upheld"].reference
    with time_machine.travel(dt.datetime(2025, 3, 1, tzinfo=dt.UTC), tick=False):
        assert reference not in {item.reference for item in actions.due()}
    with time_machine.travel(dt.datetime(2025, 3, 3, tzinfo=dt.UTC), tick=False):
        found = {item.reference: item for item in actions.due()}
        assert found[reference].due_on == dt.date(2025, 3, 2)
        assert "register" in found[reference].why
        actions.apply(actor="system:test")
    assert _unreadable(cases["upheld"])
    assert Case.objects.get(pk=cases["upheld"].pk).decision == "upheld"


def test_nothing_under_a_hold_on_the_case_or_its_respondent_is_shredded(cases) -> None:
    oversight = make_staff("olive", password=None)
    with time_machine.travel(TODAY, tick=False):
        actions.place_hold(
            by=oversight,
            reason="A claim is expected",
            review_on=dt.date(2024, 9, 1),
            case=cases["ntf"],
        )
        actions.place_hold(
            by=oversight,
            reason="An inquiry into the member",
            review_on=dt.date(2024, 9, 1),
            person=cases["upheld"].respondent,
        )
    with time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=dt.UTC), tick=False):
        done = {item.reference for item in actions.apply(actor="system:test")}
    assert cases["ntf"].reference not in done
    assert cases["upheld"].reference not in done
    assert not _unreadable(cases["ntf"])
    assert not _unreadable(cases["upheld"])
    assert cases["sm"].reference in done


def test_a_lifted_hold_lets_the_schedule_apply_again(cases) -> None:
    oversight = make_staff("olive", password=None)
    with time_machine.travel(TODAY, tick=False):
        hold = actions.place_hold(
            by=oversight, reason="A claim", review_on=dt.date(2024, 9, 1), case=cases["ntf"]
        )
        assert cases["ntf"].reference not in {item.reference for item in actions.due()}
        actions.review_hold(hold, by=oversight, note="Still live", review_on=dt.date(2025, 1, 1))
        actions.lift_hold(hold, by=oversight, reason="The claim was settled")
        assert cases["ntf"].reference in {i.reference for i in actions.apply(actor="system:t")}
    for kind in ("placed", "reviewed", "lifted"):
        assert Entry.objects.filter(action=f"retention.hold_{kind}").count() == 1


@override_settings(RETENTION_SCHEDULE={"not_taken_forward": 5, "not_upheld": {"bullying": 10}})
def test_the_schedule_is_configured_by_outcome_and_category(cases) -> None:
    with time_machine.travel(TODAY, tick=False):
        done = {item.reference for item in actions.apply(actor="system:test")}
    # Withdrawn keeps its own row (2 years); the others now wait longer.
    assert done == {cases["withdrawn"].reference}


def test_a_dry_run_lists_one_line_a_case_and_changes_nothing(cases) -> None:
    before = Entry.objects.count()
    out = io.StringIO()
    with time_machine.travel(TODAY, tick=False):
        call_command("retention", "--dry-run", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 3
    assert all("would shred" in line for line in lines)
    assert sorted(line.split("\t")[0] for line in lines) == sorted(
        cases[name].reference for name in ("ntf", "not_upheld", "withdrawn")
    )
    assert SECRET not in out.getvalue()
    assert Entry.objects.count() == before
    assert not any(_unreadable(case) for case in cases.values())
    later = io.StringIO()
    call_command("retention", "--dry-run", "--as-of", "2030-01-01", stdout=later)
    assert len(later.getvalue().strip().splitlines()) == 6 - 1  # all closed ones
    assert not any(_unreadable(case) for case in cases.values())


def test_the_command_applies_the_schedule_and_refuses_bad_dates(cases) -> None:
    out = io.StringIO()
    with time_machine.travel(TODAY, tick=False):
        call_command("retention", stdout=out)
    assert len(out.getvalue().strip().splitlines()) == 3
    assert _unreadable(cases["ntf"])
    with pytest.raises(CommandError):
        call_command("retention", "--dry-run", "--as-of", "2024-13-01")
    with pytest.raises(CommandError):
        call_command("retention", "--as-of", "2030-01-01")


def test_the_worker_applies_the_schedule_daily(cases) -> None:
    assert ("redress.retention.tasks.apply_schedule", 24 * 3600) in settings.PERIODIC_TASKS
    with time_machine.travel(TODAY, tick=False):
        assert apply_schedule.call() == {"shredded": 3}
        assert apply_schedule.call() == {"shredded": 0}
    assert _unreadable(cases["ntf"])
