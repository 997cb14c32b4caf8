"""A support adviser takes a report given by phone, reads the receipt code out, and the
reporter confirms the record with it, without JavaScript; axe-core finds nothing on those
pages or on the outside-bodies page, in English and Welsh."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django_otp.plugins.otp_totp.models import TOTPDevice

from redress.accounts.models import Role
from redress.accounts.second_factor import current_code
from redress.intake.models import TakenReport, TakenState
from tests.browser.conftest import assert_no_axe_violations
from tests.factories import PASSWORD, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _context(chromium: Any, base: str, language: str, *, javascript: bool = True) -> Any:
    context = chromium.new_context(bypass_csp=True, java_script_enabled=javascript)
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    return context


@pytest.mark.parametrize("language", ["en", "cy"])
def test_an_adviser_takes_a_phone_report_and_the_reporter_confirms_it(
    live_server: Any, chromium: Any, language: str
) -> None:
    cache.clear()
    adviser = make_staff("ada", Role.SUPPORT_ADVISER)
    base = live_server.url
    page = _context(chromium, base, language).new_page()
    page.goto(base + "/staff/sign-in")
    page.locator("#id_username").fill(adviser.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.locator("#id_code").fill(current_code(TOTPDevice.objects.get(user=adviser)))
    page.locator("main button[type=submit]").click()

    page.locator("a[href='/staff/reports/new']").click()
    page.wait_for_url(base + "/staff/reports/new")
    assert_no_axe_violations(page)
    page.locator("button[name=take]").click()  # nothing filled in: refused, nothing made
    assert page.locator(".govuk-error-summary").is_visible()
    assert_no_axe_violations(page)
    page.locator("input[name=how][value=phone]").check()
    page.locator("#id_what_happened").fill("He said my job depended on keeping quiet.")
    page.locator("input[name=category][value=harassment]").check()
    page.locator("#id_respondent_description").fill("A senior member")
    page.locator("input[name=when_kind][value=not_sure]").check()
    page.locator("input[name=support][value=no]").check()
    page.locator("input[name=identity][value=anonymous]").check()
    page.locator("input[name=receipt][value=read_out]").check()
    page.locator("button[name=take]").click()
    code = page.locator("#receipt-code").inner_text()
    assert len(code) == 24
    assert_no_axe_violations(page)

    # axe needs JavaScript: its checks run in a page with it on; the reporter's own steps
    # below run in one with it off.
    audit = _context(chromium, base, language).new_page()
    _open_with_code(audit, base, code)
    assert_no_axe_violations(audit)
    audit.locator("button[name=correct]").click()  # an empty correction: refused
    assert audit.locator(".govuk-error-summary").is_visible()
    assert_no_axe_violations(audit)

    reporter = _context(chromium, base, language, javascript=False).new_page()
    _open_with_code(reporter, base, code)
    assert "keeping quiet" in reporter.locator("#record").inner_text()
    reporter.locator("button[name=confirm]").click()
    reporter.wait_for_url(base + "/check/record")
    assert TakenReport.objects.get().state == TakenState.CONFIRMED
    assert reporter.locator("#taken-state").is_visible()

    audit.goto(base + "/check/record")
    assert_no_axe_violations(audit)
    audit.goto(base + "/outside-bodies")
    assert_no_axe_violations(audit)


def _open_with_code(page: Any, base: str, code: str) -> None:
    page.goto(base + "/check")
    page.locator("#id_code").fill(code)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(base + "/check/record")
