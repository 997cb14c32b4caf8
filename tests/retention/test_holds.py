"""Bad input to legal holds is refused with a plain message and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from redress.ledger.models import Entry
from redress.retention import actions
from redress.retention.actions import RetentionError
from redress.retention.models import LegalHold
from tests.factories import make_staff
from tests.retention.helpers import closed_case, person

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2024, 6, 1, 9, tzinfo=dt.UTC)


def _refused(message: str, **kwargs) -> None:
    before = (LegalHold.objects.count(), Entry.objects.count())
    with pytest.raises(RetentionError, match=message):
        actions.place_hold(**kwargs)
    assert (LegalHold.objects.count(), Entry.objects.count()) == before


def test_bad_holds_are_refused_and_nothing_changes() -> None:
    with time_machine.travel(NOW, tick=False):
        oversight = make_staff("olive", password=None)
        case = closed_case("not_taken_forward", dt.date(2020, 1, 6))
        member = person()
        later = dt.date(2024, 9, 1)
        _refused("reason", by=oversight, reason="  ", review_on=later, case=case)
        _refused("future", by=oversight, reason="Claim", review_on=dt.date(2024, 5, 1), case=case)
        _refused("review date", by=oversight, reason="Claim", review_on=None, case=case)
        _refused("one case or one person", by=oversight, reason="Claim", review_on=later)
        _refused(
            "one case or one person",
            by=oversight,
            reason="Claim",
            review_on=later,
            case=case,
            person=member,
        )
        actions.place_hold(by=oversight, reason="Claim", review_on=later, person=member)
        _refused(
            "already a live hold", by=oversight, reason="Again", review_on=later, person=member
        )
        actions.apply(actor="system:test")
        _refused("already deleted", by=oversight, reason="Claim", review_on=later, case=case)


def test_a_lifted_hold_cannot_be_reviewed_or_lifted_again() -> None:
    with time_machine.travel(NOW, tick=False):
        oversight = make_staff("olive", password=None)
        hold = actions.place_hold(
            by=oversight, reason="Claim", review_on=dt.date(2024, 9, 1), person=person()
        )
        with pytest.raises(RetentionError, match="note"):
            actions.review_hold(hold, by=oversight, note="", review_on=dt.date(2025, 1, 1))
        with pytest.raises(RetentionError, match="future"):
            actions.review_hold(hold, by=oversight, note="Still", review_on=dt.date(2024, 1, 1))
        actions.lift_hold(hold, by=oversight, reason="Settled")
        with pytest.raises(RetentionError, match="already lifted"):
            actions.lift_hold(hold, by=oversight, reason="Again")
        with pytest.raises(RetentionError, match="already lifted"):
            actions.review_hold(hold, by=oversight, note="x", review_on=dt.date(2025, 1, 1))
    assert Entry.objects.filter(action__startswith="retention.hold").count() == 2


def test_reviews_due_lists_holds_whose_date_has_come() -> None:
    with time_machine.travel(NOW, tick=False):
        oversight = make_staff("olive", password=None)
        hold = actions.place_hold(
            by=oversight, reason="Claim", review_on=dt.date(2024, 6, 10), person=person()
        )
    with time_machine.travel(dt.datetime(2024, 6, 11, tzinfo=dt.UTC), tick=False):
        assert actions.reviews_due() == [hold]
