"""The helpline's acts: each ledgered, due dates in working days, the adviser's contact on the
person's own channel, and every refused act leaving nothing behind."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import override_settings

from redress.accounts.models import Role
from redress.cases.models import Direction, Message
from redress.helpline import actions
from redress.helpline.actions import HelplineError
from redress.helpline.models import (
    ContactAttempt,
    OfferedAt,
    Party,
    Referral,
    Status,
    SupportRequest,
)
from redress.helpline.queries import case_summary, due, queue
from redress.ledger.events import Action
from redress.ledger.models import Entry
from tests.factories import make_staff
from tests.helpline.helpers import MONDAY, adviser, case

pytestmark = pytest.mark.django_db


def entries(action: Action) -> int:
    return Entry.objects.filter(action=action).count()


def test_a_request_is_due_in_working_days_and_ledgered() -> None:
    with time_machine.travel(MONDAY, tick=False):
        request = actions.ask_for_support(
            case(), Party.COMPLAINANT, OfferedAt.ACKNOWLEDGEMENT, "Someone to talk to"
        )
        assert request.due_on == dt.date(2027, 1, 13)
        assert request.words == "Someone to talk to"
        assert due(request) == due(request, dt.date(2027, 1, 11))
        assert due(request, dt.date(2027, 1, 11)).days_left == 2  # type: ignore[union-attr]
    friday = due(request, dt.date(2027, 1, 15))
    assert friday is not None
    assert friday.overdue
    entry = Entry.objects.get(action=Action.SUPPORT_REQUESTED)
    assert entry.actor == "complainant"
    assert entry.object == f"case:{request.case.reference}"
    assert "Someone" not in entry.digest


def test_a_friday_request_is_due_after_the_weekend() -> None:
    with time_machine.travel(MONDAY + dt.timedelta(days=4), tick=False):
        request = actions.ask_for_support(case(), Party.COMPLAINANT, OfferedAt.ACKNOWLEDGEMENT)
    assert request.due_on == dt.date(2027, 1, 19)


@override_settings(SUPPORT_FIRST_CONTACT_DAYS=5)
def test_the_first_contact_days_are_configurable() -> None:
    with time_machine.travel(MONDAY, tick=False):
        request = actions.ask_for_support(case(), Party.COMPLAINANT, OfferedAt.ACKNOWLEDGEMENT)
    assert request.due_on == dt.date(2027, 1, 18)


def test_bad_requests_change_nothing() -> None:
    made = case()
    before = entries(Action.SUPPORT_REQUESTED)
    with pytest.raises(HelplineError):
        actions.ask_for_support(made, "friend", OfferedAt.ACKNOWLEDGEMENT)
    with pytest.raises(HelplineError):
        actions.ask_for_support(made, Party.COMPLAINANT, "somewhere")
    with pytest.raises(HelplineError) as refused:
        actions.ask_for_support(made, Party.COMPLAINANT, OfferedAt.DECISION, "x" * 2001)
    assert refused.value.field == "words"
    with pytest.raises(HelplineError):  # not told of the complaint: nothing of it to ask about
        actions.ask_for_support(made, Party.RESPONDENT, OfferedAt.NOTIFICATION)
    actions.ask_for_support(made, Party.COMPLAINANT, OfferedAt.ACKNOWLEDGEMENT)
    with pytest.raises(HelplineError):  # a second open request from the same person
        actions.ask_for_support(made, Party.COMPLAINANT, OfferedAt.DECISION)
    assert SupportRequest.objects.count() == 1
    assert entries(Action.SUPPORT_REQUESTED) == before + 1


def test_contacting_a_complainant_is_a_message_on_their_channel() -> None:
    ada = adviser()
    request = actions.ask_for_support(case(), Party.COMPLAINANT, OfferedAt.ACKNOWLEDGEMENT)
    contact = actions.record_contact(request, "I am Ada from the helpline. Call us.", by=ada)
    message = Message.objects.get(case=request.case)
    assert contact.message == message
    assert message.author == ada
    assert message.direction == Direction.TO_COMPLAINANT
    assert message.body == "I am Ada from the helpline. Call us."
    request.refresh_from_db()
    assert request.status == Status.CONTACTED
    assert request.first_contact_at is not None
    assert due(request) is None
    assert entries(Action.SUPPORT_CONTACTED) == 1
    assert entries(Action.CASE_MESSAGE_SENT) == 1
    assert "An adviser contacted them on" in case_summary(request.case)[0]


def test_contacting_a_respondent_is_a_note_on_their_page_and_a_content_free_email() -> None:
    ada = adviser()
    made = case(notified=True)
    made.respondent.email = "ivy@example.org"
    made.respondent.save()
    request = actions.ask_for_support(made, Party.RESPONDENT, OfferedAt.NOTIFICATION)
    mail.outbox.clear()
    with pytest.raises(HelplineError):
        actions.record_contact(request, "   ", by=ada)
    with pytest.raises(HelplineError):
        actions.record_contact(request, "x" * 5001, by=ada)
    assert not ContactAttempt.objects.exists()
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        contact = actions.record_contact(request, "Our welfare line: call 0100.", by=ada)
    assert contact.body == "Our welfare line: call 0100."
    assert contact.message is None
    assert not Message.objects.filter(case=made).exists()
    assert len(mail.outbox) == 1
    assert "0100" not in mail.outbox[0].body
    assert mail.outbox[0].to == ["ivy@example.org"]


def test_only_a_support_adviser_acts_and_not_on_a_case_about_themselves() -> None:
    request = actions.ask_for_support(case(), Party.COMPLAINANT, OfferedAt.ACKNOWLEDGEMENT)
    caseworker = make_staff("cara", Role.CASEWORKER)
    for act in (
        lambda: actions.record_contact(request, "Hello", by=caseworker),
        lambda: actions.refer(request, "samaritans", by=caseworker),
        lambda: actions.close(request, "supported", by=caseworker),
    ):
        with pytest.raises(HelplineError):
            act()
    assert not Message.objects.exists()
    assert not Referral.objects.exists()
    request.refresh_from_db()
    assert request.status == Status.WAITING


def test_referral_outcome_and_close_are_ledgered_and_checked() -> None:
    ada = adviser()
    request = actions.ask_for_support(case(), Party.COMPLAINANT, OfferedAt.ACKNOWLEDGEMENT)
    with pytest.raises(HelplineError) as refused:
        actions.refer(request, "a-friend", by=ada)
    assert refused.value.field == "service"
    referral = actions.refer(request, "isva", by=ada)
    with pytest.raises(HelplineError):
        actions.record_referral_outcome(referral, "great", by=ada)
    actions.record_referral_outcome(referral, "taken_up", by=ada)
    referral.refresh_from_db()
    assert referral.outcome == "taken_up"
    assert referral.outcome_at is not None
    with pytest.raises(HelplineError):
        actions.record_referral_outcome(referral, "declined", by=ada)
    with pytest.raises(HelplineError):
        actions.close(request, "bored", by=ada)
    actions.close(request, "referred", by=ada)
    request.refresh_from_db()
    assert request.status == Status.CLOSED
    assert request.closed_by == ada
    assert list(queue()) == []
    with pytest.raises(HelplineError):
        actions.refer(request, "eap", by=ada)
    assert [entries(a) for a in (Action.SUPPORT_REFERRED, Action.SUPPORT_REFERRAL_OUTCOME)] == [
        1,
        1,
    ]
    assert entries(Action.SUPPORT_CLOSED) == 1
    # Closed, the person may ask again.
    actions.ask_for_support(request.case, Party.COMPLAINANT, OfferedAt.DECISION)


def test_the_queue_puts_waiting_requests_first_by_due_date() -> None:
    ada = adviser()
    with time_machine.travel(MONDAY, tick=False):
        early = actions.ask_for_support(case(), Party.COMPLAINANT, OfferedAt.ACKNOWLEDGEMENT)
    with time_machine.travel(MONDAY + dt.timedelta(days=1), tick=False):
        contacted = actions.ask_for_support(case(), Party.COMPLAINANT, OfferedAt.ACKNOWLEDGEMENT)
        later = actions.ask_for_support(case(), Party.COMPLAINANT, OfferedAt.ACKNOWLEDGEMENT)
    actions.record_contact(contacted, "Hello", by=ada)
    assert list(queue()) == [early, later, contacted]
