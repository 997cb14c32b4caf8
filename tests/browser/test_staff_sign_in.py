"""A newcomer signs in as a demo caseworker in a real browser, reading the demo code."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from tests.browser.conftest import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_caseworker_signs_in_with_the_shown_code(
    live_server: Any, page_without_js: Any, settings: Any
) -> None:
    settings.DEMO_MODE = True
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page = page_without_js
    page.goto(live_server.url + "/staff/sign-in")
    page.get_by_label("Username").fill("caseworker")
    page.get_by_label("Password").fill("demo-password-2026")
    page.get_by_role("button", name="Continue").click()
    code = page.locator("#demo-code strong").inner_text()
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text().startswith("Signed in as")


def test_sign_in_errors_are_accessible(live_server: Any, axe_page: Any) -> None:
    axe_page.goto(live_server.url + "/staff/sign-in")
    axe_page.get_by_role("button", name="Continue").click()
    assert axe_page.locator(".govuk-error-summary").is_visible()
    assert_no_axe_violations(axe_page)
