"""Staff sign-in: password (Argon2id), then a mandatory TOTP code; throttled; idle timeout."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from redress.accounts.models import Role, User
from redress.accounts.second_factor import current_code
from redress.ledger.models import Entry
from tests.factories import PASSWORD, make_staff, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


def test_passwords_are_stored_with_argon2id() -> None:
    user = make_staff("ffion", Role.CASEWORKER)
    assert user.password.startswith("argon2$argon2id$")


def test_password_alone_does_not_sign_in(client: Client) -> None:
    make_staff("ffion", Role.CASEWORKER)
    client.post("/staff/sign-in", {"username": "ffion", "password": PASSWORD})
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/sign-in")


def test_password_and_code_sign_in_and_are_ledgered(client: Client) -> None:
    user = make_staff("ffion", Role.CASEWORKER)
    sign_in(client, user)
    response = client.get("/staff/")
    assert response.status_code == 200
    assert "Signed in as ffion" in response.content.decode()
    assert Entry.objects.filter(action="accounts.signed_in", actor=f"user:{user.pk}").exists()


def test_wrong_password_gets_a_message_and_keeps_the_username(client: Client) -> None:
    make_staff("ffion", Role.CASEWORKER)
    response = client.post("/staff/sign-in", {"username": "ffion", "password": "nope"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "The username or password is not right" in body
    assert 'value="ffion"' in body
    assert "nope" not in body


def test_empty_form_says_what_is_missing(client: Client) -> None:
    response = client.post("/staff/sign-in", {})
    body = response.content.decode()
    assert "Enter your username" in body
    assert "Enter your password" in body
    assert "govuk-error-summary" in body


def test_wrong_code_is_refused(client: Client) -> None:
    make_staff("ffion", Role.CASEWORKER)
    client.post("/staff/sign-in", {"username": "ffion", "password": PASSWORD})
    response = client.post("/staff/sign-in/code", {"code": "000000"})
    assert response.status_code == 400
    assert client.get("/staff/").status_code == 302


def test_repeated_failures_lock_the_account_out_even_with_the_right_password(
    client: Client,
) -> None:
    make_staff("ffion", Role.CASEWORKER)
    for _ in range(settings.SIGN_IN_MAX_FAILURES):
        client.post("/staff/sign-in", {"username": "ffion", "password": "wrong"})
    response = client.post("/staff/sign-in", {"username": "ffion", "password": PASSWORD})
    assert response.status_code == 400
    assert "Too many failed attempts" in response.content.decode()


def test_repeated_wrong_codes_lock_out(client: Client) -> None:
    user = make_staff("ffion", Role.CASEWORKER)
    client.post("/staff/sign-in", {"username": "ffion", "password": PASSWORD})
    for _ in range(settings.SIGN_IN_MAX_FAILURES):
        client.post("/staff/sign-in/code", {"code": "000000"})
    device = TOTPDevice.objects.get(user=user)
    response = client.post("/staff/sign-in/code", {"code": current_code(device)})
    assert "Too many failed attempts" in response.content.decode()


def test_staff_without_an_authenticator_must_set_one_up(client: Client) -> None:
    user = make_staff("newcomer", Role.CASEWORKER, totp=False)
    client.post("/staff/sign-in", {"username": "newcomer", "password": PASSWORD})
    response = client.get("/staff/sign-in/code")
    assert response.headers["Location"] == "/staff/sign-in/set-up-authenticator"
    page = client.get("/staff/sign-in/set-up-authenticator").content.decode()
    assert "data:image/svg+xml" in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/staff/sign-in/set-up-authenticator", {"code": current_code(device)})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/staff/").status_code == 200


def test_session_ends_after_fifteen_idle_minutes() -> None:
    assert settings.SESSION_COOKIE_AGE == 15 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_sign_in_does_not_redirect_off_site(client: Client) -> None:
    user = make_staff("ffion", Role.CASEWORKER)
    client.post(
        "/staff/sign-in?next=https://attacker.example/",
        {"username": "ffion", "password": PASSWORD},
    )
    device = TOTPDevice.objects.get(user=user)
    response = client.post("/staff/sign-in/code", {"code": current_code(device)})
    assert response.headers["Location"] == "/staff/"


def test_demo_mode_shows_the_code_for_demo_accounts_only(
    client: Client, settings: pytest.FixtureRequest
) -> None:
    settings.DEMO_MODE = True  # type: ignore[attr-defined]
    real = make_staff("real", Role.CASEWORKER)
    client.post("/staff/sign-in", {"username": "real", "password": PASSWORD})
    assert 'id="demo-code"' not in client.get("/staff/sign-in/code").content.decode()
    User.objects.filter(pk=real.pk).update(is_demo=True)
    assert 'id="demo-code"' in client.get("/staff/sign-in/code").content.decode()


def test_sign_out_ends_the_session(client: Client) -> None:
    sign_in(client, make_staff("ffion", Role.CASEWORKER))
    client.post("/staff/sign-out")
    assert client.get("/staff/").status_code == 302
