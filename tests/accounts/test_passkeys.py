"""Passkeys as a second factor: each refusal path, with real WebAuthn data from a software
authenticator (py_webauthn checks it for real), and the views that add, remove and use them."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from redress.accounts import passkeys
from redress.accounts.models import Passkey, Role, User
from redress.accounts.second_factor import reset_second_factor
from redress.ledger.models import Entry
from tests.accounts.soft_authenticator import SoftAuthenticator
from tests.factories import PASSWORD, make_staff, sign_in

pytestmark = pytest.mark.django_db

RP_ID = "redress.example"
ORIGIN = "https://redress.example"


@pytest.fixture(autouse=True)
def _relying_party(settings: Any) -> None:
    settings.WEBAUTHN_RP_ID = RP_ID
    settings.WEBAUTHN_ORIGIN = ORIGIN
    cache.clear()


def _staff(username: str = "ffion", *, totp: bool = True) -> User:
    user = make_staff(username, Role.CASEWORKER, totp=totp)
    user.email = f"{username}@scheme.example"
    user.save(update_fields=["email"])
    return user


def _added(user: User, session: dict[str, Any] | None = None) -> tuple[SoftAuthenticator, Passkey]:
    key = SoftAuthenticator(RP_ID, ORIGIN)
    session = {} if session is None else session
    options = passkeys.registration_options(session, user)
    passkey = passkeys.register(session, user, name="Laptop", credential=key.register(options))
    return key, passkey


# Adding a passkey


def test_a_passkey_is_added_ledgered_and_its_holder_emailed(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = _staff()
    with django_capture_on_commit_callbacks(execute=True):
        _key, passkey = _added(user)
    assert passkey.user == user
    assert passkey.name == "Laptop"
    assert bytes(passkey.public_key)
    assert passkey.transports == ["internal"]
    entry = Entry.objects.get(action="accounts.passkey_added")
    assert (entry.actor, entry.object) == (f"user:{user.pk}", f"user:{user.pk}")
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "passkey was added" in mail.outbox[0].body


def test_registration_options_ask_for_user_verification_and_exclude_known_keys() -> None:
    user = _staff()
    _key, passkey = _added(user)
    options = json.loads(passkeys.registration_options({}, user))
    assert options["rp"]["id"] == RP_ID
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert [c["id"] for c in options["excludeCredentials"]] == [passkey.credential_id]


def test_registration_answering_another_challenge_is_refused() -> None:
    user = _staff()
    session: dict[str, Any] = {}
    passkeys.registration_options(session, user)
    forged = SoftAuthenticator(RP_ID, ORIGIN).register({"challenge": "bm90LXRoZS1jaGFsbGVuZ2U"})
    with pytest.raises(passkeys.PasskeyRefused):
        passkeys.register(session, user, name="Laptop", credential=forged)
    assert not Passkey.objects.exists()
    assert not Entry.objects.filter(action="accounts.passkey_added").exists()


def test_registration_from_another_origin_is_refused() -> None:
    user = _staff()
    session: dict[str, Any] = {}
    options = passkeys.registration_options(session, user)
    answer = SoftAuthenticator(RP_ID, ORIGIN).register(options, origin="https://evil.example")
    with pytest.raises(passkeys.PasskeyRefused):
        passkeys.register(session, user, name="Laptop", credential=answer)
    assert not Passkey.objects.exists()


def test_registration_for_another_relying_party_is_refused() -> None:
    user = _staff()
    session: dict[str, Any] = {}
    options = passkeys.registration_options(session, user)
    answer = SoftAuthenticator(RP_ID, ORIGIN).register(options, rp_id="evil.example")
    with pytest.raises(passkeys.PasskeyRefused):
        passkeys.register(session, user, name="Laptop", credential=answer)


def test_a_registration_challenge_made_for_another_account_is_refused() -> None:
    ffion, gwen = _staff("ffion"), _staff("gwen")
    session: dict[str, Any] = {}
    options = passkeys.registration_options(session, ffion)
    with pytest.raises(passkeys.PasskeyRefused):
        passkeys.register(
            session, gwen, name="x", credential=SoftAuthenticator(RP_ID, ORIGIN).register(options)
        )


def test_a_credential_registered_already_is_refused() -> None:
    user = _staff()
    key, _passkey = _added(user)
    session: dict[str, Any] = {}
    options = passkeys.registration_options(session, user)
    with pytest.raises(passkeys.PasskeyRefused):
        passkeys.register(session, user, name="Again", credential=key.register(options))
    assert Passkey.objects.count() == 1


# Signing in with a passkey


def test_a_passkey_answers_its_challenge_and_its_count_is_kept() -> None:
    user = _staff()
    key, passkey = _added(user)
    session: dict[str, Any] = {}
    options = json.loads(passkeys.authentication_options(session, user))
    assert options["userVerification"] == "preferred"
    assert [c["id"] for c in options["allowCredentials"]] == [passkey.credential_id]
    used = passkeys.authenticate(session, user, key.sign(options))
    assert used.pk == passkey.pk
    passkey.refresh_from_db()
    assert passkey.sign_count == 1
    assert passkey.last_used_at is not None


def test_an_answer_to_another_challenge_is_refused() -> None:
    user = _staff()
    key, _passkey = _added(user)
    session: dict[str, Any] = {}
    passkeys.authentication_options(session, user)
    with pytest.raises(passkeys.PasskeyRefused):
        passkeys.authenticate(session, user, key.sign({"challenge": "c29tZXRoaW5nLWVsc2U"}))


def test_an_answer_from_another_origin_is_refused() -> None:
    user = _staff()
    key, _passkey = _added(user)
    session: dict[str, Any] = {}
    options = passkeys.authentication_options(session, user)
    with pytest.raises(passkeys.PasskeyRefused):
        passkeys.authenticate(session, user, key.sign(options, origin="https://evil.example"))


def test_an_unknown_credential_is_refused() -> None:
    user = _staff()
    _added(user)
    session: dict[str, Any] = {}
    options = passkeys.authentication_options(session, user)
    stranger = SoftAuthenticator(RP_ID, ORIGIN)
    with pytest.raises(passkeys.PasskeyRefused, match="not one of this account"):
        passkeys.authenticate(session, user, stranger.sign(options))


def test_the_passkey_of_another_account_is_refused() -> None:
    ffion, gwen = _staff("ffion"), _staff("gwen")
    _added(ffion)
    gwens_key, _passkey = _added(gwen)
    session: dict[str, Any] = {}
    options = passkeys.authentication_options(session, ffion)
    with pytest.raises(passkeys.PasskeyRefused, match="not one of this account"):
        passkeys.authenticate(session, ffion, gwens_key.sign(options))


def test_a_replayed_answer_is_refused_as_its_challenge_was_used() -> None:
    user = _staff()
    key, _passkey = _added(user)
    session: dict[str, Any] = {}
    answer = key.sign(passkeys.authentication_options(session, user))
    passkeys.authenticate(session, user, answer)
    with pytest.raises(passkeys.PasskeyRefused, match="no challenge"):
        passkeys.authenticate(session, user, answer)
    # Even with a new challenge in the session, the old answer does not fit it.
    passkeys.authentication_options(session, user)
    with pytest.raises(passkeys.PasskeyRefused):
        passkeys.authenticate(session, user, answer)


def test_an_expired_challenge_is_refused(time_machine: Any) -> None:
    user = _staff()
    key, _passkey = _added(user)
    session: dict[str, Any] = {}
    options = passkeys.authentication_options(session, user)
    time_machine.move_to(time.time() + passkeys.CHALLENGE_SECONDS + 1)
    with pytest.raises(passkeys.PasskeyRefused, match="expired"):
        passkeys.authenticate(session, user, key.sign(options))


def test_a_copied_passkey_whose_count_does_not_go_up_is_refused_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = _staff()
    key, passkey = _added(user)
    session: dict[str, Any] = {}
    passkeys.authenticate(session, user, key.sign(passkeys.authentication_options(session, user)))
    options = passkeys.authentication_options(session, user)
    with (
        caplog.at_level(logging.WARNING, logger="redress.accounts.passkeys"),
        pytest.raises(passkeys.PasskeyRefused, match="count"),
    ):
        passkeys.authenticate(session, user, key.sign(options, count=1))
    assert "may have been copied" in caplog.text
    passkey.refresh_from_db()
    assert passkey.sign_count == 1


# Removing passkeys


def test_removing_a_passkey_is_ledgered_and_its_holder_emailed(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = _staff()
    _key, passkey = _added(user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        passkeys.remove(passkey, actor=user)
    assert not Passkey.objects.exists()
    assert Entry.objects.filter(
        action="accounts.passkey_removed", object=f"user:{user.pk}"
    ).exists()
    assert "passkey was removed" in mail.outbox[0].body


def test_the_last_second_factor_cannot_be_removed() -> None:
    user = _staff(totp=False)
    _key, passkey = _added(user)
    with pytest.raises(passkeys.LastSecondFactor):
        passkeys.remove(passkey, actor=user)
    assert Passkey.objects.filter(pk=passkey.pk).exists()
    assert not Entry.objects.filter(action="accounts.passkey_removed").exists()


def test_resetting_the_second_factor_removes_passkeys_too() -> None:
    user = _staff()
    _added(user)
    assert reset_second_factor(user, actor="system:test") == 2
    assert not Passkey.objects.filter(user=user).exists()
    assert not TOTPDevice.objects.filter(user=user).exists()


# Through the pages


def _password_step(client: Client, user: User) -> None:
    response = client.post("/staff/sign-in", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def _options(client: Client, url: str) -> dict[str, Any]:
    response = client.post(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return dict(response.json())


def test_a_member_of_staff_adds_a_passkey_and_signs_in_with_it() -> None:
    user = _staff()
    client = Client()
    sign_in(client, user)
    key = SoftAuthenticator(RP_ID, ORIGIN)
    options = _options(client, "/staff/passkeys/options")
    response = client.post(
        "/staff/passkeys/add", {"name": "Work laptop", "credential": key.register(options)}
    )
    assert response.status_code == 302
    assert "Work laptop" in client.get("/staff/passkeys").content.decode()

    client = Client()
    _password_step(client, user)
    assert b"Use a passkey instead" in client.get("/staff/sign-in/code").content
    options = _options(client, "/staff/sign-in/passkey/options")
    response = client.post("/staff/sign-in/passkey", {"credential": key.sign(options)})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200
    assert Entry.objects.filter(action="accounts.signed_in", actor=f"user:{user.pk}").count() == 2


def test_the_code_page_offers_a_passkey_only_to_those_who_have_one() -> None:
    user = _staff()
    client = Client()
    _password_step(client, user)
    assert b"Use a passkey instead" not in client.get("/staff/sign-in/code").content
    assert client.post("/staff/sign-in/passkey/options").status_code == 400


def test_adding_without_an_answer_or_a_name_says_what_is_wrong() -> None:
    user = _staff()
    client = Client()
    sign_in(client, user)
    response = client.post("/staff/passkeys/add", {"name": "", "credential": ""})
    assert response.status_code == 400
    assert "Enter a name for the passkey" in response.content.decode()
    response = client.post("/staff/passkeys/add", {"name": "Laptop", "credential": ""})
    assert response.status_code == 400
    assert "needs JavaScript" in response.content.decode()
    response = client.post("/staff/passkeys/add", {"name": "Laptop", "credential": "{}"})
    assert response.status_code == 400
    assert "could not be added" in response.content.decode()
    assert not Passkey.objects.exists()


def test_wrong_passkey_answers_count_against_the_sign_in_throttle(settings: Any) -> None:
    settings.SIGN_IN_MAX_FAILURES = 3
    user = _staff()
    key, _passkey = _added(user)
    client = Client()
    _password_step(client, user)
    for _ in range(3):
        options = _options(client, "/staff/sign-in/passkey/options")
        answer = key.sign(options, origin="https://evil.example")
        response = client.post("/staff/sign-in/passkey", {"credential": answer})
        assert response.status_code == 400
        assert "could not be checked" in response.content.decode()
    # Locked now: even the right answer is not judged, and no options are given.
    assert client.post("/staff/sign-in/passkey/options").status_code == 429
    response = client.post("/staff/sign-in/passkey", {"credential": "{}"})
    assert "Too many failed attempts" in response.content.decode()
    assert client.get("/staff/").status_code == 302


def test_another_persons_passkey_cannot_be_removed_or_seen() -> None:
    ffion, gwen = _staff("ffion"), _staff("gwen")
    _key, passkey = _added(gwen)
    client = Client()
    sign_in(client, ffion)
    assert client.get(f"/staff/passkeys/{passkey.pk}/remove").status_code == 404
    assert client.post(f"/staff/passkeys/{passkey.pk}/remove").status_code == 404
    assert Passkey.objects.filter(pk=passkey.pk).exists()
    assert "Laptop" not in client.get("/staff/passkeys").content.decode()


def test_removing_asks_first_then_removes() -> None:
    user = _staff()
    _key, passkey = _added(user)
    client = Client()
    sign_in(client, user)
    assert (
        "Remove the passkey" in client.get(f"/staff/passkeys/{passkey.pk}/remove").content.decode()
    )
    assert client.post(f"/staff/passkeys/{passkey.pk}/remove").status_code == 302
    assert not Passkey.objects.exists()


def test_a_cancelled_passkey_prompt_is_not_counted_as_a_guess(settings: Any) -> None:
    settings.SIGN_IN_MAX_FAILURES = 2
    user = _staff()
    key, _passkey = _added(user)
    client = Client()
    _password_step(client, user)
    for _ in range(3):
        response = client.post("/staff/sign-in/passkey", {"credential": ""})
        assert response.status_code == 400
        assert "could not be checked" in response.content.decode()
    options = _options(client, "/staff/sign-in/passkey/options")
    response = client.post("/staff/sign-in/passkey", {"credential": key.sign(options)})
    assert response.status_code == 302


def test_the_page_refuses_to_remove_the_last_second_factor() -> None:
    user = _staff()
    key, passkey = _added(user)
    client = Client()
    _password_step(client, user)
    options = _options(client, "/staff/sign-in/passkey/options")
    assert (
        client.post("/staff/sign-in/passkey", {"credential": key.sign(options)}).status_code == 302
    )
    TOTPDevice.objects.filter(user=user).delete()  # the passkey is all that is left
    response = client.post(f"/staff/passkeys/{passkey.pk}/remove")
    assert response.status_code == 400
    assert "This is your only second factor" in response.content.decode()
    assert Passkey.objects.filter(pk=passkey.pk).exists()
