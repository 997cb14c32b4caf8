"""Escrow starts cannot flood an inbox: at most 3 confirmation emails an hour go to one
address and 10 are asked for by one client; the page answers the same when one is skipped."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from redress.accounts.models import Role
from redress.directory.models import Person, PersonKind
from redress.escrow import actions
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def setup() -> None:
    cache.clear()
    actions.create_counsellor_key(
        make_staff("counsellor", Role.ESCROW_COUNSELLOR), "the counsellor's long passphrase"
    )
    Person.objects.create(identifier="M-5", name="Perry Member", kind=PersonKind.MEMBER)


def _start(client: Client, email: str, capture) -> str:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        response = client.post(
            "/escrow", {"respondent": "M-5", "report": "It happened.", "email": email}
        )
    assert response.status_code == 200
    return response.content.decode()


def test_twelve_starts_to_one_address_send_three_emails(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    mail.outbox.clear()
    for n in range(12):
        page = _start(
            Client(REMOTE_ADDR=f"198.51.{n}.3"),
            "ann@example.org",
            django_capture_on_commit_callbacks,
        )
        assert "Check your email" in page
    assert len(mail.outbox) == 3


def test_twelve_starts_from_one_client_send_ten_emails(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    mail.outbox.clear()
    client = Client(REMOTE_ADDR="203.0.113.3")
    for n in range(12):
        page = _start(client, f"person{n}@example.org", django_capture_on_commit_callbacks)
        assert "Check your email" in page
    assert len(mail.outbox) == 10
