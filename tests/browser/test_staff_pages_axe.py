"""axe-core on the staff consoles and the respondent's pages, with demo data, in English and
Welsh: the queue, each case's overview, an act's page (and its refusal), a case's sections,
conflicts, statistics and the respondent's view."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from redress.accounts.models import User
from redress.accounts.second_factor import current_code
from redress.cases import actions
from redress.cases.models import Assignment, Case, Source
from tests.browser.conftest import assert_no_axe_violations
from tests.intake import samples

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, base: str, username: str) -> None:
    # By element ids, not labels: this runs in Welsh too.
    page.goto(base + "/staff/sign-in")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("demo-password-2026")
    page.locator("main button[type=submit]").click()
    device = TOTPDevice.objects.get(user__username=username)
    page.locator("#id_code").fill(current_code(device))
    page.locator("main button[type=submit]").click()


@pytest.mark.parametrize("language", ["en", "cy"])
def test_staff_and_respondent_pages_pass_axe(
    live_server: Any, chromium: Any, language: str
) -> None:
    cache.clear()
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    base = live_server.url
    context = chromium.new_context(bypass_csp=True)
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    sign_in(page, base, "caseworker")
    caseworker = User.objects.get(username="caseworker")
    references = list(
        Assignment.objects.filter(user=caseworker).values_list("case__reference", flat=True)
    )
    pages = ["/staff/", "/staff/cases", "/staff/conflicts", "/staff/conflicts?search=Fen"]
    pages += ["/staff/passkeys", "/staff/passkeys/add"]
    pages += [f"/staff/cases/{ref}" for ref in references]
    for path in pages:
        page.goto(base + path)
        assert_no_axe_violations(page)
    # A document shown as its pages, drawn on the server.
    first = Case.objects.get(reference=references[0])
    letter = actions.attach(
        first,
        samples.pdf(pages=2),
        kind="pdf",
        original_name="letter.pdf",
        kept_original=False,
        source=Source.STAFF,
        actor=caseworker,
    )
    page.goto(f"{base}/staff/cases/{first.reference}/evidence/{letter.pk}/pages")
    assert page.locator("main img").count() == 2
    assert_no_axe_violations(page)
    # An act's own page, then the same page refusing an empty message, with its error summary;
    # and the case's history.
    open_case = next(r for r in references if not Case.objects.get(reference=r).withdrawn_at)
    page.goto(f"{base}/staff/cases/{open_case}")
    assert page.locator(".govuk-task-list").is_visible()
    page.goto(f"{base}/staff/cases/{open_case}/message")
    assert_no_axe_violations(page)
    page.locator("main form button[type=submit]").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_no_axe_violations(page)
    for section in ("history", "messages", "file", "evidence/all"):
        page.goto(f"{base}/staff/cases/{open_case}/{section}")
        assert_no_axe_violations(page)
    watcher = context.new_page()
    context.clear_cookies()
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    sign_in(watcher, base, "oversight")
    watcher.goto(base + "/staff/statistics")
    assert_no_axe_violations(watcher)

    # The respondent's view of the case under investigation.
    case = next(
        c
        for c in (
            Assignment.objects.get(user=caseworker, case__reference=r).case for r in references
        )
        if c.respondent_notified_at
    )
    mail.outbox.clear()
    token = actions.notify_respondent(case, actor=caseworker)
    respondent = chromium.new_context(bypass_csp=True).new_page()
    respondent.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    respondent.goto(f"{base}/respond/open/{token}")
    assert re.search(r"/respond/$", respondent.url)
    assert_no_axe_violations(respondent)
    respondent.goto(base + "/respond/new-link")
    assert_no_axe_violations(respondent)
