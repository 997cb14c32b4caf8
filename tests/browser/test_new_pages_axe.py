"""axe-core on the helpline, data protection request, identity disclosure and decision pages,
and on the parties' "ask for support" pages, in English and Welsh, with demo data: each page
as it first opens and with its error summary, and each at 320 pixels wide without sideways
scrolling (WCAG reflow). The objects the pages show are made once with the apps' own actions;
each language then only reads pages and submits empty forms, which change nothing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from redress.accounts.models import User
from redress.cases import actions as case_actions
from redress.cases.models import AssignmentRole, Case, RecordKind, Source, Stage
from redress.disclosure import actions as disclosure
from redress.disclosure.models import Scope
from redress.helpline import actions as helpline
from redress.helpline.models import SupportRequest
from redress.helpline.services import services
from redress.intake import receipts
from redress.intake.models import Receipt
from redress.subjectaccess import actions as subjectaccess
from redress.subjectaccess.models import DataRequest, Kind
from redress.subjectaccess.search import search
from tests.browser.conftest import axe_violations
from tests.browser.test_staff_pages_axe import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF = ("adviser", "oversight", "dpo", "caseworker", "decision-maker", "appeals")
# A page's own form, not the small forms of its buttons (which post elsewhere).
OWN = "main form[method=post]:not([action])"
SUBMIT = "main form[method=post] button[type=submit]"
# A suspension's terms: from the first of next January, for three months.
TERMS = {
    "start_day": "1",
    "start_month": "1",
    "start_year": str(dt.date.today().year + 1),
    "months": "3",
    "conditions": "No access to the east corridor.",
}
# Empties a form as it would be sent with nothing answered (answers kept from earlier cleared).
EMPTY = """form => form.querySelectorAll("input, textarea, select").forEach(field => {
    if (field.type === "radio" || field.type === "checkbox") field.checked = false;
    else if (field.type !== "hidden") field.value = "";
})"""

# The outermost elements reaching past 320 pixels: what to fix when the page scrolls sideways.
WIDEST = """() => [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > 321
        && e.parentElement.getBoundingClientRect().right <= 321)
    .slice(0, 5)
    .map(e => `${e.tagName}.${e.className}`)"""


class Audit:
    """Runs axe and the reflow check on each page shown, keeping every failure, named."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.failures: list[str] = []

    def __call__(self, page: Any, name: str, *, error: bool = False) -> None:
        where = f"{name} [{self.language}] ({page.url})"
        if page.locator("html").get_attribute("lang") != self.language:
            self.failures.append(f"{where}: not in the language chosen")
        if error and not page.locator(".govuk-error-summary").is_visible():
            self.failures.append(f"{where}: no error summary")
        violations = axe_violations(page)
        if violations:
            self.failures.append(f"{where}: {violations}")
        page.set_viewport_size({"width": 320, "height": 800})
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            wide = page.evaluate(WIDEST)
            self.failures.append(f"{where}: {width} pixels wide at 320 {wide}")
        page.set_viewport_size({"width": 1280, "height": 800})

    def visit(self, page: Any, base: str, path: str, name: str = "") -> None:
        page.goto(base + path)
        if not page.url.endswith(path):
            self.failures.append(f"{name or path} [{self.language}]: sent on to {page.url}")
        self(page, name or path)

    def refused(
        self, page: Any, base: str, path: str, name: str = "", form: str = "main form[method=post]"
    ) -> None:
        """The page, then the page refusing its form (``form``) sent empty."""
        self.visit(page, base, path, name)
        page.locator(form).first.evaluate(EMPTY)
        page.locator(form).first.locator("button[type=submit]").first.click()
        page.wait_for_load_state()
        self(page, (name or path) + " refused", error=True)


class World:
    """What the pages need, made once with the apps' actions on top of the demo."""

    def __init__(self) -> None:
        self.users = users = {u.username: u for u in User.objects.all()}
        sealed = Case.objects.get(respondent__identifier="M-1001")  # under investigation
        self.sealed = sealed.reference
        # The helpline: the demo's waiting request, written to and referred.
        support = SupportRequest.objects.get()
        helpline.record_contact(support, "We can talk on Tuesday.", by=users["adviser"])
        self.referral = helpline.refer(support, next(iter(services())), by=users["adviser"]).pk
        self.support = support.pk
        # Data protection requests from the member complained about, searched: one for access,
        # one for erasure (whose answer says what was done).
        found = self.searched(Kind.ACCESS)
        self.data_request = found.pk
        self.erasure = self.searched(Kind.ERASURE).pk
        self.finding = found.findings.order_by("pk").first().pk  # type: ignore[union-attr]
        # Identity: a request waiting for the officer.
        self.identity_request = disclosure.ask(
            sealed,
            by=users["caseworker"],
            scope=Scope.OUTSIDE,
            reason="The police asked.",
            recipient="Thames Valley Police",
            purpose="A criminal investigation.",
        ).pk
        # The complainant can open their report with a receipt code; the respondent has a link.
        self.code = receipts.new_code()
        Receipt.objects.create(
            case=sealed, digest=receipts.digest(receipts.normalise(self.code) or "")
        )
        self.respondent_token = case_actions.notify_respondent(sealed, actor=users["caseworker"])
        # The decision waits on the investigation's findings.
        case_actions.add_record(
            sealed, RecordKind.FINDINGS, "Two witnesses agree.", actor=users["investigator"]
        )
        case_actions.transition(
            sealed, Stage.FINDINGS, actor=users["investigator"], reasons="Investigation done."
        )
        # An appeal waits for the panel's outcome.
        appealed = Case.objects.get(stage=Stage.APPEAL_WINDOW)
        case_actions.lodge_appeal(appealed, "The witnesses were not asked.", by=Source.RESPONDENT)
        case_actions.assign(
            appealed, users["appeals"], AssignmentRole.APPEALS_PANEL, actor="system:test"
        )
        self.appealed = appealed.reference

    def searched(self, kind: Kind) -> DataRequest:
        found = subjectaccess.record(
            kind=kind,
            subject_name="Alderic Fenwright",
            subject_identifier="M-1001",
            identity_check="Passport seen in person",
            received_on=timezone.localdate(),
            actor=self.users["dpo"],
        )
        search(found, actor=self.users["dpo"])
        return found

    def approved_answer(self) -> int:
        """A subject access request searched, assembled and approved by the second officer."""
        found = self.searched(Kind.ACCESS)
        subjectaccess.assemble(found, actor=self.users["dpo"])
        subjectaccess.approve(found, actor=self.users["dpo-second"])
        return found.pk

    def approved_identity(self) -> None:
        """A request to read the identity inside the scheme, approved by the officer."""
        asked = disclosure.ask(
            Case.objects.get(reference=self.sealed),
            by=self.users["caseworker"],
            scope=Scope.INSIDE,
            reason="To arrange a meeting.",
        )
        disclosure.decide(
            asked, by=self.users["dpo"], approve=True, reason="Needed for the meeting."
        )


def browser(chromium: Any) -> Any:
    """A browser of its own (its own cookies). Each staff member signs in once: a second factor's
    code is refused if used twice."""
    return chromium.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800})


def speaking(context: Any, base: str, language: str) -> Any:
    """The context's page, with the language chosen (a cookie, as the language link sets)."""
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    return context.pages[0] if context.pages else context.new_page()


def answer(page: Any, choice: str = "", reasons: str = "") -> None:
    """Answer one question of the decision: a radio by its value, or the reasons."""
    if choice:
        page.locator(f"main input[type=radio][value={choice}]").check()
    if reasons:
        page.locator("#id_reasons").fill(reasons)
    page.locator(SUBMIT).first.click()
    page.wait_for_load_state()


def too_long(page: Any) -> None:
    """More words than the field keeps, past the browser's own limit, as a script could send."""
    page.locator("#id_words").evaluate("field => field.removeAttribute('maxlength')")
    page.locator("#id_words").fill("x" * 2001)


def test_new_pages_pass_axe_in_english_and_welsh(live_server: Any, chromium: Any) -> None:
    cache.clear()
    call_command("demo", stdout=io.StringIO())
    world = World()
    base = live_server.url
    failures: list[str] = []
    contexts = {name: browser(chromium) for name in (*STAFF, "complainant", "respondent")}
    for name in STAFF:
        sign_in(speaking(contexts[name], base, "en"), base, name)
    complainant = speaking(contexts["complainant"], base, "en")
    complainant.goto(base + "/check")
    complainant.locator("#id_code").fill(world.code)
    complainant.locator("main button[type=submit]").click()
    speaking(contexts["respondent"], base, "en").goto(
        f"{base}/respond/open/{world.respondent_token}"
    )
    maker = contexts["decision-maker"].pages[0]
    maker.goto(f"{base}/staff/cases/{world.sealed}/decision?question=decision")
    answer(maker, choice="upheld")
    answer(maker, reasons="The witnesses agree.")
    answer(maker, choice="suspension")
    for field, value in TERMS.items():
        maker.locator(f"#id_{field}").fill(value)
    answer(maker)
    assert maker.url.endswith("/decision?question=check"), maker.url
    panel = contexts["appeals"].pages[0]
    panel.goto(f"{base}/staff/cases/{world.appealed}/appeal")
    answer(panel, choice="dismissed")
    answer(panel, reasons="No new evidence.")
    assert panel.url.endswith("/appeal?question=check"), panel.url
    for language in ("en", "cy"):
        audit = Audit(language)
        pages = {name: speaking(context, base, language) for name, context in contexts.items()}
        adviser = pages["adviser"]
        root = f"/staff/helpline/{world.support}"
        audit.visit(adviser, base, "/staff/", "the adviser's home")
        audit.visit(adviser, base, "/staff/helpline")
        audit.visit(adviser, base, root)
        for act in ("contact", "refer", "close", f"referrals/{world.referral}/outcome"):
            audit.refused(adviser, base, f"{root}/{act}")
        audit.visit(pages["oversight"], base, "/staff/helpline/numbers")

        officer = pages["dpo"]
        root = f"/staff/data-requests/{world.data_request}"
        audit.visit(officer, base, "/staff/", "the officer's home")
        audit.visit(officer, base, "/staff/data-requests")
        audit.refused(officer, base, "/staff/data-requests/new")
        audit.visit(officer, base, root)
        audit.refused(officer, base, f"{root}/findings/{world.finding}", form=OWN)
        for act in ("extend", "consent", "refuse"):
            audit.refused(officer, base, f"{root}/{act}")
        audit.refused(officer, base, f"/staff/data-requests/{world.erasure}/assemble")
        audit.visit(officer, base, "/staff/identity-requests")
        audit.refused(officer, base, f"/staff/identity-requests/{world.identity_request}")

        # An answer approved by a second officer, released: the link is shown once.
        released = world.approved_answer()
        audit.visit(officer, base, f"/staff/data-requests/{released}", "an approved answer")
        officer.locator("main form[action$='/release'] button").click()
        audit(officer, "the released answer's link")
        audit.visit(pages["respondent"], base, "/data-request/no-such-link")

        # A handler's identity page with an approved request on it, asking again refused, and
        # the identity shown once.
        world.approved_identity()
        caseworker = pages["caseworker"]
        audit.refused(caseworker, base, f"/staff/cases/{world.sealed}/identity", form=OWN)
        caseworker.locator("main form[action$='/show'] button").click()
        audit(caseworker, "the identity shown once")

        # The decision's later questions: the sanction's terms and the check before recording;
        # the appeal's outcome, its reasons and its check (the answers were given in English).
        decide = f"/staff/cases/{world.sealed}/decision"
        audit.refused(pages["decision-maker"], base, f"{decide}?question=terms")
        audit.visit(pages["decision-maker"], base, decide, "the decision's check page")
        appeal = f"/staff/cases/{world.appealed}/appeal"
        audit.refused(pages["appeals"], base, f"{appeal}?question=outcome")
        audit.visit(pages["appeals"], base, f"{appeal}?question=reasons")
        audit.visit(pages["appeals"], base, appeal, "the appeal's check page")

        for party, path in (("complainant", "/check/support"), ("respondent", "/respond/support")):
            audit.visit(pages[party], base, path)
            too_long(pages[party])
            pages[party].locator(SUBMIT).first.click()
            audit(pages[party], path + " too long", error=True)
        audit.visit(pages["respondent"], base, "/outside-bodies")
        failures += audit.failures
    for context in contexts.values():
        context.close()
    assert not failures, "\n\n".join(failures)
