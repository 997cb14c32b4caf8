"""Journeys 4, 5 and 2 together in Chromium with JavaScript off: a caseworker takes a report from
received to closed, each act opened from the case overview's task list on its own page; the
respondent is told by an emailed link, answers and appeals, and the complainant follows each
stage with the receipt code."""

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
from redress.cases.models import AppealOutcome, Case, Decision, Stage
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


def act(page: Any, base: str, reference: str, title: str) -> None:
    """Open an act's own page from the case overview's task list."""
    page.goto(f"{base}/staff/cases/{reference}")
    page.locator(".govuk-task-list").get_by_role("link", name=title, exact=True).click()


def done(page: Any, words: str) -> None:
    """Back on the overview, with the act's success banner."""
    assert words in page.locator(".govuk-notification-banner--success").inner_text()


def move(page: Any, base: str, reference: str, stage: str, reasons: str) -> None:
    act(page, base, reference, "Move the case to its next stage")
    page.get_by_label(stage, exact=True).check()
    page.get_by_label("Reasons").fill(reasons)
    page.get_by_role("button", name="Move the case on").click()
    done(page, "The case is now at")


def assign(page: Any, base: str, reference: str, role: str, who: str, title: str = "") -> None:
    act(page, base, reference, title or "Assign someone to the case")
    page.get_by_label(role, exact=True).check()
    page.get_by_label("Who").select_option(label=who)
    page.locator("main").get_by_role("button", name="Assign").click()
    done(page, "is assigned")


def add_record(page: Any, base: str, reference: str, kind: str, text: str) -> None:
    act(page, base, reference, "Add a record to the case file")
    page.get_by_label(kind, exact=True).check()
    page.get_by_label("Record").fill(text)
    page.get_by_role("button", name="Add to the file").click()
    done(page, "The record is on the case file.")


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
    ref = reference
    move(caseworker, base, ref, "Acknowledged", "Received and read; within the scheme.")
    complainant_sees(complainant, base, "Acknowledged")
    move(caseworker, base, ref, "Assessed", "Serious allegations against a member.")
    tasks = caseworker.locator(".govuk-task-list").inner_text()
    assert "Notify the respondent" not in tasks  # not before the investigation
    assign(caseworker, base, ref, "Investigator", "Rowan Tillingham (demo investigator)")
    assign(caseworker, base, ref, "Decision-maker", "Commissioner Iola Brackenbury (demo)")
    move(caseworker, base, ref, "Investigation", "An investigation is needed.")
    complainant_sees(complainant, base, "Investigation")
    add_record(
        caseworker,
        base,
        ref,
        "Substance of the allegations",
        "It is alleged that you blocked a staff member's exit at your office.",
    )
    mail.outbox.clear()
    act(caseworker, base, ref, "Notify the respondent")
    caseworker.locator("main form").get_by_role("button", name="Notify the respondent").click()
    done(caseworker, "sent a link")
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
    add_record(investigator, base, ref, "Findings report", "Two witnesses saw the door blocked.")
    move(investigator, base, ref, "Findings", "Investigation complete.")
    complainant_sees(complainant, base, "Findings")

    maker = signed_in(chromium, base, "decision-maker")
    maker.goto(f"{base}/staff/cases/{ref}")
    assert maker.locator(".govuk-task-list").get_by_role("link", name="Record the decision")
    # The decision's own pages have their journey in tests/staff/test_decision_page.py.
    actions.transition(
        Case.objects.get(reference=ref),
        Stage.DECISION,
        actor=User.objects.get(username="decision-maker"),
        reasons="The witnesses are consistent.",
        decision=Decision.NOT_UPHELD,
    )
    move(maker, base, ref, "Appeal window", "Both parties told of the decision.")
    complainant_sees(complainant, base, "Appeal window")
    assert complainant.locator("#decision").inner_text() == "Not upheld"

    respondent.goto(base + "/respond/")
    respondent.get_by_label("Why the decision should be looked at again").fill(
        "The witnesses are my rivals."
    )
    respondent.get_by_role("button", name="Lodge the appeal").click()
    complainant_sees(complainant, base, "Under appeal")

    assign(
        caseworker,
        base,
        ref,
        "Appeals panel",
        "Emeric Sandalwood (demo appeals panel)",
        title="Assign the appeals panel",
    )
    panel = signed_in(chromium, base, "appeals")
    panel.goto(f"{base}/staff/cases/{ref}")
    tasks = panel.locator(".govuk-task-list").inner_text()
    assert "Decide the appeal" in tasks
    assert "Move the case to its next stage" not in tasks
    actions.decide_appeal(
        Case.objects.get(reference=ref),
        actor=User.objects.get(username="appeals"),
        outcome=AppealOutcome.DISMISSED,
        reasons="No new evidence; the finding stands.",
    )
    panel.goto(f"{base}/staff/cases/{ref}")
    assert panel.locator("#case-stage").inner_text().startswith("Closed")
    complainant_sees(complainant, base, "Closed")
    assert verify().ok
