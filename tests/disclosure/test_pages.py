"""The pages: the handler sees "Sealed" and asks; the data protection officer decides; the
complainant is told; the asker sees the identity once. Bad input is answered beside the field,
with what was typed kept, and nothing stored."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from redress.cases.models import Case
from redress.disclosure.models import IdentityRequest
from redress.retention import actions as retention
from tests.disclosure.helpers import PURPOSE, RECIPIENT, Setting, ask_outside, setting, signed_in
from tests.respond.journey import EMAIL, NAME, PHONE

pytestmark = pytest.mark.django_db


@pytest.fixture
def s() -> Setting:
    return setting()


def _text(response: object) -> str:
    return html.unescape(response.content.decode())  # type: ignore[attr-defined]


def test_ask_approve_tell_and_show_once_through_the_pages(s: Setting) -> None:
    url = f"/staff/cases/{s.journey.case.reference}/identity"
    handler = signed_in(s.caseworker)
    page = _text(handler.get(url))
    assert "Sealed" in page
    for secret in (NAME, EMAIL, PHONE):
        assert secret not in page
    response = handler.post(
        url,
        {"scope": "outside", "reason": "A statement.", "recipient": RECIPIENT, "purpose": PURPOSE},
    )
    assert response.status_code == 302
    asked = IdentityRequest.objects.get()

    officer = signed_in(s.officer)
    assert s.journey.case.reference in _text(officer.get("/staff/identity-requests"))
    decision = f"/staff/identity-requests/{asked.pk}"
    assert RECIPIENT in _text(officer.get(decision))
    response = officer.post(
        decision, {"decision": "approve", "reason": "The police need it.", "notice": "tell"}
    )
    assert response.status_code == 302

    # Not shown before the complainant is told.
    refused = handler.post(f"{url}/{asked.pk}/show")
    assert refused.status_code == 400
    assert NAME not in _text(refused)
    assert handler.post(f"{url}/{asked.pk}/notify").status_code == 302
    shown = handler.post(f"{url}/{asked.pk}/show")
    assert shown.status_code == 200
    assert NAME in _text(shown)
    assert shown["Cache-Control"] == "no-store"
    again = handler.post(f"{url}/{asked.pk}/show")
    assert again.status_code == 400
    assert NAME not in _text(again)


def test_a_request_without_a_reason_is_refused_beside_the_field(s: Setting) -> None:
    url = f"/staff/cases/{s.journey.case.reference}/identity"
    response = signed_in(s.caseworker).post(
        url, {"scope": "outside", "reason": "", "recipient": RECIPIENT, "purpose": ""}
    )
    assert response.status_code == 400
    page = _text(response)
    assert "Enter why you need the identity" in page
    assert RECIPIENT in page  # what was typed is kept
    assert not IdentityRequest.objects.exists()


def test_the_asker_cannot_open_their_own_request_to_decide_it(s: Setting) -> None:
    maker = signed_in(s.maker)
    url = f"/staff/cases/{s.journey.case.reference}/identity"
    maker.post(url, {"scope": "inside", "reason": "To write to them."})
    asked = IdentityRequest.objects.get()
    assert maker.get(f"/staff/identity-requests/{asked.pk}").status_code == 403
    assert s.journey.case.reference not in _text(maker.get("/staff/identity-requests"))
    response = maker.post(
        f"/staff/identity-requests/{asked.pk}", {"decision": "approve", "reason": "Fine."}
    )
    assert response.status_code == 403
    assert IdentityRequest.objects.get().decided_at is None


def test_an_exception_without_its_reason_is_refused(s: Setting) -> None:
    url = f"/staff/cases/{s.journey.case.reference}/identity"
    signed_in(s.caseworker).post(
        url,
        {"scope": "outside", "reason": "A statement.", "recipient": RECIPIENT, "purpose": PURPOSE},
    )
    asked = IdentityRequest.objects.get()
    response = signed_in(s.officer).post(
        f"/staff/identity-requests/{asked.pk}",
        {"decision": "approve", "reason": "Needed.", "notice": "exception"},
    )
    assert response.status_code == 400
    assert "at risk" in _text(response)
    assert IdentityRequest.objects.get().decided_at is None


def test_after_the_case_is_shredded_the_pages_say_so_and_show_nothing(s: Setting) -> None:
    ask_outside(s)
    asked = IdentityRequest.objects.get()
    case = s.journey.case
    Case.objects.filter(pk=case.pk).update(stage="closed", decision="not_upheld")
    retention.apply(dt.date.today() + dt.timedelta(days=5000), actor="system:test")
    page = signed_in(s.caseworker).get(f"/staff/cases/{case.reference}/identity")
    assert page.status_code == 200
    assert "Deleted" in _text(page)
    assert RECIPIENT not in _text(page)
    officer = signed_in(s.officer)
    assert case.reference not in _text(officer.get("/staff/identity-requests"))
    assert officer.get(f"/staff/identity-requests/{asked.pk}").status_code == 403


def test_a_reason_too_long_is_refused_whole_with_the_limit_in_words(s: Setting) -> None:
    url = f"/staff/cases/{s.journey.case.reference}/identity"
    long = "w" * 1001
    response = signed_in(s.caseworker).post(url, {"scope": "inside", "reason": long})
    assert response.status_code == 400
    page = _text(response)
    assert "must be 1,000 characters or fewer" in page
    assert long in page
    assert not IdentityRequest.objects.exists()
