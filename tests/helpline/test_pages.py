"""The support adviser's pages: the queue and a request show the stage in words and what
support was asked for, never the allegation; each act has its own page, refuses bad input with
a 400 and the text kept, and says when it is done."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from redress.accounts.models import Role
from redress.cases.models import DirectoryLink, Message
from redress.helpline import actions
from redress.helpline.models import OfferedAt, Party, Referral, Status, SupportRequest
from tests.factories import make_staff, sign_in
from tests.helpline.helpers import ALLEGATION, MONDAY, adviser, case

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(client: Client) -> Client:
    sign_in(client, adviser())
    return client


def _request(notified: bool = False, party: str = Party.COMPLAINANT) -> SupportRequest:
    offered = OfferedAt.NOTIFICATION if party == Party.RESPONDENT else OfferedAt.ACKNOWLEDGEMENT
    return actions.ask_for_support(
        case(notified=notified), party, offered, "Someone to talk to after work"
    )


def _text(page: object) -> str:
    return page.content.decode()  # type: ignore[attr-defined]


def test_the_home_page_links_the_queue_for_advisers_only(ada: Client) -> None:
    assert "/staff/helpline" in _text(ada.get("/staff/"))
    other = Client()
    sign_in(other, make_staff("cara", Role.CASEWORKER))
    assert "/staff/helpline" not in _text(other.get("/staff/"))


def test_the_queue_shows_waiting_first_with_working_days_left_and_overdue(client: Client) -> None:
    with time_machine.travel(MONDAY, tick=False):
        late = _request()
    with time_machine.travel(MONDAY + dt.timedelta(days=3), tick=True):
        fresh = _request(notified=True, party=Party.RESPONDENT)
        sign_in(client, adviser())
        page = client.get("/staff/helpline")
    text = _text(page)
    assert page.status_code == 200
    assert text.index(f"/staff/helpline/{late.pk}") < text.index(f"/staff/helpline/{fresh.pk}")
    assert "Overdue" in text
    assert "2 working days left" in text
    assert "The report has just been made" in text
    assert ALLEGATION not in text


def test_every_helpline_page_keeps_the_allegation_out(ada: Client) -> None:
    request = _request()
    referral = actions.refer(request, "eap", by=make_staff("bea", Role.SUPPORT_ADVISER))
    for path in (
        "/staff/helpline",
        f"/staff/helpline/{request.pk}",
        f"/staff/helpline/{request.pk}/contact",
        f"/staff/helpline/{request.pk}/refer",
        f"/staff/helpline/{request.pk}/referrals/{referral.pk}/outcome",
        f"/staff/helpline/{request.pk}/close",
    ):
        page = ada.get(path)
        assert page.status_code == 200, path
        assert ALLEGATION not in _text(page), path
        assert "cornered" not in _text(page), path
    assert "Someone to talk to after work" in _text(ada.get(f"/staff/helpline/{request.pk}"))


def test_writing_to_the_complainant_sends_a_message_with_a_banner(ada: Client) -> None:
    request = _request()
    page = ada.post(f"/staff/helpline/{request.pk}/contact", {"body": "Hello from Ada."})
    assert page.status_code == 302
    follow = ada.get(page["Location"])
    assert "Your message was sent." in _text(follow)
    assert "Hello from Ada." in _text(follow)
    assert Message.objects.get(case=request.case).body == "Hello from Ada."
    request.refresh_from_db()
    assert request.status == Status.CONTACTED


def test_bad_input_is_refused_with_400_and_the_text_kept(ada: Client) -> None:
    request = _request()
    long = "Call me on Tuesday. " * 300
    page = ada.post(f"/staff/helpline/{request.pk}/contact", {"body": long})
    assert page.status_code == 400
    assert "There is a problem" in _text(page)
    assert "The message must be 5,000 characters or fewer" in _text(page)
    assert long.strip() in _text(page)
    page = ada.post(f"/staff/helpline/{request.pk}/refer", {"service": "a-friend"})
    assert page.status_code == 400
    assert "Select a support service" in _text(page)
    page = ada.post(f"/staff/helpline/{request.pk}/close", {})
    assert page.status_code == 400
    assert not Message.objects.exists()
    assert not Referral.objects.exists()
    request.refresh_from_db()
    assert request.status == Status.WAITING


def test_refer_record_the_outcome_and_close(ada: Client) -> None:
    request = _request()
    page = ada.post(f"/staff/helpline/{request.pk}/refer", {"service": "isva"})
    assert page.status_code == 302
    text = _text(ada.get(page["Location"]))
    assert "The referral to Independent sexual violence adviser service was recorded." in text
    referral = Referral.objects.get()
    match = re.search(r'href="(/staff/helpline/\d+/referrals/\d+/outcome)"', text)
    assert match
    page = ada.post(match.group(1), {"outcome": "taken_up"})
    assert page.status_code == 302
    assert ada.get(match.group(1)).status_code == 404  # recorded once
    referral.refresh_from_db()
    assert referral.outcome == "taken_up"
    page = ada.post(f"/staff/helpline/{request.pk}/close", {"reason": "referred"})
    assert page.status_code == 302
    assert "The support request was closed." in _text(ada.get(page["Location"]))
    page = ada.post(f"/staff/helpline/{request.pk}/contact", {"body": "Hello"})
    assert page.status_code == 400
    assert "This support request is closed." in _text(page)
    assert request.pk not in [r.pk for r in SupportRequest.objects.exclude(status="closed")]


def test_an_adviser_complained_about_cannot_open_the_request(client: Client) -> None:
    request = _request()
    ada = adviser()
    DirectoryLink.objects.create(user=ada, person=request.case.respondent)
    sign_in(client, ada)
    assert client.get(f"/staff/helpline/{request.pk}").status_code == 403


def test_the_queue_and_the_request_are_in_welsh(ada: Client) -> None:
    request = _request()
    ada.get("/language/cy?next=/")
    queue = _text(ada.get("/staff/helpline", HTTP_ACCEPT_LANGUAGE="cy"))
    assert "Ceisiadau am gymorth" in queue
    page = _text(ada.get(f"/staff/helpline/{request.pk}", HTTP_ACCEPT_LANGUAGE="cy"))
    assert "Y cymorth y gofynnwyd amdano" in page


def test_oversight_sees_the_helpline_in_numbers_only(client: Client) -> None:
    with time_machine.travel(MONDAY, tick=False):
        late = _request()
    actions.refer(late, "samaritans", by=adviser("bea"))
    with time_machine.travel(MONDAY + dt.timedelta(days=7), tick=True):
        sign_in(client, make_staff("olive", Role.OVERSIGHT))
        assert "/staff/helpline/numbers" in _text(client.get("/staff/"))
        page = _text(client.get("/staff/helpline/numbers"))
        assert client.get(f"/staff/helpline/{late.pk}").status_code == 403
    assert re.search(r"Of those, overdue</dt><dd[^>]*>1<", page)
    assert re.search(r"Samaritans \(listening, day or night\)</dt><dd[^>]*>1<", page)
    assert late.case.reference not in page
    assert "Someone to talk to after work" not in page
