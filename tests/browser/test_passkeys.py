"""A member of staff adds a passkey and signs in with it, in Chromium, under the real CSP.

Chromium's virtual authenticator (DevTools' WebAuthn domain, through Playwright's CDP session)
stands in for a phone or a security key: it makes real keys and signs real assertions, so the
server's checks run as they would for a person.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django_otp.plugins.otp_totp.models import TOTPDevice

from redress.accounts.models import Passkey, Role
from redress.accounts.second_factor import current_code
from redress.ledger.models import Entry
from tests.browser.conftest import assert_no_axe_violations
from tests.factories import PASSWORD, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def relying_party(live_server: Any, settings: Any) -> str:
    # Passkeys need a domain name: the live server answers on localhost, a secure context.
    base = str(live_server.url).replace("127.0.0.1", "localhost")
    settings.WEBAUTHN_RP_ID = "localhost"
    settings.WEBAUTHN_ORIGIN = base
    cache.clear()
    return base


def _with_authenticator(context: Any) -> Any:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return page


def _password(page: Any, base: str, username: str) -> None:
    page.goto(base + "/staff/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/staff/sign-in/code$"))


def test_staff_add_a_passkey_and_sign_in_with_it_instead_of_a_code(
    chromium: Any, relying_party: str
) -> None:
    base = relying_party
    user = make_staff("ffion", Role.CASEWORKER)
    context = chromium.new_context()
    page = _with_authenticator(context)

    # Signed in with password and code, they add a passkey.
    _password(page, base, "ffion")
    assert not page.get_by_role("button", name="Use a passkey instead").is_visible()
    page.get_by_label("Security code").fill(current_code(TOTPDevice.objects.get(user=user)))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Your passkeys").click()
    page.get_by_role("link", name="Add a passkey").click()
    page.get_by_label("Name of the passkey").fill("Work laptop")
    page.get_by_role("button", name="Add a passkey").click()
    page.wait_for_url(re.compile(r"/staff/passkeys$"))
    assert "Passkey “Work laptop” added." in page.locator(".govuk-notification-banner").inner_text()
    assert "Work laptop" in page.locator("#passkeys").inner_text()
    passkey = Passkey.objects.get(user=user)
    assert passkey.name == "Work laptop"

    # Signed out, they sign in again with the password and the passkey: no code.
    page.get_by_role("button", name="Sign out").click()
    _password(page, base, "ffion")
    page.get_by_role("button", name="Use a passkey instead").click()
    page.wait_for_url(re.compile(r"/staff/$"))
    assert page.locator("h1").inner_text().startswith("Signed in as")
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None

    actions = list(
        Entry.objects.filter(object=f"user:{user.pk}")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "accounts.signed_in",
        "accounts.passkey_added",
        "accounts.signed_in",
    ]
    context.close()


def test_the_passkey_pages_pass_axe(chromium: Any, relying_party: str) -> None:
    base = relying_party
    user = make_staff("ffion", Role.CASEWORKER)
    context = chromium.new_context(bypass_csp=True)
    page = _with_authenticator(context)
    _password(page, base, "ffion")
    page.get_by_label("Security code").fill(current_code(TOTPDevice.objects.get(user=user)))
    page.get_by_role("button", name="Sign in").click()
    page.goto(base + "/staff/passkeys")
    assert_no_axe_violations(page)
    page.goto(base + "/staff/passkeys/add")
    page.get_by_role("button", name="Add a passkey").click()  # no name: the error summary
    assert page.locator(".govuk-error-summary").is_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Name of the passkey").fill("Phone")
    page.get_by_role("button", name="Add a passkey").click()
    page.wait_for_url(re.compile(r"/staff/passkeys$"))
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Remove Phone").click()
    assert_no_axe_violations(page)
    # The code page, with the passkey offered.
    page.get_by_role("button", name="Sign out").click()
    _password(page, base, "ffion")
    assert page.get_by_role("button", name="Use a passkey instead").is_visible()
    assert_no_axe_violations(page)
    context.close()


def test_without_javascript_the_code_page_offers_only_the_code(
    page_without_js: Any, relying_party: str
) -> None:
    user = make_staff("ffion", Role.CASEWORKER)
    Passkey.objects.create(user=user, name="Phone", credential_id="AAAA", public_key=b"x")
    _password(page_without_js, relying_party, "ffion")
    assert not page_without_js.get_by_role("button", name="Use a passkey instead").is_visible()
    assert page_without_js.get_by_label("Security code").is_visible()
