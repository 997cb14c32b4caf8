"""Check your report says when the report was last opened with its receipt code, so a read the
complainant did not make (someone else with their code) shows."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format

from redress.ledger.models import Entry
from tests.respond.journey import Journey, check_in, reported

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey(clock: time_machine.Traveller) -> Journey:
    return reported()


def reads(journey: Journey) -> list[dt.datetime]:
    """The times of the report's receipt.read entries, oldest first: the ledger stamps them
    (on PostgreSQL, the database's clock, not the test's)."""
    entries = Entry.objects.filter(action="receipt.read", object=f"case:{journey.case.reference}")
    return list(entries.order_by("seq").values_list("time", flat=True))


def in_words(moment: dt.datetime, language: str = "en") -> tuple[str, str]:
    with translation.override(language):
        local = timezone.localtime(moment)
        return date_format(local, "j F Y"), date_format(local, "H:i")


def to_ms(moment: dt.datetime) -> dt.datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


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
    # The journey opened the report with its code once; someone else could have.
    clock.move_to(dt.datetime(2027, 1, 12, 16, 30, tzinfo=dt.UTC))
    mine = check_in(journey.code)
    shown = last_read(mine)
    (earlier, _now) = reads(journey)
    day, time = in_words(earlier)
    assert shown is not None
    assert f"last opened with your receipt code on {day} at {time}" in shown
    assert "If that was not you" in shown
    assert "get a new code by email" in shown
    # Reloading the page is the same visit: the time stays the one before it.
    assert f"{day} at {time}" in (last_read(mine) or "")
    assert len(reads(journey)) == 2
    entries = Entry.objects.filter(action="receipt.read")
    assert set(entries.values_list("actor", flat=True)) == {"complainant"}


def test_the_time_is_shown_in_welsh(journey: Journey, clock: time_machine.Traveller) -> None:
    clock.move_to(dt.datetime(2027, 1, 12, 16, 30, tzinfo=dt.UTC))
    shown = last_read(check_in(journey.code), language="cy")
    day, time = in_words(reads(journey)[0], "cy")
    assert shown is not None
    assert f"Agorwyd eich adroddiad ddiwethaf gyda'ch cod derbynneb ar {day} am {time}" in shown
    assert "Os nad chi oedd hynny" in shown


def test_the_api_says_when_the_report_was_last_opened(
    journey: Journey, clock: time_machine.Traveller
) -> None:
    # The journey opened the report with its code once, on the web.
    clock.move_to(dt.datetime(2027, 1, 12, 16, 30, tzinfo=dt.UTC))
    api = Client()
    first = api.get("/api/reports/me", headers={"X-Receipt": journey.code})
    assert first.status_code == 200
    # JSON gives the time to the millisecond.
    assert dt.datetime.fromisoformat(first.json()["last_opened"]) == to_ms(reads(journey)[0])
    clock.move_to(dt.datetime(2027, 1, 13, 9, 0, tzinfo=dt.UTC))
    second = api.get("/api/reports/me", headers={"X-Receipt": journey.code})
    assert dt.datetime.fromisoformat(second.json()["last_opened"]) == to_ms(reads(journey)[1])
