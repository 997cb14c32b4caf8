"""axe-core on oversight's retention pages, with demo data, in English and Welsh: what will be
deleted soon, placing a hold (also with its errors shown), reviewing and lifting it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command

from redress.cases.models import Case, Stage
from redress.retention.models import LegalHold
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.test_staff_pages_axe import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "cy"])
def test_retention_pages_pass_axe(live_server: Any, chromium: Any, language: str) -> None:
    cache.clear()
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    base = live_server.url
    context = chromium.new_context(bypass_csp=True)
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    sign_in(page, base, "oversight")
    page.goto(base + "/staff/retention")
    assert_no_axe_violations(page)
    for case in Case.objects.filter(stage=Stage.CLOSED):
        assert case.reference in page.locator("#main-content").inner_text()
    page.goto(base + "/staff/retention/holds/new")
    assert_no_axe_violations(page)
    page.locator("main button[type=submit]").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_no_axe_violations(page)
    reference = Case.objects.filter(stage=Stage.CLOSED).first().reference  # type: ignore[union-attr]
    page.locator("#id_case").fill(reference)
    page.locator("#id_reason").fill("A claim is expected")
    page.locator("#id_review_on").fill("2099-01-31")
    page.locator("main button[type=submit]").click()
    assert_no_axe_violations(page)
    hold = LegalHold.objects.get()
    for path in (
        f"/staff/retention/holds/{hold.pk}/review",
        f"/staff/retention/holds/{hold.pk}/lift",
    ):
        page.goto(base + path)
        assert_no_axe_violations(page)
