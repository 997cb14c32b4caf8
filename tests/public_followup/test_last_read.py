"""Check your report says when the report was last opened with its receipt code, so a read the
complainant did not make (someone else with their code) shows."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine
from django.test import Client

from redress.ledger.models import Entry
from tests.respond.journey import Journey, check_in, reported

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey(clock: time_machine.Traveller) -> Journey:
    return reported()


def last_read(client: Client, *, language: str = "en") -> str | None:
    client.cookies["django_language"] = language
    page = html.unescape(client.get("/check/report").content.decode())
    match = re.search(r'id="last-read">(.*?)</div>', page, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split()) if match else None


def test_the_first_opening_says_nothing_of_an_earlier_one(journey: Journey) -> None:
    # The journey's complainant opened the report once, just after making it.
    assert last_read(journey.complainant) is None


def test_a_later_visit_shows_when_the_code_last_opened_the_report(
    journey: Journey, clock: time_machine.Traveller
) -> None:
    # The journey opened the report with its code at 10:00; someone else could have.
    clock.move_to(dt.datetime(2027, 1, 12, 16, 30, tzinfo=dt.UTC))
    mine = check_in(journey.code)
    shown = last_read(mine)
    # 10:00 UTC in January is 10:00 in London.
    assert shown is not None
    assert "last opened with your receipt code on 11 January 2027 at 10:00" in shown
    assert "If that was not you" in shown
    assert "get a new code by email" in shown
    # Reloading the page is the same visit: the time stays the one before it.
    assert "11 January 2027 at 10:00" in (last_read(mine) or "")
    reads = Entry.objects.filter(action="receipt.read", object=f"case:{journey.case.reference}")
    assert reads.count() == 2
    assert set(reads.values_list("actor", flat=True)) == {"complainant"}


def test_the_time_is_shown_in_welsh(journey: Journey, clock: time_machine.Traveller) -> None:
    clock.move_to(dt.datetime(2027, 1, 12, 16, 30, tzinfo=dt.UTC))
    shown = last_read(check_in(journey.code), language="cy")
    assert shown is not None
    assert "Agorwyd eich adroddiad ddiwethaf gyda'ch cod derbynneb ar 11 Ionawr 2027 am 10:00" in (
        shown
    )
    assert "Os nad chi oedd hynny" in shown


def test_the_api_says_when_the_report_was_last_opened(
    journey: Journey, clock: time_machine.Traveller
) -> None:
    # The journey opened the report with its code at 10:00 on the web.
    clock.move_to(dt.datetime(2027, 1, 12, 16, 30, tzinfo=dt.UTC))
    api = Client()
    first = api.get("/api/reports/me", headers={"X-Receipt": journey.code})
    assert first.status_code == 200
    assert dt.datetime.fromisoformat(first.json()["last_opened"]) == dt.datetime(
        2027, 1, 11, 10, 0, tzinfo=dt.UTC
    )
    clock.move_to(dt.datetime(2027, 1, 13, 9, 0, tzinfo=dt.UTC))
    second = api.get("/api/reports/me", headers={"X-Receipt": journey.code})
    assert dt.datetime.fromisoformat(second.json()["last_opened"]) == dt.datetime(
        2027, 1, 12, 16, 30, tzinfo=dt.UTC
    )
