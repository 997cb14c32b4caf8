"""Text that UTF-8 cannot encode (a lone surrogate) is refused with a plain 400 wherever it
would be stored, and nothing of the request is kept.

A browser's form post cannot carry such text: Django reads posted bytes that are not UTF-8 as
U+FFFD. So the forms are tried twice: with the bytes a lone surrogate would be, and with a
form that lets one through, to show that the sealed fields refuse it themselves.
"""

from __future__ import annotations

import html

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client

from redress.accounts.models import Role
from redress.cases import actions
from redress.cases.models import AssignmentRole, Direction, Message
from redress.core.text import UnencodableText, encodable, validate_encodable
from redress.intake.forms import MessageForm
from redress.staff import case_forms
from tests.factories import make_staff, sign_in
from tests.respond.journey import Journey, reported

pytestmark = pytest.mark.django_db

PLAIN = "The text holds a character that cannot be stored"
LONE = "\ud800 the rest of the message"


@pytest.fixture
def journey(clock: time_machine.Traveller) -> Journey:
    return reported()


def test_the_validator_refuses_only_text_utf8_cannot_encode() -> None:
    for fine in ("", "plain", "Cymraeg: â ŵ ŷ", "emoji 🙂", "\u202e reversed"):
        assert encodable(fine)
        validate_encodable(fine)
    for bad in ("\ud800", "x\udfff", "\udc00\ud800"):
        assert not encodable(bad)
        with pytest.raises(ValidationError) as refused:
            validate_encodable(bad)
        assert refused.value.code == "not_text"


def test_a_sealed_field_refuses_the_text_and_nothing_is_stored(journey: Journey) -> None:
    before = Message.objects.count()
    message = Message(
        case=journey.case, data_key=journey.case.data_key, direction=Direction.FROM_COMPLAINANT
    )
    message.body = LONE
    with pytest.raises(ValidationError) as refused:
        message.full_clean()
    assert "body" in refused.value.message_dict
    with pytest.raises(UnencodableText):
        message.save()
    assert Message.objects.count() == before


def test_a_form_post_cannot_carry_a_lone_surrogate(journey: Journey) -> None:
    # The bytes UTF-8 would give a lone surrogate, if it could: read as U+FFFD, never a 500.
    response = journey.complainant.post(
        "/check/report",
        b"send=1&body=%ED%A0%80x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302
    newest = Message.objects.filter(direction=Direction.FROM_COMPLAINANT).order_by("pk").last()
    assert newest is not None
    assert newest.body.endswith("x")
    assert encodable(newest.body)


def test_a_complainants_message_that_cannot_be_stored_is_a_plain_400(
    journey: Journey, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(MessageForm, "clean_body", lambda self: LONE, raising=False)
    before = Message.objects.count()
    response = journey.complainant.post("/check/report", {"send": "1", "body": "anything"})
    assert response.status_code == 400
    assert PLAIN in html.unescape(response.content.decode())
    assert Message.objects.count() == before


def test_the_refusal_is_in_welsh(journey: Journey, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(MessageForm, "clean_body", lambda self: LONE, raising=False)
    journey.complainant.cookies["django_language"] = "cy"
    response = journey.complainant.post("/check/report", {"send": "1", "body": "anything"})
    assert response.status_code == 400
    assert "Mae'r testun yn cynnwys nod na ellir ei gadw" in html.unescape(
        response.content.decode()
    )


def test_a_staff_message_that_cannot_be_stored_is_a_plain_400(
    journey: Journey, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff = Client()
    caseworker = make_staff("cw", Role.CASEWORKER)
    sign_in(staff, caseworker)
    actions.assign(journey.case, caseworker, AssignmentRole.CASEWORKER, actor="system:test")
    monkeypatch.setattr(case_forms.MessageForm, "clean_body", lambda self: LONE, raising=False)
    before = Message.objects.count()
    response = staff.post(f"/staff/cases/{journey.case.reference}/message", {"body": "x"})
    assert response.status_code == 400
    assert PLAIN in html.unescape(response.content.decode())
    assert Message.objects.count() == before
