"""Support offered at the four points: the complainant's yes in the report makes a request with
the case; the respondent asks from their page once told; both parties ask from their pages at
the decision and the appeal. Each works without JavaScript: a link to a one-question page."""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest
import time_machine
from django.core import mail
from django.test import Client, TestCase

from redress.accounts.models import Role
from redress.cases import actions as case_actions
from redress.cases.models import Case, Source
from redress.helpline import actions
from redress.helpline.models import OfferedAt, Party, Status, SupportRequest
from redress.intake import actions as intake
from redress.ledger.events import Action
from redress.ledger.models import Entry
from tests.factories import API_REPORT, make_staff
from tests.helpline.helpers import MONDAY
from tests.intake.helpers import fill_report
from tests.respond.journey import NARRATIVE, Journey, open_link, reported

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(MONDAY, tick=True):
        yield


def text(client: Client, path: str) -> str:
    return html.unescape(client.get(path).content.decode())


def test_a_yes_in_the_report_puts_the_complainant_in_the_queue() -> None:
    journey = reported(with_team=False)
    request = SupportRequest.objects.get(case=journey.case)
    assert (request.party, request.offered_at) == (Party.COMPLAINANT, OfferedAt.ACKNOWLEDGEMENT)
    assert request.status == Status.WAITING
    page = text(journey.complainant, "/check/report")
    assert "You asked for support on" in page
    assert "A support adviser will contact you here by 13 January 2027." in page


def test_a_no_in_the_report_asks_for_nothing_and_offers_support_later() -> None:
    client = Client()
    fill_report(client, support={"support": "no"})
    client.post("/report/submit")
    assert Case.objects.count() == 1
    assert not SupportRequest.objects.exists()


def test_a_report_in_one_piece_asks_in_the_case_transaction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = {
        **API_REPORT,
        "when_kind": "date",
        "when_date": "2026-03-27",
        "where": "The tea room",
        "support": "yes",
    }
    made = intake.submit_answers(dict(answers))
    assert SupportRequest.objects.get().case == made.case

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the helpline is down")

    monkeypatch.setattr(actions, "ask_for_support", fail)
    with pytest.raises(RuntimeError):
        intake.submit_answers(dict(answers))
    assert Case.objects.count() == 1  # no case without its request for support


def test_a_report_taken_by_phone_asks_as_taken_by_the_adviser() -> None:
    answers = {
        **API_REPORT,
        "when_kind": "date",
        "when_date": "2026-03-27",
        "where": "The tea room",
        "support": "yes",
    }
    made = intake.submit_answers(answers, actor="user:7")
    request = SupportRequest.objects.get(case=made.case)
    assert request.offered_at == OfferedAt.PHONE
    entry = Entry.objects.get(action=Action.SUPPORT_REQUESTED)
    assert entry.actor == "user:7"


def _notified() -> tuple[Journey, Client]:
    journey = reported()
    journey.to_investigation()
    journey.write_allegations()
    return journey, open_link(journey.notify())


def test_the_respondent_asks_from_their_page_and_hears_back_there() -> None:
    _journey, respondent = _notified()
    page = text(respondent, "/respond/")
    assert "Ask for support" in page
    assert 'href="/respond/support"' in page
    long = "Someone to talk to. " * 101
    refused = respondent.post("/respond/support", {"words": long})
    assert refused.status_code == 400
    assert long.strip() in html.unescape(refused.content.decode())
    assert not SupportRequest.objects.filter(party=Party.RESPONDENT).exists()
    done = respondent.post("/respond/support", {"words": "Help at work"})
    assert done.status_code == 302
    request = SupportRequest.objects.get(party=Party.RESPONDENT)
    assert request.offered_at == OfferedAt.NOTIFICATION
    assert request.words == "Help at work"
    page = text(respondent, "/respond/")
    assert "You asked for support." in page
    assert "You asked for support on" in page
    assert respondent.get("/respond/support").status_code == 302  # asked already
    mail.outbox.clear()
    ada = make_staff("ada", Role.SUPPORT_ADVISER)
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.record_contact(request, "Our welfare line is open now.", by=ada)
    assert "Our welfare line is open now." in text(respondent, "/respond/")
    assert len(mail.outbox) == 1
    assert "welfare line" not in mail.outbox[0].body


def test_a_signed_out_respondent_cannot_ask() -> None:
    assert Client().post("/respond/support", {"words": "x"}).status_code == 302
    assert not SupportRequest.objects.exists()


def test_both_parties_are_offered_support_at_the_decision_and_the_appeal() -> None:
    journey, respondent = _notified()
    journey.to_appeal_window()
    ada = make_staff("ada", Role.SUPPORT_ADVISER)
    first = SupportRequest.objects.get(party=Party.COMPLAINANT)
    actions.record_contact(first, "Hello from the helpline.", by=ada)
    actions.close(first, "supported", by=ada)
    page = text(journey.complainant, "/check/report")
    assert "Support adviser" in page  # the adviser's message, said to be theirs
    assert 'href="/check/support"' in page
    assert journey.complainant.post("/check/support", {"words": ""}).status_code == 302
    again = SupportRequest.objects.get(party=Party.COMPLAINANT, status=Status.WAITING)
    assert again.offered_at == OfferedAt.DECISION
    case_actions.lodge_appeal(journey.refresh(), "The rota shows otherwise.", by=Source.RESPONDENT)
    assert 'href="/respond/support"' in text(respondent, "/respond/")
    assert respondent.post("/respond/support", {"words": ""}).status_code == 302
    asked = SupportRequest.objects.get(party=Party.RESPONDENT)
    assert asked.offered_at == OfferedAt.APPEAL


def test_the_adviser_never_sees_the_complaint(client: Client) -> None:
    journey, respondent = _notified()
    respondent.post("/respond/support", {"words": "Help at work"})
    from tests.factories import sign_in

    sign_in(client, make_staff("ada", Role.SUPPORT_ADVISER))
    pages = [client.get("/staff/helpline")]
    for request in SupportRequest.objects.all():
        pages.append(client.get(f"/staff/helpline/{request.pk}"))
        pages.append(client.get(f"/staff/helpline/{request.pk}/contact"))
    for page in pages:
        assert page.status_code == 200
        assert NARRATIVE not in html.unescape(page.content.decode())
    assert client.get(f"/staff/cases/{journey.case.reference}").status_code in (403, 404)


def test_the_offer_and_the_question_are_in_welsh() -> None:
    _journey, respondent = _notified()
    respondent.get("/language/cy?next=/")
    page = html.unescape(respondent.get("/respond/", HTTP_ACCEPT_LANGUAGE="cy").content.decode())
    assert "Cymorth gan gynghorydd" in page
    ask = html.unescape(
        respondent.get("/respond/support", HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    )
    assert "Pa fath o gymorth yr hoffech ei gael? (dewisol)" in ask
