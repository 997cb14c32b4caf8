"""axe-core on the people pages, with demo data, in English and Welsh: the staff accounts, a
person, granting (and a refused grant), removing a role, closing an account, the role requests
waiting for a second administrator, and the access review."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command

from redress.accounts import roles
from redress.accounts.models import Role, RoleGrant, User
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.test_staff_pages_axe import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "cy"])
def test_people_pages_pass_axe(live_server: Any, chromium: Any, language: str) -> None:
    cache.clear()
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    admin = User.objects.get(username="admin")
    caseworker = User.objects.get(username="caseworker")
    roles.request(caseworker, Role.OVERSIGHT, actor=admin, reason="Audit committee")
    grant = RoleGrant.objects.get(user=caseworker, role=Role.CASEWORKER, revoked_at__isnull=True)
    asked = caseworker.role_requests.get()
    base = live_server.url
    context = chromium.new_context(bypass_csp=True)
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    sign_in(page, base, "admin")
    person = f"/staff/people/{caseworker.pk}"
    for path in [
        "/staff/people",
        person,
        f"{person}/grant",
        f"{person}/roles/{grant.pk}/remove",
        f"{person}/deactivate",
        "/staff/people/requests",
        f"/staff/people/requests/{asked.pk}",
        "/staff/access-review",
    ]:
        page.goto(base + path)
        assert_no_axe_violations(page)
    # Refused: approving one's own request, and a grant without a role or a reason.
    page.goto(f"{base}/staff/people/requests/{asked.pk}")
    page.locator("#approve").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_no_axe_violations(page)
    page.goto(f"{base}{person}/grant")
    page.locator("main form button[type=submit]").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_no_axe_violations(page)
