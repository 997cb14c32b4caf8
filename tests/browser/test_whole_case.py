"""A whole case of the kind the scheme exists for, in Chromium with JavaScript off: a named
member of staff reports a member and asks for email updates; the case is investigated, upheld
with a suspension whose terms go on the sanctions register and into a vetting answer in words;
the member appeals from their emailed link, and the appeals panel decides. At the decision, the
appeal and its outcome both parties see it on their own pages and hear of it by an email that
says nothing of the complaint. axe-core checks the case overview and the decision's pages in
English and Welsh on the way."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from redress.cases.models import Case
from redress.cases.sanctions import Terms
from redress.directory.models import Person
from redress.ledger.verification import verify
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.test_case_journey import act, add_record, assign, done, move, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARRATIVE = (
    "In the committee corridor the member shouted that I would never work here again and "
    "blocked my way back to the office."
)
ALLEGATIONS = "It is alleged that you shouted at a member of staff and blocked their way."
REASONS = "Three witnesses describe the same words; the member's account does not fit them."
CONDITIONS = "No contact with the complainant's team while suspended."
APPEAL_GROUNDS = "One witness was not in the corridor that afternoon."
PANEL_REASONS = "The corridor's door log places the witness there; the finding stands."
COMPLAINANT_EMAIL = "elowen.trevithick-shaw@example.org"
RESPONDENT_ID = "M-1003"
RESPONDENT = "Corwen Dallimore"
# Stored values that must never reach a reader in place of words, and an ISO date.
RAW = re.compile(
    r"partly_upheld|not_upheld|behaviour_agreement|restricted_access|appeal_window|"
    r"sexual_misconduct|\d{4}-\d{2}-\d{2}"
)


def day(when: dt.date) -> str:
    return f"{when.day} {when:%B %Y}"


def report_as_named_staff(page: Any, base: str) -> str:
    """The wizard, as a member of staff who gives their name and asks for email updates;
    returns the receipt code."""
    page.goto(base + "/")
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("What happened?").fill(NARRATIVE)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Bullying", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Search by name, role, constituency or office").fill("Dallimore")
    page.get_by_role("button", name="Search").click()
    page.get_by_label(RESPONDENT, exact=True).check()
    page.get_by_role("button", name="Continue").click()
    happened = timezone.localdate() - dt.timedelta(days=5)
    page.get_by_label("On a particular day", exact=True).check()
    page.get_by_label("Day", exact=True).fill(str(happened.day))
    page.get_by_label("Month", exact=True).fill(str(happened.month))
    page.get_by_label("Year", exact=True).fill(str(happened.year))
    for _step in ("when", "where", "witnesses", "impact", "evidence", "outcome"):
        page.get_by_role("button", name="Continue").click()
    page.get_by_label("No", exact=True).check()  # support
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Named", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Your name").fill("Elowen Trevithick-Shaw")
    page.get_by_label("Email address (optional)").fill(COMPLAINANT_EMAIL)
    page.get_by_label("Email me when there is an update").check()
    page.get_by_role("button", name="Continue").click()
    assert page.locator("h1").inner_text() == "Check your answers before sending your report"
    page.get_by_role("button", name="Send report").click()
    code = str(page.locator("#receipt-code").inner_text())
    page.get_by_label("I have written down or saved my receipt code").check()
    page.get_by_role("button", name="Finish").click()
    return code


def link_in(message: Any, path: str) -> str:
    found = re.search(re.escape(path) + r"\S+", message.body)
    assert found is not None, message.body
    return found.group(0)


def news_for(address: str) -> list[Any]:
    return [m for m in mail.outbox if address in m.to]


def told_both(complainant_address: str, respondent_address: str) -> None:
    """Each party got one email since the outbox was last cleared, and neither says anything
    of the complaint or of why it was decided as it was."""
    for address in (complainant_address, respondent_address):
        sent = news_for(address)
        assert len(sent) == 1, [m.subject for m in mail.outbox]
        text = sent[0].subject + sent[0].body
        for secret in (NARRATIVE, ALLEGATIONS, REASONS, CONDITIONS, APPEAL_GROUNDS, PANEL_REASONS):
            assert secret[:30] not in text
        assert "Suspension" not in text
        assert "Upheld" not in text


def followup(page: Any, base: str) -> str:
    page.goto(base + "/check/report")
    return str(page.locator("main").inner_text())


def axe_on_decision(chromium: Any, maker: Any, base: str, reference: str) -> None:
    """axe-core on the overview and on each page of the decision, in English and Welsh, in a
    browser sharing the decision-maker's session (their draft decision is already answered)."""
    context = chromium.new_context(bypass_csp=True, storage_state=maker.context.storage_state())
    page = context.new_page()
    for language in ("en", "cy"):
        context.add_cookies([{"name": "django_language", "value": language, "url": base}])
        for path in ("", "/decision?question=decision", "/decision?question=terms", "/decision"):
            page.goto(f"{base}/staff/cases/{reference}{path}")
            assert page.locator("html").get_attribute("lang") == language
            assert_no_axe_violations(page)
    context.close()


def test_a_member_is_sanctioned_appeals_and_both_parties_follow(
    live_server: Any, chromium: Any
) -> None:
    cache.clear()
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    base = live_server.url
    respondent_email = Person.objects.get(identifier=RESPONDENT_ID).email
    assert respondent_email

    # The complainant reports, confirms their address and follows with the code.
    complainant = chromium.new_context(java_script_enabled=False).new_page()
    mail.outbox.clear()
    code = report_as_named_staff(complainant, base)
    complainant.goto(base + link_in(news_for(COMPLAINANT_EMAIL)[-1], "/check/verify-email/"))
    complainant.goto(base + "/check")
    complainant.get_by_label("Receipt code").fill(code)
    complainant.get_by_role("button", name="Continue").click()
    assert complainant.locator("#stage").inner_text() == "Received"
    case = Case.objects.get(respondent__identifier=RESPONDENT_ID)
    ref = case.reference

    # The caseworker takes it, acknowledges, assesses and opens the investigation.
    caseworker = signed_in(chromium, base, "caseworker")
    caseworker.goto(base + "/staff/cases")
    caseworker.get_by_role("button", name=f"Take this case {ref}").click()
    assert "Elowen Trevithick-Shaw" in caseworker.locator("#case-summary").inner_text()
    move(caseworker, base, ref, "Acknowledged", "Read; within the scheme.")
    move(caseworker, base, ref, "Assessed", "A member's conduct towards staff.")
    assign(caseworker, base, ref, "Investigator", "Rowan Tillingham (demo investigator)")
    assign(caseworker, base, ref, "Decision-maker", "Commissioner Iola Brackenbury (demo)")
    move(caseworker, base, ref, "Investigation", "An investigation is needed.")
    add_record(caseworker, base, ref, "Substance of the allegations", ALLEGATIONS)
    mail.outbox.clear()
    act(caseworker, base, ref, "Notify the respondent")
    caseworker.locator("main form").get_by_role("button", name="Notify the respondent").click()
    done(caseworker, "sent a link")
    respondent = chromium.new_context(java_script_enabled=False).new_page()
    respondent.goto(base + link_in(news_for(respondent_email)[-1], "/respond/open/"))
    assert ALLEGATIONS in respondent.locator("main").inner_text()

    # The investigator records findings.
    investigator = signed_in(chromium, base, "investigator")
    add_record(investigator, base, ref, "Findings report", "The witnesses agree on the words.")
    move(investigator, base, ref, "Findings", "Investigation complete.")

    # The decision-maker upholds it with a suspension, one question a page.
    maker = signed_in(chromium, base, "decision-maker")
    act(maker, base, ref, "Record the decision")
    maker.get_by_label("Upheld", exact=True).check()
    maker.get_by_role("button", name="Continue").click()
    maker.get_by_label("Reasons for the decision").fill(REASONS)
    maker.get_by_role("button", name="Continue").click()
    maker.get_by_label("Suspension", exact=True).check()
    maker.get_by_role("button", name="Continue").click()
    starts = timezone.localdate() + dt.timedelta(days=14)
    terms = Terms(starts_on=starts, months=3, conditions=CONDITIONS)
    assert terms.ends_on is not None
    maker.get_by_label("Day", exact=True).fill(str(starts.day))
    maker.get_by_label("Month", exact=True).fill(str(starts.month))
    maker.get_by_label("Year", exact=True).fill(str(starts.year))
    maker.get_by_label("Length in months").fill("3")
    maker.get_by_label("Conditions").fill(CONDITIONS)
    maker.get_by_role("button", name="Continue").click()
    answers = maker.locator("#answers").inner_text()
    for shown in ("Upheld", "Suspension", day(starts), day(terms.ends_on), CONDITIONS):
        assert shown in answers
    axe_on_decision(chromium, maker, base, ref)
    mail.outbox.clear()
    maker.get_by_role("button", name="Record the decision").click()
    done(maker, "The decision is recorded")
    told_both(COMPLAINANT_EMAIL, respondent_email)
    complainant.goto(base + "/check/report")
    assert complainant.locator("#decision").inner_text() == "Upheld"
    assert complainant.locator("#sanction").inner_text() == "Suspension"
    respondent.goto(base + "/respond/")
    assert respondent.locator("#respondent-decision").inner_text() == "Upheld"
    assert respondent.locator("#respondent-sanction").inner_text() == "Suspension"
    move(maker, base, ref, "Appeal window", "Both parties told of the decision.")

    # The register shows the sanction's terms, to the oversight officer who may read it.
    said = (
        f"Suspension for 3 months, from {day(starts)} to {day(terms.ends_on)}. "
        f"Conditions: {CONDITIONS}"
    )
    oversight = signed_in(chromium, base, "oversight")
    oversight.goto(base + "/staff/register")
    row = oversight.locator("#live ~ table tr", has_text=RESPONDENT)
    assert said in row.inner_text()

    # A vetting check says it in words, and that it can still be appealed.
    vetting = signed_in(chromium, base, "vetting")
    vetting.goto(base + "/staff/vetting/new")
    vetting.get_by_label("Find the person by name, identifier, role or constituency").fill(
        "Dallimore"
    )
    vetting.get_by_role("button", name="Search").click()
    vetting.get_by_label(re.compile(rf"^{RESPONDENT} \({RESPONDENT_ID}\)")).check()
    vetting.get_by_label("Purpose of the check").fill("Appointment to a committee chair.")
    vetting.get_by_label("Who is asking").fill("The Business Committee")
    vetting.get_by_role("button", name="Make the check").click()
    answer = vetting.locator("#findings").inner_text()
    assert "Bullying: complaint upheld" in answer
    assert said in answer
    assert "can still be appealed" in answer
    assert not RAW.findall(vetting.locator("main").inner_text()), answer

    # The member appeals from their page; the complainant is told.
    mail.outbox.clear()
    respondent.goto(base + "/respond/")
    respondent.get_by_label("Why the decision should be looked at again").fill(APPEAL_GROUNDS)
    respondent.get_by_role("button", name="Lodge the appeal").click()
    assert respondent.locator("#respondent-stage").inner_text() == "Under appeal"
    assert "By you" in respondent.locator("main").inner_text()
    assert len(news_for(COMPLAINANT_EMAIL)) == 1
    assert APPEAL_GROUNDS[:30] not in news_for(COMPLAINANT_EMAIL)[0].body
    text = followup(complainant, base)
    assert complainant.locator("#stage").inner_text() == "Under appeal"
    assert "By the person you complained about" in text

    # The caseworker finds the appeals panel; the panel dismisses the appeal.
    assign(
        caseworker,
        base,
        ref,
        "Appeals panel",
        "Emeric Sandalwood (demo appeals panel)",
        title="Assign the appeals panel",
    )
    panel = signed_in(chromium, base, "appeals")
    act(panel, base, ref, "Decide the appeal")
    panel.get_by_label("Appeal dismissed: the decision stands", exact=True).check()
    panel.get_by_role("button", name="Continue").click()
    panel.get_by_label("Reasons for the appeal's outcome").fill(PANEL_REASONS)
    panel.get_by_role("button", name="Continue").click()
    mail.outbox.clear()
    panel.get_by_role("button", name="Record the appeal's outcome").click()
    done(panel, "The appeal is decided and the case is closed.")
    told_both(COMPLAINANT_EMAIL, respondent_email)
    followup(complainant, base)
    assert complainant.locator("#stage").inner_text() == "Closed"
    assert "the decision stands" in complainant.locator("#appeal-outcome").inner_text()
    respondent.goto(base + "/respond/")
    assert "the decision stands" in respondent.locator("#appeal-outcome").inner_text()
    assert verify().ok
