"""Nobody can use Redress to flood an inbox: every public action that sends email counts per
address (3 an hour) and per client (10 an hour) in the shared cache, fails closed, and answers
the same when it skips the email."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client
from redis.exceptions import ConnectionError as RedisConnectionError

from redress.accounts.throttle import address_key, email_allowed
from redress.intake.models import Receipt
from tests.factories import API_REPORT
from tests.intake.test_contact import EMAIL, link_in, report_with_email

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


def _api_report(client: Client, email: str) -> Any:
    body = {
        **API_REPORT,
        "identity": "confidential",
        "contact_name": "Rhian",
        "contact_email": email,
    }
    return client.post("/api/reports", body, content_type="application/json")


def test_api_reports_send_at_most_three_emails_to_one_address(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    """Twelve reports with one contact address, from twelve clients: every report is made, three
    confirmation emails go, and the answer says which were skipped."""
    said = []
    for n in range(12):
        with django_capture_on_commit_callbacks(execute=True):
            response = _api_report(Client(REMOTE_ADDR=f"198.51.{n}.7"), EMAIL)
        assert response.status_code == 201
        said.append(response.json()["verification_email"])
    assert said == ["sent"] * 3 + ["skipped"] * 9
    assert len(mailoutbox) == 3
    assert Receipt.objects.count() == 12


def test_one_client_sends_at_most_ten_emails(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(12):
        with django_capture_on_commit_callbacks(execute=True):
            assert _api_report(client, f"person{n}@example.org").status_code == 201
    assert len(mailoutbox) == 10
    anonymous = client.post("/api/reports", API_REPORT, content_type="application/json")
    assert "verification_email" not in anonymous.json()  # no address, nothing to say


def test_lost_code_links_to_one_address_are_limited_and_answer_the_same(
    client: Client, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    report_with_email(client, django_capture_on_commit_callbacks)  # the first of three
    Client().get(link_in(mailoutbox[0]))
    pages = set()
    for n in range(6):
        response = Client(REMOTE_ADDR=f"198.51.{n}.9").post("/check/lost-code", {"email": EMAIL})
        pages.add(response.content.decode().count('id="recovery-sent"'))
    assert pages == {1}  # the same answer every time
    assert len(mailoutbox) == 3


def test_asking_again_for_the_confirmation_link_is_limited(
    client: Client, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    code = report_with_email(client, django_capture_on_commit_callbacks)
    for n in range(5):  # from different clients, each signed in with the code
        complainant = Client(REMOTE_ADDR=f"198.51.{n}.5")
        assert complainant.post("/check", {"code": code}).status_code == 302
        with django_capture_on_commit_callbacks(execute=True):
            response = complainant.post("/check/report", {"resend_verification": "1"})
        assert response.status_code == 302
    assert len(mailoutbox) == 3


def test_the_count_fails_closed_and_never_holds_the_address(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    assert email_allowed(EMAIL, client="a-client")
    held = " ".join(str(key) for key in cache._cache)  # type: ignore[attr-defined]
    assert EMAIL not in held
    assert "rhian" not in held
    assert address_key(EMAIL) in held  # a keyed digest stands for it
    assert address_key(EMAIL) == address_key(" Rhian@Example.org ")

    down = RedisConnectionError("down")
    with (
        mock.patch.object(cache, "get_many", side_effect=down),
        mock.patch.object(cache, "add", side_effect=down),
        mock.patch.object(cache, "incr", side_effect=down),
    ):
        assert not email_allowed("someone@example.org", client="a-client")
        with django_capture_on_commit_callbacks(execute=True):
            response = _api_report(Client(), "someone@example.org")
    assert response.status_code == 201  # the report is made
    assert response.json()["verification_email"] == "skipped"
    assert mailoutbox == []
