"""Staff are emailed when their password or second factor changes (OWASP ASVS V2.2.3).

One plain email to the account's address, sent only once the change is committed, saying what
changed and when, with no secret in it, and who to tell if it was not them.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from redress.accounts.models import Role, User
from redress.accounts.second_factor import (
    SECOND_FACTOR_RESET,
    current_code,
    notify_account_change,
    reset_second_factor,
)
from redress.ledger.models import Entry
from tests.factories import PASSWORD, make_staff, sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a quite different passphrase 2026"
NOT_YOU = "If this was not you, tell your administrator at once."


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


def _staff(username: str = "ffion", *, totp: bool = True) -> User:
    user = make_staff(username, Role.CASEWORKER, totp=totp)
    user.email = f"{username}@scheme.example"
    user.save(update_fields=["email"])
    return user


def _only_message() -> mail.EmailMessage:
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    return mail.outbox[0]


def _assert_no_secret(message: mail.EmailMessage, *secrets: str) -> None:
    text = f"{message.subject}\n{message.body}"
    for secret in secrets:
        assert secret not in text
    assert not message.alternatives  # plain text only
    assert not message.attachments


def test_setting_up_an_authenticator_emails_its_holder_after_commit(
    client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    user = _staff("newcomer", totp=False)
    client.post("/staff/sign-in", {"username": "newcomer", "password": PASSWORD})
    client.get("/staff/sign-in/set-up-authenticator")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    code = current_code(device)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/staff/sign-in/set-up-authenticator", {"code": code})
    assert response.status_code == 302
    assert len(callbacks) == 1
    message = _only_message()
    assert message.to == ["newcomer@scheme.example"]
    assert "staff account was changed" in message.subject
    assert "A new authenticator app was set up" in message.body
    assert NOT_YOU in message.body
    secret_key = base64.b32encode(device.bin_key).decode().rstrip("=")
    _assert_no_secret(message, secret_key, device.key, code, PASSWORD, "newcomer")
    assert Entry.objects.filter(
        action="accounts.second_factor_enrolled", object=f"user:{user.pk}"
    ).exists()


def test_a_wrong_code_while_setting_up_sends_nothing(
    client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    _staff("newcomer", totp=False)
    client.post("/staff/sign-in", {"username": "newcomer", "password": PASSWORD})
    client.get("/staff/sign-in/set-up-authenticator")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/staff/sign-in/set-up-authenticator", {"code": "000000"})
    assert mail.outbox == []


def test_an_ordinary_sign_in_sends_nothing(
    client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    user = _staff()
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(client, user)
    assert mail.outbox == []


def test_resetting_the_second_factor_emails_its_holder_and_locks_the_old_device_out(
    client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    user = _staff()
    sign_in(client, user)
    device = TOTPDevice.objects.get(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("reset_second_factor", "ffion", "--actor", "system:test")
    message = _only_message()
    assert message.to == ["ffion@scheme.example"]
    assert "authenticator app of your" in message.body
    assert "removed on " in message.body
    assert NOT_YOU in message.body
    _assert_no_secret(message, device.key, PASSWORD, "ffion")
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert Entry.objects.filter(
        action="accounts.second_factor_reset", actor="system:test", object=f"user:{user.pk}"
    ).exists()
    # The session verified with the removed device no longer opens staff pages.
    assert client.get("/staff/").status_code != 200


def test_changing_the_password_emails_its_holder_without_the_password(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    user = _staff()
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("change_password", "ffion")
    message = _only_message()
    assert message.to == ["ffion@scheme.example"]
    assert "The password of your" in message.body
    assert "was changed on " in message.body
    assert NOT_YOU in message.body
    _assert_no_secret(message, NEW_PASSWORD, PASSWORD, "ffion")
    assert authenticate(username="ffion", password=NEW_PASSWORD) == user
    assert Entry.objects.filter(
        action="accounts.password_changed", object=f"user:{user.pk}"
    ).exists()


def test_a_refused_password_changes_nothing_and_sends_nothing(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    _staff()
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "short")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CommandError):
        call_command("change_password", "ffion")
    answers = iter([NEW_PASSWORD, NEW_PASSWORD + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CommandError):
        call_command("change_password", "ffion")
    assert mail.outbox == []
    assert authenticate(username="ffion", password=PASSWORD) is not None


def test_nothing_is_sent_when_the_change_is_rolled_back(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    user = _staff()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                reset_second_factor(user, actor="system:test")
                raise RuntimeError("something later in the same act failed")
        except RuntimeError:
            pass
    assert mail.outbox == []
    assert TOTPDevice.objects.filter(user=user).exists()


def test_the_notice_says_when_in_the_scheme_s_time(
    django_capture_on_commit_callbacks: Callable[..., Any], time_machine: Any
) -> None:
    user = _staff()
    time_machine.move_to("2026-07-01 09:30:00+00:00", tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify_account_change(user, SECOND_FACTOR_RESET)
    assert "on 1 July 2026, 10:30 BST." in _only_message().body


def test_an_account_without_an_address_is_changed_but_not_emailed(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    user = make_staff("noaddress", Role.CASEWORKER)
    with django_capture_on_commit_callbacks(execute=True):
        reset_second_factor(user, actor="system:test")
    assert mail.outbox == []
    assert not TOTPDevice.objects.filter(user=user).exists()
