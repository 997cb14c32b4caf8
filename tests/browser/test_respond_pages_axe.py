"""axe-core on the respondent's pages and the complainant's report page at the stages where
they carry forms, in English and Welsh, with and without an error summary."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from redress.cases.models import CaseRecord, RecordKind, Stage
from tests.browser.conftest import assert_no_axe_violations
from tests.respond.journey import reported

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "cy"])
def test_respondent_and_complainant_pages_pass_axe(
    live_server: Any, chromium: Any, language: str
) -> None:
    cache.clear()
    base = live_server.url
    journey = reported()
    journey.to_investigation()
    journey.write_allegations()
    token = journey.notify()

    def browser() -> Any:
        context = chromium.new_context(bypass_csp=True, java_script_enabled=True)
        context.add_cookies([{"name": "django_language", "value": language, "url": base}])
        return context.new_page()

    respondent = browser()
    respondent.goto(f"{base}/respond/open/forged")
    assert_no_axe_violations(respondent)
    respondent.goto(f"{base}/respond/new-link")
    respondent.locator("#id_email").fill("not an address")
    respondent.locator("main button[type=submit]").click()
    assert respondent.locator(".govuk-error-summary").is_visible()
    assert_no_axe_violations(respondent)
    respondent.goto(f"{base}/respond/")
    assert_no_axe_violations(respondent)  # signed out
    respondent.goto(f"{base}/respond/open/{token}")
    assert respondent.url.endswith("/respond/")
    respondent.locator("form:has(input[value=answer]) button").click()  # empty: refused
    assert respondent.locator(".govuk-error-summary").is_visible()
    assert_no_axe_violations(respondent)

    complainant = browser()
    complainant.goto(f"{base}/check")
    complainant.locator("#id_code").fill(journey.code)
    complainant.locator("main button[type=submit]").click()
    journey.write_findings()
    journey.move(Stage.FINDINGS)
    for page in (respondent, complainant):
        page.goto(page.url)
        assert_no_axe_violations(page)
    complainant.locator("button[name=findings_comment]").click()  # empty: refused
    assert complainant.locator(".govuk-error-summary").is_visible()
    assert_no_axe_violations(complainant)
    complainant.locator("#id_comment").fill("It was 14:40, not 14:10.")
    complainant.locator("button[name=findings_comment]").click()
    comment = CaseRecord.objects.get(kind=RecordKind.ACCURACY_COMMENT)
    assert comment.body == "It was 14:40, not 14:10."  # the typed words, not the button's value

    journey.move(Stage.DECISION, Stage.APPEAL_WINDOW)
    for page in (respondent, complainant):
        page.goto(page.url)
        assert_no_axe_violations(page)
    respondent.locator("form:has(input[value=appeal]) button").click()  # empty: refused
    assert respondent.locator(".govuk-error-summary").is_visible()
    assert_no_axe_violations(respondent)
