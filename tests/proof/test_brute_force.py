"""Brute force at high rate: receipt-code guessing from one client and from many, and staff
sign-in guessing, are throttled. Each test prints how many attempts were actually tried (not
refused outright) in a minute, and asserts the cap."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from redress.accounts.models import Role
from redress.ledger.models import Entry
from tests.factories import make_staff

pytestmark = pytest.mark.django_db
ATTEMPTS = 200


def _wrong_code(n: int) -> str:
    return f"{n:020d}"[:20].replace("0", "A")


def test_one_client_guessing_codes_gets_five_tries(capsys: pytest.CaptureFixture[str]) -> None:
    cache.clear()
    client = Client(REMOTE_ADDR="203.0.113.7")
    tried = 0
    for n in range(ATTEMPTS):
        response = client.post("/check", {"code": _wrong_code(n)})
        if "could not find a report" in response.content.decode():
            tried += 1
    print(f"one client: {tried} of {ATTEMPTS} guesses tried in under a minute")
    assert tried == 5
    assert Entry.objects.filter(action="receipt.refused").count() == 5
    # The pause itself is on the record, once, and says nothing of who was paused.
    paused = Entry.objects.filter(action="receipt.entry_paused")
    assert list(paused.values_list("actor", "object")) == [("complainant", "receipt:one-client")]


def test_many_clients_are_capped_across_the_service(
    settings, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    cache.clear()
    settings.RECEIPT_GLOBAL_FAILURES_PER_MINUTE = 50
    tried = 0
    for n in range(ATTEMPTS):
        # Each in a network of its own: the per-network count would pause a shared one first.
        client = Client(REMOTE_ADDR=f"198.51.{n % 250}.7", HTTP_USER_AGENT=f"bot-{n}")
        response = client.post("/check", {"code": _wrong_code(n)})
        if "could not find a report" in response.content.decode():
            tried += 1
    print(f"{ATTEMPTS} clients: {tried} guesses tried in under a minute (cap 50 a minute)")
    assert tried <= 50
    paused = Entry.objects.filter(action="receipt.entry_paused", object="receipt:everyone")
    assert paused.count() == 1


def test_staff_sign_in_guessing_is_locked_out(capsys: pytest.CaptureFixture[str]) -> None:
    cache.clear()
    make_staff("target", Role.CASEWORKER)
    client = Client(REMOTE_ADDR="203.0.113.9")
    tried = 0
    for n in range(ATTEMPTS // 4):
        response = client.post("/staff/sign-in", {"username": "target", "password": f"guess-{n}"})
        text = response.content.decode()
        if "Too many" not in text and "locked" not in text.lower():
            tried += 1
    print(f"staff sign-in: {tried} of {ATTEMPTS // 4} password guesses tried")
    assert tried <= 5
