"""Journeys 4, 5 and 2 together in Chromium with JavaScript off: a caseworker takes a report from
received to closed, the respondent is told by an emailed link, answers and appeals, and the
complainant follows each stage with the receipt code."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from redress.accounts.second_factor import current_code
from redress.cases.models import Case
from redress.ledger.verification import verify
from tests.browser.test_report_journey import report_with_photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(chromium: Any, base: str, username: str) -> Any:
    """A fresh browser (JavaScript off) signed in as a demo account."""
    page = chromium.new_context(java_script_enabled=False).new_page()
    page.goto(base + "/staff/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo-password-2026")
    page.get_by_role("button", name="Continue").click()
    device = TOTPDevice.objects.get(user__username=username)
    page.get_by_label("Security code").fill(current_code(device))
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text().startswith("Signed in as")
    return page


def move(page: Any, stage: str, reasons: str, decision: str = "", sanction: str = "") -> None:
    form = page.locator("form[action$='/move']")
    form.get_by_label(stage, exact=True).check()
    form.get_by_label("Reasons").fill(reasons)
    if decision:
        form.locator(".govuk-details__summary").click()
        form.get_by_label(decision, exact=True).check()
        form.get_by_label(sanction, exact=True).check()
    form.get_by_role("button", name="Move the case on").click()


def assign(page: Any, role: str, who: str) -> None:
    form = page.locator("form[action$='/assign']")
    form.get_by_label(role, exact=True).check()
    form.get_by_label("Who").select_option(label=who)
    form.get_by_role("button", name="Assign").click()


def complainant_sees(page: Any, base: str, stage: str) -> None:
    page.goto(base + "/check/report")
    assert page.locator("#stage").inner_text() == stage


def test_a_case_from_received_to_closed(live_server: Any, chromium: Any) -> None:
    cache.clear()
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    base = live_server.url
    complainant = chromium.new_context(java_script_enabled=False).new_page()
    code = report_with_photo(complainant, base)
    complainant.goto(base + "/check")
    complainant.get_by_label("Receipt code").fill(code)
    complainant.get_by_role("button", name="Continue").click()
    assert complainant.locator("#stage").inner_text() == "Received"
    case = Case.objects.order_by("-received_at").first()
    assert case is not None
    reference = case.reference

    caseworker = signed_in(chromium, base, "caseworker")
    caseworker.goto(base + "/staff/cases")
    caseworker.get_by_role("button", name=f"Take this case {reference}").click()
    assert (
        "At the constituency office he blocked the door"
        in caseworker.locator("#case-content").inner_text()
    )
    move(caseworker, "Acknowledged", "Received and read; within the scheme.")
    complainant_sees(complainant, base, "Acknowledged")
    move(caseworker, "Assessed", "Serious allegations against a member.")
    assign(caseworker, "Investigator", "Rowan Tillingham (demo investigator)")
    assign(caseworker, "Decision-maker", "Commissioner Iola Brackenbury (demo)")
    move(caseworker, "Investigation", "An investigation is needed.")
    complainant_sees(complainant, base, "Investigation")
    record = caseworker.locator("form[action$='/record']")
    record.get_by_label("Substance of the allegations", exact=True).check()
    record.get_by_label("Record").fill(
        "It is alleged that you blocked a staff member's exit at your office."
    )
    record.get_by_role("button", name="Add to the file").click()
    mail.outbox.clear()
    caseworker.get_by_role("button", name="Notify the respondent").click()
    assert (
        "sent a link"
        in caseworker.locator(".govuk-notification-banner, .app-messages, main").first.inner_text()
    )
    link = re.search(r"/respond/open/\S+", mail.outbox[-1].body)
    assert link is not None

    respondent = chromium.new_context(java_script_enabled=False).new_page()
    respondent.goto(base + link.group(0))
    text = respondent.locator("main").inner_text()
    assert "blocked a staff member's exit" in text
    assert "At the constituency office he blocked the door" not in text  # never their words
    respondent.get_by_label("Your answer to the allegations").fill("I deny this. The door sticks.")
    respondent.get_by_role("button", name="Send the answer").click()
    assert "Your answer has been sent" in respondent.locator("main").inner_text()

    investigator = signed_in(chromium, base, "investigator")
    investigator.goto(f"{base}/staff/cases/{reference}")
    record = investigator.locator("form[action$='/record']")
    record.get_by_label("Findings report", exact=True).check()
    record.get_by_label("Record").fill("Two witnesses saw the door blocked.")
    record.get_by_role("button", name="Add to the file").click()
    move(investigator, "Findings", "Investigation complete.")
    complainant_sees(complainant, base, "Findings")

    maker = signed_in(chromium, base, "decision-maker")
    maker.goto(f"{base}/staff/cases/{reference}")
    move(maker, "Decision", "The witnesses are consistent.", "Upheld", "Training")
    move(maker, "Appeal window", "Both parties told of the decision.")
    complainant_sees(complainant, base, "Appeal window")
    assert complainant.locator("#decision").inner_text() == "Upheld"

    respondent.goto(base + "/respond/")
    respondent.get_by_label("Why the decision should be looked at again").fill(
        "The witnesses are my rivals."
    )
    respondent.get_by_role("button", name="Lodge the appeal").click()
    complainant_sees(complainant, base, "Under appeal")

    caseworker.goto(f"{base}/staff/cases/{reference}")
    assign(caseworker, "Appeals panel", "Emeric Sandalwood (demo appeals panel)")
    panel = signed_in(chromium, base, "appeals")
    panel.goto(f"{base}/staff/cases/{reference}")
    form = panel.locator("form[action$='/appeal']")
    form.get_by_label("Appeal dismissed: the decision stands", exact=True).check()
    form.get_by_label("Reasons").fill("No new evidence; the finding stands.")
    form.get_by_role("button", name="Decide the appeal").click()
    assert panel.locator("#case-stage").inner_text().startswith("Closed")
    complainant_sees(complainant, base, "Closed")
    assert verify().ok
