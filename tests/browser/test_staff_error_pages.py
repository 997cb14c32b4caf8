"""axe-core on the staff error pages, in English and Welsh: a page the member of staff may not
open (403), one that does not exist (404) and a refused request (400), in the staff layout."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django_otp.plugins.otp_totp.models import TOTPDevice

from redress.accounts.models import Role
from redress.accounts.second_factor import current_code
from tests.browser.conftest import assert_no_axe_violations
from tests.factories import PASSWORD, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "cy"])
def test_staff_error_pages_pass_axe(live_server: Any, chromium: Any, language: str) -> None:
    cache.clear()
    worker = make_staff("cw", Role.CASEWORKER)
    base = live_server.url
    context = chromium.new_context(bypass_csp=True)
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    # By element ids, not labels: this runs in Welsh too.
    page.goto(base + "/staff/sign-in")
    page.locator("#id_username").fill(worker.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.locator("#id_code").fill(current_code(TOTPDevice.objects.get(user=worker)))
    page.locator("main button[type=submit]").click()
    for path, status in [
        ("/staff/oversight", 403),
        ("/staff/no-such-page", 404),
        ("/staff/cases?stage=%00", 400),
    ]:
        response = page.goto(base + path)
        assert response.status == status, path
        assert page.locator(".govuk-service-navigation").count() == 1
        assert page.locator("#exit-this-page").count() == 0
        assert page.locator("html").get_attribute("lang") == language
        assert_no_axe_violations(page)
    context.close()
