"""The reporter of a report taken by phone or in person checks the record with their receipt
code and confirms it or corrects it (EU Directive 2019/1937, Art. 18(2)-(4)); the staff side
sees which, and nobody else's code can answer for them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from redress.accounts.models import Role
from redress.cases.models import Direction, Message
from redress.intake import actions, taken
from redress.intake.models import TakenHow, TakenReport, TakenState
from redress.ledger.models import Entry
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

ANSWERS: dict[str, Any] = {
    "what_happened": "He said <script>alert(1)</script> my job depended on keeping quiet.",
    "category": "harassment",
    "respondent_id": "",
    "respondent_description": "A senior member",
    "when_kind": "period",
    "when_period": "From January to March",
    "where": "The committee corridor",
    "support": "no",
    "identity": "anonymous",
}


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    from django.core.cache import cache

    cache.clear()


def _taken() -> taken.Taken:
    adviser = make_staff("ada", Role.SUPPORT_ADVISER, password=None, totp=False)
    return taken.take(dict(ANSWERS), by=adviser, how=TakenHow.PHONE)


def _sign_in(client: Client, code: str) -> Any:
    return client.post("/check", {"code": code})


def test_the_reporter_sees_the_record_in_full_and_confirms_it(client: Client) -> None:
    made = _taken()
    assert made.code
    signed_in = _sign_in(client, made.code)
    assert signed_in.headers["Location"] == "/check/record"
    page = client.get("/check/record").content.decode()
    assert "Awaiting the reporter&#x27;s confirmation" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; my job depended" in page
    assert "<script>alert(1)" not in page
    for words in ("A senior member", "From January to March", "The committee corridor"):
        assert words in page
    status_page = client.get("/check/report").content.decode()
    assert 'href="/check/record"' in status_page  # while it awaits, the report page says so
    confirmed = client.post("/check/record", {"confirm": "1"})
    assert confirmed.status_code == 302
    record = TakenReport.objects.get(case=made.case)
    assert record.state == TakenState.CONFIRMED
    assert record.confirmed_at is not None
    actions_done = Entry.objects.filter(object=f"case:{made.case.reference}").values_list(
        "action", flat=True
    )
    assert "report.record_shown" in actions_done
    assert "report.record_confirmed" in actions_done
    status = taken.status_for(made.case)
    assert status is not None
    assert status.words == "Confirmed by the reporter"
    after = client.get("/check/record").content.decode()
    assert "You confirmed the record" in after
    assert "keeping quiet" not in after  # shown while it awaits an answer, not after
    assert 'href="/check/record"' not in client.get("/check/report").content.decode()


def test_a_second_confirm_is_refused_plainly(client: Client) -> None:
    made = _taken()
    _sign_in(client, made.code or "")
    client.post("/check/record", {"confirm": "1"})
    again = client.post("/check/record", {"confirm": "1"})
    assert again.status_code == 409
    assert "You have already answered" in again.content.decode()
    assert Entry.objects.filter(action="report.record_confirmed").count() == 1


def test_the_reporter_corrects_the_record_and_the_handlers_see_it(client: Client) -> None:
    made = _taken()
    _sign_in(client, made.code or "")
    empty = client.post("/check/record", {"correct": "1", "correction": ""})
    assert empty.status_code == 400
    assert "Write what should be corrected" in empty.content.decode()
    too_long = client.post("/check/record", {"correct": "1", "correction": "x" * 10_001})
    assert too_long.status_code == 400
    assert "x" * 10_001 in too_long.content.decode()  # what was typed is kept
    assert TakenReport.objects.get(case=made.case).state == TakenState.AWAITING
    corrected = client.post(
        "/check/record", {"correct": "1", "correction": "It was April, not March."}
    )
    assert corrected.status_code == 302
    record = TakenReport.objects.get(case=made.case)
    assert record.state == TakenState.CORRECTED
    assert record.corrected_at is not None
    message = Message.objects.get(case=made.case)
    assert record.correction == message
    assert message.direction == Direction.FROM_COMPLAINANT
    assert "It was April, not March." in message.body
    assert "correction to the record" in message.body
    assert Entry.objects.filter(action="report.record_corrected").count() == 1
    status = taken.status_for(made.case)
    assert status is not None
    assert status.words == "Corrected by the reporter"
    confirm_after = client.post("/check/record", {"confirm": "1"})
    assert confirm_after.status_code == 409


def test_another_reporters_code_cannot_answer_for_it(client: Client) -> None:
    made = _taken()
    other = actions.submit_answers(dict(ANSWERS))
    signed_in = _sign_in(client, other.code)
    assert signed_in.headers["Location"] == "/check/report"  # their own report, not taken
    refused = client.get("/check/record")
    assert refused.status_code == 302
    assert refused.headers["Location"] == "/check/report"
    client.post("/check/record", {"confirm": "1"})
    assert TakenReport.objects.get(case=made.case).state == TakenState.AWAITING
    assert Client().post("/check/record", {"confirm": "1"}).headers["Location"] == "/check"


def test_the_page_is_in_welsh(client: Client) -> None:
    made = _taken()
    client.cookies["django_language"] = "cy"
    _sign_in(client, made.code or "")
    page = client.get("/check/record").content.decode()
    assert "Yn aros i&#x27;r sawl a roddodd wybod ei gadarnhau" in page
