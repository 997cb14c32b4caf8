"""Reaching the respondent's pages: the emailed link, the session it starts, a new link."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from redress.cases import actions
from redress.ledger.models import Entry
from redress.respond import views
from tests.respond.journey import (
    ALLEGATIONS,
    RESPONDENT_EMAIL,
    Journey,
    link_in,
    open_link,
    reported,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def notified(clock: time_machine.Traveller) -> tuple[Journey, str]:
    journey = reported()
    journey.to_investigation()
    journey.write_allegations()
    return journey, journey.notify()


def test_the_link_opens_the_case_then_the_session_carries_on(
    notified: tuple[Journey, str],
) -> None:
    journey, token = notified
    client = Client()
    response = client.get(f"/respond/open/{token}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/respond/"  # the secret leaves the address bar
    page = client.get("/respond/").content.decode()
    assert ALLEGATIONS in page
    assert journey.case.reference in page
    assert token not in page
    client.get("/respond/")
    opened = Entry.objects.filter(
        action="case.respondent_opened", object=f"case:{journey.case.reference}"
    )
    assert opened.count() == 1  # the first opening is ledgered, once


def test_opening_the_link_starts_a_new_session(notified: tuple[Journey, str]) -> None:
    _, token = notified
    client = Client()
    client.get("/respond/new-link")
    before = client.session.session_key
    client.get(f"/respond/open/{token}")
    assert client.session.session_key != before  # a planted session id is not carried over


def test_a_forged_link_explains_how_to_get_a_new_one(notified: tuple[Journey, str]) -> None:
    response = Client().get("/respond/open/not-a-real-token")
    assert response.status_code == 400
    page = response.content.decode()
    assert "This link does not work" in page
    assert 'href="/respond/new-link"' in page
    assert ALLEGATIONS not in page


def test_a_newer_link_ends_the_older_one_and_its_session(notified: tuple[Journey, str]) -> None:
    journey, old = notified
    session = open_link(old)
    new = journey.notify()
    assert Client().get(f"/respond/open/{old}").status_code == 400
    page = session.get("/respond/").content.decode()
    assert ALLEGATIONS not in page
    assert "you were sent a link by email" in page
    assert ALLEGATIONS in open_link(new).get("/respond/").content.decode()


def test_a_link_expires_after_thirty_days(
    notified: tuple[Journey, str], clock: time_machine.Traveller
) -> None:
    _, token = notified
    clock.shift(dt.timedelta(days=30, minutes=1))
    response = Client().get(f"/respond/open/{token}")
    assert response.status_code == 400
    assert "It may have expired" in response.content.decode()


def test_the_session_ends_after_idle_time_but_not_while_in_use(
    notified: tuple[Journey, str], clock: time_machine.Traveller
) -> None:
    _, token = notified
    client = open_link(token)
    for _ in range(3):  # reading every 20 minutes keeps it open
        clock.shift(dt.timedelta(minutes=20))
        assert ALLEGATIONS in client.get("/respond/").content.decode()
    clock.shift(dt.timedelta(minutes=31))
    page = client.get("/respond/").content.decode()
    assert ALLEGATIONS not in page
    assert "signed out after 30 minutes" in page


def test_signing_out_ends_the_session(notified: tuple[Journey, str]) -> None:
    _, token = notified
    client = open_link(token)
    assert client.post("/respond/leave").status_code == 302
    assert ALLEGATIONS not in client.get("/respond/").content.decode()


def test_a_new_link_goes_only_to_the_respondents_address(
    notified: tuple[Journey, str],
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    _, old = notified
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/respond/new-link", {"email": RESPONDENT_EMAIL.upper()})
    known = response.content.decode()
    assert "Check your email" in known
    assert [m.to for m in mailoutbox] == [[RESPONDENT_EMAIL]]
    assert ALLEGATIONS not in mailoutbox[0].body  # the email carries a link, not the substance
    assert (
        ALLEGATIONS
        in open_link(link_in(mailoutbox[0].body)[len("/respond/open/") :])
        .get("/respond/")
        .content.decode()
    )
    assert Client().get(f"/respond/open/{old}").status_code == 400  # the new one is in use
    assert Entry.objects.filter(action="case.respondent_link_resent").count() == 1

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/respond/new-link", {"email": "someone.else@example.org"})
    assert mailoutbox == []
    # The same answer whether or not the address is a respondent's.
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()


def test_no_new_link_for_a_case_nobody_has_told_them_about(
    clock: time_machine.Traveller, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    journey = reported()
    journey.to_investigation()
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/respond/new-link", {"email": RESPONDENT_EMAIL})
    assert mailoutbox == []
    assert actions.resend_invitation(RESPONDENT_EMAIL) == 0


def test_new_link_requests_are_throttled(notified: tuple[Journey, str]) -> None:
    client = Client()
    for _ in range(5):
        assert client.post("/respond/new-link", {"email": RESPONDENT_EMAIL}).status_code == 200
    response = client.post("/respond/new-link", {"email": RESPONDENT_EMAIL})
    assert response.status_code == 400
    assert "Too many requests" in response.content.decode()


def test_a_mistyped_address_is_explained_and_kept(notified: tuple[Journey, str]) -> None:
    response = Client().post("/respond/new-link", {"email": "m.ashdown at example"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter an email address in the correct format" in page
    assert 'value="m.ashdown at example"' in page
    assert "govuk-error-summary" in page


def _new_link(email: str) -> Any:
    request = RequestFactory().post("/respond/new-link", {"email": email})
    request.client_fingerprint = "a-client"  # type: ignore[attr-defined]
    return views.new_link(request)


def test_the_new_link_page_does_the_same_work_for_any_address(
    notified: tuple[Journey, str],
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Whether the address is a respondent's changes nothing the request does: the same
    queries, no email inside it; the lookup and the sending follow the answer."""
    mailoutbox.clear()
    answers, queries = {}, {}
    for email in (RESPONDENT_EMAIL, "nobody.known@example.org"):
        sent_before = len(mailoutbox)
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            CaptureQueriesContext(connection) as seen,
        ):
            response = _new_link(email)
        answers[email], queries[email] = response.content, len(seen.captured_queries)
        assert callbacks == []
        assert len(mailoutbox) == sent_before  # nothing is sent inside the request
        with django_capture_on_commit_callbacks(execute=True):
            for after in response._resource_closers:  # what the server runs once it has gone
                after()
    assert queries[RESPONDENT_EMAIL] == queries["nobody.known@example.org"]
    assert answers[RESPONDENT_EMAIL] == answers["nobody.known@example.org"]
    assert [m.to for m in mailoutbox] == [[RESPONDENT_EMAIL]]  # sent after the answer


def test_asking_for_a_new_link_keeps_the_working_one(
    notified: tuple[Journey, str],
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A stranger asking in the respondent's name cannot cut them off: the link they have keeps
    working until a new one is opened, and asking again and again leaves few links live."""
    journey, working = notified
    mailoutbox.clear()
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            actions.resend_invitation(RESPONDENT_EMAIL)
    assert open_link(working).get("/respond/").status_code == 200
    live = journey.case.invitations.filter(revoked_at__isnull=True)
    assert live.count() == 2  # the working link and the newest; unopened new ones ended
    newest = link_in(mailoutbox[-1].body)[len("/respond/open/") :]
    assert ALLEGATIONS in open_link(newest).get("/respond/").content.decode()
    assert Client().get(f"/respond/open/{working}").status_code == 400
    assert live.count() == 1


def test_new_links_to_one_address_are_limited(
    notified: tuple[Journey, str],
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """From many clients, one address still gets at most three new links an hour; the page
    answers the same when one is not sent."""
    mailoutbox.clear()
    for n in range(5):
        client = Client(REMOTE_ADDR=f"198.51.{n}.7")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/respond/new-link", {"email": RESPONDENT_EMAIL})
        assert response.status_code == 200
        assert "Check your email" in response.content.decode()
    assert len(mailoutbox) == 3
