"""axe-core on the invitation pages, in English and Welsh: an administrator invites (with a
refused form on the way), and the invited person enrols through the emailed link."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django_otp.plugins.otp_totp.models import TOTPDevice

from redress.accounts.models import Role, User
from redress.accounts.second_factor import current_code
from tests.browser.conftest import assert_no_axe_violations
from tests.factories import PASSWORD, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _context(chromium: Any, base: str, language: str) -> Any:
    context = chromium.new_context(bypass_csp=True)
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    return context


@pytest.mark.parametrize("language", ["en", "cy"])
def test_inviting_and_enrolling_pass_axe(live_server: Any, chromium: Any, language: str) -> None:
    cache.clear()
    admin = make_staff("ada", Role.ADMINISTRATOR)
    base = live_server.url
    page = _context(chromium, base, language).new_page()
    page.goto(base + "/staff/sign-in")
    page.locator("#id_username").fill(admin.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.locator("#id_code").fill(current_code(TOTPDevice.objects.get(user=admin)))
    page.locator("main button[type=submit]").click()

    page.goto(base + "/staff/invitations/new")
    assert_no_axe_violations(page)
    page.locator("main button[type=submit]").click()  # nothing filled in: refused
    assert page.locator(".govuk-error-summary").is_visible()
    assert_no_axe_violations(page)
    page.locator("#id_display_name").fill("Nia Parry")
    page.locator("#id_email").fill("nia.parry@scheme.example")
    page.locator("input[value=caseworker]").check()
    mail.outbox.clear()
    page.locator("main button[type=submit]").click()
    page.wait_for_url(base + "/staff/invitations")
    assert_no_axe_violations(page)
    page.locator("main a[href$='/withdraw']").click()
    assert_no_axe_violations(page)

    found = re.search(r"https?://\S+/staff/enrol/\S+", mail.outbox[0].body)
    assert found
    link = found.group(0).removeprefix(settings.SITE_URL.rstrip("/"))
    person = _context(chromium, base, language).new_page()
    person.goto(base + link)
    assert person.url == base + "/staff/enrol"
    assert_no_axe_violations(person)
    person.locator("#id_password").fill("short")
    person.locator("#id_password_again").fill("short")
    person.locator("main button[type=submit]").click()
    assert person.locator(".govuk-error-summary").is_visible()
    assert_no_axe_violations(person)
    person.locator("#id_password").fill(PASSWORD)
    person.locator("#id_password_again").fill(PASSWORD)
    person.locator("main button[type=submit]").click()
    person.wait_for_url(base + "/staff/enrol/authenticator")
    assert_no_axe_violations(person)
    user = User.objects.get(email="nia.parry@scheme.example")
    person.locator("#id_code").fill(current_code(TOTPDevice.objects.get(user=user)))
    person.locator("main button[type=submit]").click()
    person.wait_for_url(base + "/staff/enrol/done")
    assert_no_axe_violations(person)
    person.goto(base + link)  # used: refused
    assert_no_axe_violations(person)
