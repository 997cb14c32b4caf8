"""axe-core on every page a complainant sees, in English and in Welsh, with real content.

Each page is reached the way a complainant reaches it (the wizard filled in step by step, a
file uploaded, the emailed links followed), so the audit sees filled answers, listed files,
messages from both sides and the error states, not only empty forms. Every page is audited even
when an earlier one fails, and a failure names the page and the language.
"""

from __future__ import annotations

import io
import re
import time
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command

from redress.accounts.models import User
from redress.cases import actions as case_actions
from redress.cases.models import AssignmentRole, Case
from redress.directory.models import Person
from redress.escrow import actions as escrow
from redress.escrow.models import EscrowEntry, Status
from redress.intake import actions as intake_actions
from redress.intake.sandbox import clean
from redress.ledger import log
from redress.public.followup import MAX_CASE_FILES
from tests.browser.conftest import WIZARD_STEPS, assert_no_axe_violations
from tests.intake import samples

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["en", "cy"]
EMAIL = "eirlys.pritchard@example.org"
RESPONDENT = "M-1001"  # Alderic Fenwright in the demo directory


class Audit:
    """Runs axe on each page it is shown and keeps every failure, named, for the end."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.failures: list[str] = []
        self.audited: list[str] = []

    def __call__(self, page: Any, name: str) -> None:
        self.audited.append(name)
        lang = page.locator("html").get_attribute("lang")
        if lang != self.language:
            self.failures.append(f"{name} [{self.language}]: the page is in {lang!r}")
        try:
            assert_no_axe_violations(page)
        except AssertionError as violations:
            self.failures.append(f"{name} [{self.language}] ({page.url}):\n{violations}")

    def passed(self) -> None:
        assert not self.failures, "\n\n".join(self.failures)


@pytest.fixture
def demo() -> None:
    cache.clear()
    call_command("demo", stdout=io.StringIO())


def in_language(page: Any, base: str, language: str) -> Any:
    """``page`` (the axe fixture's) with no cookies but the language choice."""
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    return page


def submit(page: Any, selector: str = "main form[method=post] button[type=submit]") -> None:
    """Press a form's button (by its place, not its words, which change with the language)."""
    page.locator(selector).first.click()
    page.wait_for_load_state()


def continue_(page: Any) -> None:
    submit(page, "main form[method=post] button[type=submit]:not([name=search])")


def has_error_summary(page: Any) -> bool:
    return bool(page.locator(".govuk-error-summary").is_visible())


def mail_with(pattern: str, *, after: int = 0) -> str:
    """The first link matching ``pattern`` in a message sent since ``after`` messages."""
    for _ in range(100):
        for message in mail.outbox[after:]:
            found = re.search(pattern + r"\S+", message.body)
            if found:
                return found.group(0)
        time.sleep(0.05)
    raise AssertionError(f"no email with {pattern}")


def sign_in_with_code(page: Any, audit: Any, url: str, code: str, name: str) -> None:
    """The code page, audited empty and after a wrong code, then the right code sent."""
    page.goto(url)
    audit(page, f"{name}: sign in")
    page.locator("#id_code").fill("AAAAA-BBBBB-CCCCC-DDDDD")
    submit(page)
    assert has_error_summary(page)
    audit(page, f"{name}: a wrong code")
    page.locator("#id_code").fill(code)
    submit(page)


def upload(page: Any, name: str, data: bytes, mime: str, *, keep_original: bool = False) -> None:
    page.set_input_files("#id_file", files=[{"name": name, "mimeType": mime, "buffer": data}])
    if keep_original:
        page.locator("#id_keep_original").check()
    submit(page, "main button[name=upload]")


def fill_the_wizard(page: Any, base: str, audit: Audit) -> None:
    """A confidential report, every step answered, two photos attached; ends on check answers."""
    page.goto(base + "/report/start")
    page.locator("#id_what_happened").fill(
        "At the constituency office he blocked the door and said nobody would believe me."
    )
    continue_(page)
    page.locator("input[name=category][value=harassment]").check()
    continue_(page)
    page.locator("#q").fill("Fenwright")
    submit(page, "main button[name=search]")
    page.locator(f"input[name=respondent_id][value={RESPONDENT}]").check()
    audit(page, "who: search results with a person chosen")
    continue_(page)
    page.locator("#id_when_kind_0").check()
    page.locator("#id_when_day").fill("3")
    page.locator("#id_when_month").fill("11")
    page.locator("#id_when_year").fill("2026")
    continue_(page)
    page.locator("#id_where").fill("Ashwold East office, the back corridor")
    continue_(page)
    page.locator("#id_witnesses").fill("His caseworker was in the next room.")
    continue_(page)
    page.locator("#id_impact").fill("I stopped going to the office and could not sleep.")
    continue_(page)
    upload(page, "IMG_0042.jpg", samples.jpeg(), "image/jpeg")
    assert page.locator("#evidence-list").count() == 1
    audit(page, "evidence: a file listed with what was removed")
    upload(page, "IMG_0043.jpg", samples.jpeg(), "image/jpeg", keep_original=True)
    assert page.locator("#found-2").count() == 1  # the kept original's warning
    audit(page, "evidence: a file kept as it was, with the warning of what it shows")
    upload(page, "statement.pdf", samples.jpeg(), "image/jpeg")
    assert has_error_summary(page)
    audit(page, "evidence: a refused file")
    submit(page, "main button[name=continue]")
    page.locator("#id_outcome").fill("An apology, and for it never to happen to anyone else.")
    continue_(page)
    page.locator("input[name=support][value=yes]").check()
    continue_(page)
    page.locator("input[name=identity][value=confidential]").check()
    continue_(page)
    page.locator("#id_contact_name").fill("Eirlys Pritchard")
    page.locator("#id_contact_email").fill(EMAIL)
    page.locator("#id_contact_phone").fill("01632 960 555")
    page.locator("#id_email_updates").check()
    continue_(page)
    assert page.url.endswith("/report/check-answers")


def send_report(page: Any, audit: Audit) -> str:
    """From check your answers: send, keep the code, finish. Returns the receipt code."""
    audit(page, "check your answers, every answer given")
    submit(page, "main form[action$='/report/submit'] button")
    assert page.url.endswith("/report/sent")
    code = str(page.locator("#receipt-code").inner_text())
    audit(page, "receipt code shown (/report/sent)")
    submit(page)  # the box is not ticked
    assert has_error_summary(page)
    audit(page, "receipt code shown, box not ticked")
    page.locator("#id_saved").check()
    submit(page)
    assert page.url.endswith("/report/done")
    audit(page, "report sent (/report/done)")
    return code


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_report_wizard_with_answers_passes_axe(
    demo: None, live_server: Any, axe_page: Any, language: str
) -> None:
    base = live_server.url
    audit = Audit(language)
    page = in_language(axe_page, base, language)
    page.goto(base + "/")
    audit(page, "start page")
    fill_the_wizard(page, base, audit)
    for slug in WIZARD_STEPS:
        page.goto(f"{base}/report/{slug}")
        audit(page, f"wizard step {slug}, answered")
        page.goto(f"{base}/report/{slug}?change=1")
        audit(page, f"wizard step {slug}, changed from check your answers")
    page.goto(base + "/report/when")
    page.locator("#id_when_month").fill("13")
    continue_(page)
    assert has_error_summary(page)
    audit(page, "wizard step when, a wrong date")
    page.goto(base + "/report/contact")
    page.locator("#id_contact_name").fill("")
    continue_(page)
    assert has_error_summary(page)
    audit(page, "wizard step contact, no name")
    page.goto(base + "/report/check-answers")
    send_report(page, audit)
    audit.passed()


def a_sent_report(page: Any, base: str) -> tuple[str, Case]:
    """A confidential report sent through the pages (not audited here); its code and case."""
    fill_the_wizard(page, base, Audit("-"))
    code = send_report(page, Audit("-"))
    return code, Case.objects.latest("received_at")


@pytest.mark.parametrize("language", LANGUAGES)
def test_check_your_report_pages_pass_axe(
    demo: None, live_server: Any, axe_page: Any, language: str
) -> None:
    base = live_server.url
    audit = Audit(language)
    mail.outbox.clear()
    page = in_language(axe_page, base, language)
    code, case = a_sent_report(page, base)

    page.goto(base + mail_with(r"/check/verify-email/"))
    audit(page, "email address confirmed")
    page.goto(base + "/check/verify-email/not-a-real-token")
    audit(page, "email confirmation, a bad link")

    # Opened once with the code before: the page says when, and what to do if it was not them.
    assert intake_actions.open_with_code(code, client="earlier-visit") is not None
    sign_in_with_code(page, audit, base + "/check", code, "check your report")
    assert page.url.endswith("/check/report")
    assert page.locator("#last-read").count() == 1
    audit(page, "your report, no messages yet, when it was last opened")

    assert page.locator("#proof-when").count() == 1
    log.make_checkpoint()
    page.goto(base + "/check/report")
    assert page.locator("#proof-download").count() == 1
    audit(page, "your report, its proof ready")
    page.goto(base + "/check/proof")
    audit(page, "renew a copy of your proof")
    submit(page)  # no file chosen
    assert has_error_summary(page)
    audit(page, "renew a copy of your proof, no file chosen")
    page.set_input_files(
        "#id_file",
        files=[{"name": "ack.json", "mimeType": "application/json", "buffer": b"{}"}],
    )
    submit(page)
    assert has_error_summary(page)
    audit(page, "renew a copy of your proof, not an acknowledgement")
    page.goto(base + "/check/report")

    page.locator("#id_body").fill("He also phoned me that evening, twice.")
    submit(page, "main button[name=send]")
    caseworker = User.objects.get(username="caseworker")
    case_actions.assign(case, caseworker, AssignmentRole.CASEWORKER, actor="system:test")
    case_actions.send_message_to_complainant(
        case, "Thank you. I am your caseworker; I will call on Tuesday.", actor=caseworker
    )
    page.goto(base + "/check/report")
    assert page.locator("#messages li").count() == 2
    audit(page, "your report, messages from both sides")
    submit(page, "main button[name=send]")  # empty
    assert has_error_summary(page)
    audit(page, "your report, an empty message")
    submit(page, "main button[name=upload]")  # no file chosen
    assert has_error_summary(page)
    audit(page, "your report, an upload with no file")
    upload(page, "IMG_0044.jpg", samples.jpeg(), "image/jpeg")
    assert page.locator("#attachments li").count() == 3
    audit(page, "your report, a file added with what was removed")
    upload(page, "IMG_0045.jpg", samples.jpeg(), "image/jpeg", keep_original=True)
    assert page.locator("#pending-found").count() == 1
    audit(page, "your report, asked before a file is kept as it was")
    submit(page, "main button[name=keep_confirm]")
    assert page.locator("#evidence-found").count() == 1
    audit(page, "your report, a file kept as it was")
    note = clean(b"A note.", filename="note.txt")
    while case.attachments.count() < MAX_CASE_FILES:
        intake_actions.add_evidence(case, note, original_name="note.txt")
    page.goto(base + "/check/report")
    assert page.locator("#evidence-limit").count() == 1
    audit(page, "your report, as many files as it can have")

    page.goto(base + "/check/withdraw")
    audit(page, "withdraw your report")
    submit(page)  # the box is not ticked
    assert has_error_summary(page)
    audit(page, "withdraw your report, box not ticked")
    page.locator("#id_reason").fill("I have found another job.")
    page.locator("#id_confirm").check()
    submit(page)
    assert page.url.endswith("/check/report")
    audit(page, "your report, withdrawn")
    audit.passed()


@pytest.mark.parametrize("language", LANGUAGES)
def test_lost_code_and_recovery_pages_pass_axe(
    demo: None, live_server: Any, axe_page: Any, language: str
) -> None:
    base = live_server.url
    audit = Audit(language)
    mail.outbox.clear()
    page = in_language(axe_page, base, language)
    a_sent_report(page, base)
    page.goto(base + mail_with(r"/check/verify-email/"))

    stranger = in_language(page, base, language)  # another browser: nothing of the report
    stranger.goto(base + "/check/lost-code")
    audit(stranger, "lost code")
    stranger.locator("#id_email").fill("")
    submit(stranger)
    assert has_error_summary(stranger)
    audit(stranger, "lost code, no address")
    sent_before = len(mail.outbox)
    stranger.locator("#id_email").fill(EMAIL)
    submit(stranger)
    assert stranger.locator("#recovery-sent").count() == 1
    audit(stranger, "lost code, link sent")
    link = mail_with(r"/check/recover/", after=sent_before)
    stranger.goto(base + link)
    audit(stranger, "recovery link opened")
    submit(stranger)
    assert stranger.locator("#receipt-code").count() == 1
    audit(stranger, "recovery: the new code")
    stranger.goto(base + link)
    audit(stranger, "recovery link used twice")
    audit.passed()


@pytest.mark.parametrize("language", LANGUAGES)
def test_escrow_pages_pass_axe(demo: None, live_server: Any, axe_page: Any, language: str) -> None:
    base = live_server.url
    audit = Audit(language)
    mail.outbox.clear()
    page = in_language(axe_page, base, language)
    page.goto(base + "/escrow")
    audit(page, "escrow: start")
    page.locator("#q").fill("Fenwright")
    submit(page, "main form[role=search] button")
    page.locator(f"input[name=respondent][value={RESPONDENT}]").check()
    audit(page, "escrow: search results with a person chosen")
    submit(page, "main form:not([role=search]) button[type=submit]")
    assert has_error_summary(page)
    audit(page, "escrow: nothing written")
    page.locator(f"input[name=respondent][value={RESPONDENT}]").check()
    page.locator("#id_report").fill("He said my contract would not be renewed unless I kept quiet.")
    page.locator("#id_email").fill(EMAIL)
    submit(page, "main form:not([role=search]) button[type=submit]")
    audit(page, "escrow: check your email")
    link = mail_with(r"/escrow/confirm/")
    page.goto(base + link)
    audit(page, "escrow: confirm")
    submit(page)
    code = str(page.locator("#escrow-code").inner_text())
    audit(page, "escrow: lodged, the code shown")
    page.goto(base + link)
    audit(page, "escrow: a link used twice")
    page.goto(base + "/escrow/confirm/not-a-real-token")
    audit(page, "escrow: a bad link")

    sign_in_with_code(page, audit, base + "/escrow/check", code, "escrow: check your entry")
    assert page.url.endswith("/escrow/entry")
    audit(page, "escrow: your entry, held")
    submit(page, "main form:not([role=search]):not([action]) button[type=submit]")
    assert has_error_summary(page)
    audit(page, "escrow: making a complaint, nothing filled in")
    submit(page, "main form[action$='/escrow/delete'] button")
    audit(page, "escrow: your entry, deleted")

    # Two other people name the same person: the first of them sees a match, then goes ahead.
    person = Person.objects.get(identifier=RESPONDENT)
    codes = []
    for email in ("bethan@example.org", "carys@example.org"):
        token = escrow.start(respondent=person, report="The same happened to me.", email=email)
        codes.append(escrow.confirm(token)[1])
    page.goto(base + "/escrow/check")
    page.locator("#id_code").fill(codes[0])
    submit(page)
    assert page.url.endswith("/escrow/entry")
    assert EscrowEntry.objects.filter(status=Status.MATCHED).count() == 2
    audit(page, "escrow: your entry, matched")
    page.locator("#q").fill("Fenwright")
    submit(page, "main form[role=search] button")
    page.locator(f"input[name=respondent][value={RESPONDENT}]").check()
    page.locator("input[name=category][value=harassment]").check()
    page.locator("#id_report").fill("In his office he said my contract depended on keeping quiet.")
    page.locator("#id_email").fill("bethan@example.org")
    audit(page, "escrow: going ahead with a complaint, filled in")
    submit(page, "main form:not([role=search]):not([action]) button[type=submit]")
    assert EscrowEntry.objects.filter(status=Status.CONVERTED).count() == 1
    audit(page, "escrow: your entry, now a complaint")
    audit.passed()


@pytest.mark.parametrize("language", LANGUAGES)
def test_information_pages_pass_axe(
    demo: None, live_server: Any, axe_page: Any, language: str
) -> None:
    base = live_server.url
    audit = Audit(language)
    page = in_language(axe_page, base, language)
    for path, name in [
        ("/", "start page"),
        ("/privacy", "privacy"),
        ("/accessibility", "accessibility"),
        ("/check", "check your report: sign in"),
        ("/statistics?year=2026", "complaints in figures"),
        ("/statistics?year=twenty", "complaints in figures: a bad year"),
    ]:
        page.goto(base + path)
        audit(page, name)
    audit.passed()
