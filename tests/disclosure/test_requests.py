"""Asking for a sealed identity and deciding: a second role approves, never the asker; outside
the scheme the complainant is told first (or an exception is recorded and confirmed); it is
shown once per approval; every step is in the ledger."""

from __future__ import annotations

import html

import pytest

from redress.cases.models import Direction, Message
from redress.disclosure import actions
from redress.disclosure.models import IdentityRequest
from redress.ledger.models import Entry
from redress.ledger.verification import verify
from tests.cases.helpers import handler
from tests.disclosure.helpers import (
    PURPOSE,
    RECIPIENT,
    Setting,
    ask_inside,
    ask_outside,
    setting,
)
from tests.respond.journey import EMAIL, NAME

pytestmark = pytest.mark.django_db


@pytest.fixture
def s() -> Setting:
    return setting()


def _actions(request: IdentityRequest) -> list[str]:
    entries = Entry.objects.filter(object=f"disclosure.request:{request.pk}").order_by("seq")
    return list(entries.values_list("action", flat=True))


def test_without_approval_the_identity_is_not_shown(s: Setting) -> None:
    asked = ask_inside(s)
    with pytest.raises(actions.DisclosureError, match="not been approved"):
        actions.open_identity(asked, by=s.caseworker)
    assert _actions(asked) == ["disclosure.asked"]


def test_nobody_approves_their_own_request(s: Setting) -> None:
    asked = actions.ask(s.journey.case, by=s.maker, scope="inside", reason="To write to them.")
    with pytest.raises(actions.DisclosureError, match="your own request"):
        actions.decide(asked, by=s.maker, approve=True, reason="I need it.")
    assert IdentityRequest.objects.get(pk=asked.pk).decided_at is None


def test_only_a_second_role_decides(s: Setting) -> None:
    asked = ask_inside(s)
    for stranger in (s.journey.investigator, s.caseworker):
        with pytest.raises(actions.DisclosureError):
            actions.decide(asked, by=stranger, approve=True, reason="Looks fine.")


def test_a_handler_not_on_the_case_cannot_ask(s: Setting) -> None:
    from redress.cases.models import AssignmentRole

    outsider = handler(AssignmentRole.CASEWORKER)
    with pytest.raises(actions.DisclosureError, match="assigned to the case"):
        actions.ask(s.journey.case, by=outsider, scope="inside", reason="Curious.")


def test_read_inside_once_per_approval_and_ledgered(s: Setting) -> None:
    asked = ask_inside(s)
    actions.decide(asked, by=s.officer, approve=True, reason="Needed for the interview.")
    identity = actions.open_identity(asked, by=s.caseworker)
    assert identity["name"] == NAME
    assert identity["email"] == EMAIL
    with pytest.raises(actions.DisclosureError, match="shown once"):
        actions.open_identity(asked, by=s.caseworker)
    assert _actions(asked) == ["disclosure.asked", "disclosure.approved", "disclosure.read"]
    assert verify().ok


def test_a_refused_request_never_opens(s: Setting) -> None:
    asked = ask_inside(s)
    actions.decide(asked, by=s.maker, approve=False, reason="Not needed to assess the case.")
    with pytest.raises(actions.DisclosureError):
        actions.open_identity(asked, by=s.caseworker)
    assert _actions(asked) == ["disclosure.asked", "disclosure.refused"]


def test_outside_disclosure_without_the_notice_is_refused(s: Setting) -> None:
    asked = ask_outside(s)
    actions.decide(asked, by=s.officer, approve=True, reason="The police need a statement.")
    with pytest.raises(actions.DisclosureError, match="Tell the complainant first"):
        actions.open_identity(asked, by=s.caseworker)


def test_with_the_notice_the_complainant_sees_it_and_the_list(s: Setting) -> None:
    asked = ask_outside(s)
    actions.decide(asked, by=s.officer, approve=True, reason="The police need a statement.")
    actions.notify(asked, by=s.caseworker)
    notice = Message.objects.filter(case=s.journey.case, direction=Direction.TO_COMPLAINANT).latest(
        "pk"
    )
    assert RECIPIENT in (notice.body or "")
    assert PURPOSE in (notice.body or "")
    identity = actions.open_identity(asked, by=s.caseworker)
    assert identity["name"] == NAME
    assert _actions(asked) == [
        "disclosure.asked",
        "disclosure.approved",
        "disclosure.notice_sent",
        "disclosure.disclosed",
    ]
    page = html.unescape(s.journey.complainant.get("/check/report").content.decode())
    assert page.count(RECIPIENT) >= 2  # in the message, and in the list of disclosures
    listed = page[page.index('id="disclosures"') :]
    assert RECIPIENT in listed
    assert PURPOSE in listed
    assert "Shared on" in listed
    assert NAME not in page


def test_an_exception_needs_its_reason_and_tells_the_complainant_once_lifted(
    s: Setting,
) -> None:
    asked = ask_outside(s)
    with pytest.raises(actions.DisclosureError, match="at risk"):
        actions.decide(
            asked, by=s.officer, approve=True, reason="Statement needed.", tell_first=False
        )
    actions.decide(
        asked,
        by=s.officer,
        approve=True,
        reason="Statement needed.",
        tell_first=False,
        exception_reason="The respondent is a suspect and may be tipped off.",
    )
    with pytest.raises(actions.DisclosureError, match="exception"):
        actions.notify(asked, by=s.caseworker)
    assert actions.open_identity(asked, by=s.caseworker)["name"] == NAME
    page = html.unescape(s.journey.complainant.get("/check/report").content.decode())
    assert RECIPIENT not in page  # not yet: the exception stands
    with pytest.raises(actions.DisclosureError):
        actions.lift_exception(asked, by=s.caseworker)  # not a second role
    actions.lift_exception(asked, by=s.maker)
    actions.notify(asked, by=s.caseworker)
    page = html.unescape(s.journey.complainant.get("/check/report").content.decode())
    listed = page[page.index('id="disclosures"') :]
    assert RECIPIENT in listed
    assert "after it was shared" in listed
    assert _actions(asked) == [
        "disclosure.asked",
        "disclosure.approved",
        "disclosure.exception_recorded",
        "disclosure.disclosed",
        "disclosure.exception_lifted",
        "disclosure.notice_sent",
    ]
