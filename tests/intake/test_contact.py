"""Email for named and confidential complainants: verify, recover a lost code, update notices."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory

from redress.accounts import tokens
from redress.accounts.models import Role, Scope
from redress.cases import actions as case_actions
from redress.cases.models import AssignmentRole, Case
from redress.intake import contact
from redress.intake.models import Receipt
from redress.ledger.models import Entry
from redress.public.followup import lost_code
from tests.factories import make_staff
from tests.intake.helpers import fill_report, receipt_on

pytestmark = pytest.mark.django_db
EMAIL = "rhian@example.org"


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


def link_in(message: Any) -> str:
    match = re.search(r"http://[^\s]+", message.body)
    assert match
    return match.group(0).replace("http://127.0.0.1:8000", "")


def report_with_email(client: Client, capture: Any, *, updates: bool = True) -> str:
    contact_answers = {"contact_name": "Rhian", "contact_email": EMAIL}
    if updates:
        contact_answers["email_updates"] = "on"
    fill_report(client, identity={"identity": "confidential"}, contact=contact_answers)
    with capture(execute=True):
        client.post("/report/submit")
    return receipt_on(client.get("/report/sent").content.decode())


def test_email_is_verified_then_a_lost_code_is_replaced(
    client: Client, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    old_code = report_with_email(client, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    verification = mailoutbox[0]
    assert verification.to == [EMAIL]
    assert "He said my job" not in verification.body  # no content in email, ever
    assert bytes(Receipt.objects.get().email_digest or b"") == contact.email_digest(EMAIL)
    assert EMAIL.encode() not in bytes(Receipt.objects.get().email_digest or b"")

    assert Client().get(link_in(verification)).status_code == 200
    assert Receipt.objects.get().email_verified_at is not None

    stranger = Client()
    response = stranger.post("/check/lost-code", {"email": EMAIL.upper()})
    assert 'id="recovery-sent"' in response.content.decode()
    recovery = mailoutbox[-1]
    link = link_in(recovery)
    assert 'id="receipt-code"' not in stranger.get(link).content.decode()  # GET changes nothing
    page = stranger.post(link).content.decode()
    new_code = receipt_on(page)
    assert new_code != old_code
    assert Client().post("/check", {"code": old_code}).status_code == 400
    assert Client().post("/check", {"code": new_code}).status_code == 302
    assert stranger.post(link).status_code == 400  # a recovery link works once
    assert Entry.objects.filter(action="receipt.reissued").count() == 1


def test_unknown_or_unverified_addresses_get_the_same_answer_and_no_email(
    client: Client, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    report_with_email(client, django_capture_on_commit_callbacks)
    sent_before = len(mailoutbox)
    for address in (EMAIL, "nobody@example.org"):  # the first is not verified yet
        response = Client().post("/check/lost-code", {"email": address})
        assert 'id="recovery-sent"' in response.content.decode()
    assert len(mailoutbox) == sent_before


def test_forged_or_stale_links_do_nothing(client: Client) -> None:
    assert client.get("/check/verify-email/not-a-token").status_code == 400
    assert client.post("/check/recover/not-a-token").status_code == 400


def test_update_notice_carries_no_content(
    client: Client, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    report_with_email(client, django_capture_on_commit_callbacks)
    Client().get(link_in(mailoutbox[0]))
    case = Case.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert contact.notify_update(case)
    notice = mailoutbox[-1]
    assert "There is an update on your report" in notice.subject
    # Whoever on the staff side made the change, the complainant can read it: both languages.
    assert "Mae diweddariad ar eich adroddiad" in notice.subject
    assert case.narrative not in notice.body
    assert case.reference not in notice.body


def test_no_update_notices_without_opting_in(
    client: Client, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    report_with_email(client, django_capture_on_commit_callbacks, updates=False)
    Client().get(link_in(mailoutbox[0]))
    assert not contact.notify_update(Case.objects.get())


def test_lost_code_form_explains_a_bad_address(client: Client) -> None:
    response = client.post("/check/lost-code", {"email": "not an email"})
    assert response.status_code == 400
    assert "correct format" in response.content.decode()
    assert 'value="not an email"' in response.content.decode()


def test_the_recovery_email_goes_only_after_the_answer(
    client: Client, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    # Sending takes time (SMTP); sent during the request, the answer's delay would tell whether
    # an address ever reported. The answer is whole before anything is sent.
    report_with_email(client, django_capture_on_commit_callbacks)
    assert Client().get(link_in(mailoutbox.pop())).status_code == 200
    request = RequestFactory().post("/check/lost-code", {"email": EMAIL})
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
    response = lost_code(request)
    assert 'id="recovery-sent"' in response.content.decode()
    assert mailoutbox == []
    response.close()
    assert [m.subject for m in mailoutbox] == ["Get a new receipt code"]


def test_a_step_taken_through_the_case_api_tells_the_complainant_too(
    client: Client, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    report_with_email(client, django_capture_on_commit_callbacks)
    Client().get(link_in(mailoutbox[0]))
    case = Case.objects.get()
    worker = make_staff("cw", Role.CASEWORKER, totp=False, password=None)
    case_actions.assign(case, worker, AssignmentRole.CASEWORKER, actor="system:test")
    secret = tokens.issue(name="cms", scopes=[Scope.CASES_WRITE], actor=worker).secret
    with django_capture_on_commit_callbacks(execute=True):
        moved = Client().post(
            f"/api/cases/{case.reference}/transitions",
            {"to": "acknowledged", "reasons": "Read and in scope."},
            content_type="application/json",
            headers={"Authorization": f"Bearer {secret}"},
        )
    assert moved.status_code == 200
    assert "There is an update on your report" in mailoutbox[-1].subject
    assert mailoutbox[-1].to == [EMAIL]


def test_an_unconfirmed_address_can_be_sent_a_new_link_from_the_report(
    client: Client, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    # The first link lasts 7 days; without a confirmed address a lost code is lost for good.
    code = report_with_email(client, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    follower = Client()
    follower.post("/check", {"code": code})
    page = follower.get("/check/report").content.decode()
    assert 'name="resend_verification"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = follower.post("/check/report", {"resend_verification": "1"}, follow=True)
    assert 'id="verification-resent"' in response.content.decode()
    assert [m.to for m in mailoutbox] == [[EMAIL]]
    assert Client().get(link_in(mailoutbox[0])).status_code == 200
    assert 'name="resend_verification"' not in follower.get("/check/report").content.decode()


def test_an_anonymous_report_is_offered_no_link(client: Client) -> None:
    fill_report(client)
    client.post("/report/submit")
    code = receipt_on(client.get("/report/sent").content.decode())
    follower = Client()
    follower.post("/check", {"code": code})
    assert 'name="resend_verification"' not in follower.get("/check/report").content.decode()
