"""Single sign-on in Chromium against a real OpenID provider started on loopback.

The provider is django-oidc-provider in its own process (tests/oidc_provider), signing ID tokens
with RS256; Redress talks to it over HTTP as it would to any provider: discovery, the
authorisation code flow with state, nonce and PKCE, the token and user-info endpoints.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from redress.accounts.models import Role, SignInIdentity, User
from redress.accounts.second_factor import current_code
from redress.ledger.events import Action
from redress.ledger.models import Entry
from tests.browser.conftest import assert_no_axe_violations
from tests.factories import make_staff
from tests.oidc_provider.provider import CLIENT_ID, CLIENT_SECRET, Provider, running_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROVIDER_NAME = "Example Council"


@pytest.fixture(scope="module")
def provider(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    callback = f"{live_server.url}/staff/sign-in/provider/callback"
    with running_provider(tmp_path_factory.mktemp("provider"), callback) as running:
        yield running


@pytest.fixture
def sso(settings: Any, provider: Provider) -> Provider:
    """Redress configured with the provider, as REDRESS_OIDC_* would configure it."""
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = PROVIDER_NAME
    settings.OIDC_TRUSTED_AMR = []
    settings.OIDC_TRUSTED_ACR = []
    settings.AUTHENTICATION_BACKENDS = [
        "django.contrib.auth.backends.ModelBackend",
        "redress.staff.single_sign_on.ProviderBackend",
    ]
    return provider


def _sign_in_at_provider(page: Any, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/staff/sign-in")
    page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()
    page.get_by_label("Provider username").fill(username)
    page.get_by_label("Provider password").fill(password)
    page.get_by_role("button", name="Sign in at the provider").click()
    page.wait_for_load_state()


def _enrolled(username: str, email: str) -> User:
    user = make_staff(username, Role.CASEWORKER)
    user.email = email
    user.save(update_fields=["email"])
    return user


def _ledgered(action: Action, user: User) -> int:
    return Entry.objects.filter(action=action, object=f"user:{user.pk}").count()


def test_an_invited_account_signs_in_through_the_provider_and_still_gives_its_code(
    sso: Provider, live_server: Any, page: Any
) -> None:
    user = _enrolled("ann", "Ann.Jones@example.org")
    sso.add_user("ajones", "provider-pass-ann", "ann.jones@example.org")

    _sign_in_at_provider(page, live_server.url, "ajones", "provider-pass-ann")
    assert page.url == f"{live_server.url}/staff/sign-in/code"
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    page.get_by_label("Security code").fill(current_code(device))
    page.get_by_role("button", name="Sign in").click()

    assert page.locator("h1").inner_text() == "Signed in as ann"
    identity = SignInIdentity.objects.get(user=user)
    assert identity.issuer == sso.issuer
    assert identity.last_used_at is not None
    assert _ledgered(Action.ACCOUNT_IDENTITY_BOUND, user) == 1
    assert _ledgered(Action.ACCOUNT_SIGNED_IN, user) == 1
    bound = Entry.objects.get(action=Action.ACCOUNT_IDENTITY_BOUND)
    assert "example.org" not in f"{bound.actor} {bound.object} {bound.digest}"

    # Bound by the provider's subject: a later change of address here changes nothing.
    page.get_by_role("button", name="Sign out").click()
    User.objects.filter(pk=user.pk).update(email="ann@elsewhere.example")
    page.goto(f"{live_server.url}/staff/sign-in")
    page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()
    page.wait_for_url(f"{live_server.url}/staff/sign-in/code")
    assert SignInIdentity.objects.count() == 1
    assert _ledgered(Action.ACCOUNT_IDENTITY_BOUND, user) == 1


def test_a_provider_account_matching_no_account_here_is_refused_and_none_is_made(
    sso: Provider, live_server: Any, axe_page: Any
) -> None:
    page = axe_page
    _enrolled("ben", "ben@example.org")
    accounts = User.objects.count()
    sso.add_user("stranger", "provider-pass-stranger", "stranger@example.org")
    page.goto(f"{live_server.url}/staff/sign-in")
    assert_no_axe_violations(page)

    _sign_in_at_provider(page, live_server.url, "stranger", "provider-pass-stranger")

    assert page.locator("h1").inner_text() == f"You could not sign in with {PROVIDER_NAME}"
    assert "Only people invited by an administrator can sign in" in page.inner_text("#refusal")
    assert_no_axe_violations(page)
    assert User.objects.count() == accounts
    assert not SignInIdentity.objects.exists()
    assert not Entry.objects.filter(action=Action.ACCOUNT_SIGNED_IN).exists()


def test_an_address_the_provider_has_not_verified_binds_nothing(
    sso: Provider, live_server: Any, page: Any
) -> None:
    _enrolled("cai", "cai@example.org")
    sso.add_user("cai-unverified", "provider-pass-cai", "cai@example.org", "unverified")

    _sign_in_at_provider(page, live_server.url, "cai-unverified", "provider-pass-cai")

    assert "has not confirmed your email address" in page.inner_text("#refusal")
    assert not SignInIdentity.objects.exists()


def test_a_second_factor_the_provider_proves_skips_the_code_when_trusted(
    sso: Provider, settings: Any, live_server: Any, page: Any
) -> None:
    settings.OIDC_TRUSTED_AMR = ["mfa", "hwk"]
    user = _enrolled("dai", "dai@example.org")
    sso.add_user("dai-mfa", "provider-pass-dai", "dai@example.org", "mfa")

    _sign_in_at_provider(page, live_server.url, "dai-mfa", "provider-pass-dai")

    assert page.url == f"{live_server.url}/staff/"
    assert page.locator("h1").inner_text() == "Signed in as dai"
    assert _ledgered(Action.ACCOUNT_SIGNED_IN, user) == 1


def test_the_same_proof_is_not_trusted_unless_the_deployment_says_so(
    sso: Provider, live_server: Any, page: Any
) -> None:
    _enrolled("eli", "eli@example.org")
    sso.add_user("eli-mfa", "provider-pass-eli", "eli@example.org", "mfa")
    returns: list[str] = []
    page.on("request", lambda sent: returns.append(sent.url) if "/callback?" in sent.url else None)

    _sign_in_at_provider(page, live_server.url, "eli-mfa", "provider-pass-eli")

    assert page.url == f"{live_server.url}/staff/sign-in/code"
    # The provider's answer is good once: its state was used up.
    assert len(returns) == 1
    page.goto(returns[0])
    assert "did not work" in page.inner_text("#refusal")
