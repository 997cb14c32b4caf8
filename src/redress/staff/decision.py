"""The decision page: a case's decision, or its appeal's outcome, asked one thing a page, shown
for checking, then recorded through ``cases.actions`` (which alone decides whether it may be).

The answers so far are kept in the session between pages, sealed with the case's own data key:
they are case content, so the session table never holds them readable, and shredding the case
makes a forgotten draft unreadable too. Nothing is stored on the case until the last button.
Every page is a plain form and link, so it all works without JavaScript.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from redress.accounts.access import requires
from redress.accounts.models import User
from redress.cases import actions, lifecycle, sanctions
from redress.cases.access import load_case
from redress.cases.actions import CaseError
from redress.cases.models import AppealOutcome, Case, Decision, Sanction, Stage
from redress.register.actions import FINDINGS
from redress.staff import decision_forms
from redress.vault.actions import open_sealed, seal
from redress.vault.errors import VaultError

PURPOSE = "staff.decision_draft"
# Every question in the order asked; a changed answer clears the ones after it that hang on it.
QUESTIONS = ("outcome", "decision", "reasons", "sanction", "terms")
DEPENDS = {
    "outcome": ("decision", "sanction", "terms"),
    "decision": ("sanction", "terms"),
    "sanction": ("terms",),
}
TEMPLATES = {
    "outcome": "staff/decision/choose.html",
    "decision": "staff/decision/choose.html",
    "sanction": "staff/decision/choose.html",
    "reasons": "staff/decision/reasons.html",
    "terms": "staff/decision/terms.html",
}
Draft = dict[str, dict[str, str]]


@dataclass(frozen=True)
class Flow:
    """One way through the questions: a deciding move, or an appeal's outcome."""

    case: Case
    appeal: bool
    # The stage a deciding move goes to and the decisions it may record.
    to: Stage | None
    decisions: list[Decision]

    @property
    def url(self) -> str:
        name = "staff:case-appeal" if self.appeal else "staff:case-decide"
        return reverse(name, args=[self.case.reference])

    @property
    def session_key(self) -> str:
        return f"decision:{'appeal' if self.appeal else 'decide'}:{self.case.reference}"

    def questions(self, draft: Draft) -> list[str]:
        """The questions this flow asks, given the answers so far."""
        asked = ["outcome"] if self.appeal else []
        allowed = (draft.get("outcome") or {}).get("outcome") == AppealOutcome.ALLOWED
        if (self.appeal and allowed) or (not self.appeal and len(self.decisions) > 1):
            asked.append("decision")
        asked.append("reasons")
        if self.decision(draft) in FINDINGS:
            asked.append("sanction")
            if sanctions.takes_conditions(self.sanction(draft)):
                asked.append("terms")
        return asked

    def decision(self, draft: Draft) -> str:
        if not self.appeal and len(self.decisions) == 1:
            return str(self.decisions[0])
        return (draft.get("decision") or {}).get("decision", "")

    def sanction(self, draft: Draft) -> str:
        return (draft.get("sanction") or {}).get("sanction", "")

    def form(
        self, question: str, *, data: Any = None, initial: Any = None, kind: str = ""
    ) -> forms.Form:
        received_on = timezone.localdate(self.case.received_at)
        made: dict[str, Any] = {
            "outcome": lambda: decision_forms.OutcomeForm(data, initial=initial),
            "decision": lambda: decision_forms.DecisionForm(
                data, initial=initial, decisions=self.decisions
            ),
            "reasons": lambda: decision_forms.ReasonsForm(
                data, initial=initial, appeal=self.appeal
            ),
            "sanction": lambda: decision_forms.SanctionForm(data, initial=initial),
            "terms": lambda: decision_forms.TermsForm(
                data, initial=initial, kind=kind, received_on=received_on
            ),
        }
        return made[question]()  # type: ignore[no-any-return]


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _load(request: HttpRequest, flow: Flow) -> Draft:
    kept = request.session.get(flow.session_key)
    if not kept:
        return {}
    try:
        plain = open_sealed(flow.case.data_key, base64.b64decode(kept), purpose=PURPOSE)
    except (VaultError, ValueError):
        return {}
    loaded: Draft = json.loads(plain)
    return loaded


def _save(request: HttpRequest, flow: Flow, draft: Draft) -> None:
    sealed = seal(flow.case.data_key, json.dumps(draft).encode(), purpose=PURPOSE)
    request.session[flow.session_key] = base64.b64encode(sealed).decode()


def _first_unanswered(flow: Flow, draft: Draft) -> str:
    return next((q for q in flow.questions(draft) if q not in draft), "check")


def _terms(flow: Flow, draft: Draft) -> sanctions.Terms:
    if "terms" not in flow.questions(draft):
        return sanctions.NO_TERMS
    form = flow.form("terms", data=draft["terms"], kind=flow.sanction(draft))
    return form.cleaned_data["terms"] if form.is_valid() else sanctions.NO_TERMS


def _summary(flow: Flow, draft: Draft) -> list[tuple[str, str, str]]:
    """The check page's rows: what was asked, what was answered, and where to change it."""
    rows: list[tuple[str, str, str]] = []
    asked = flow.questions(draft)
    if "outcome" in asked:
        rows.append(
            (_("Outcome"), str(AppealOutcome(draft["outcome"]["outcome"]).label), "outcome")
        )
    decision = flow.decision(draft)
    if decision:
        change = "decision" if "decision" in asked else ""
        rows.append((_("Decision"), str(Decision(decision).label), change))
    rows.append((_("Reasons"), draft["reasons"]["reasons"], "reasons"))
    if "sanction" in asked:
        rows.append((_("Sanction"), str(Sanction(flow.sanction(draft)).label), "sanction"))
    terms = _terms(flow, draft)
    if "terms" in asked:
        if sanctions.takes_start(flow.sanction(draft)):
            rows.append((_("Starts on"), _day(terms.starts_on), "terms"))
        if sanctions.takes_period(flow.sanction(draft)):
            length = str(terms.months) if terms.months else _("Not given")
            rows.append((_("Length in months"), length, "terms"))
            rows.append((_("Ends on"), _day(terms.ends_on), "terms"))
        rows.append((_("Conditions"), terms.conditions or _("None"), "terms"))
    return rows


def _day(day: Any) -> str:
    return str(date_format(day, "j F Y")) if day else _("Not given")


def _terms_note(kind: str) -> str:
    """What the terms page says first: which of its answers this kind of sanction needs."""
    if kind in sanctions.TIMED:
        return _("Give the date it starts and how many months it lasts.")
    if sanctions.takes_period(kind):
        return _("The start date and the length are optional. A length needs a start date.")
    if kind in sanctions.DATED:
        return _("The date it takes effect is optional.")
    return ""


def _record(flow: Flow, draft: Draft, user: User) -> str:
    """Record the answers through the action; returns the notice for the case page."""
    decision = flow.decision(draft)
    sanction = flow.sanction(draft)
    arguments: dict[str, Any] = {
        "actor": user,
        "reasons": draft["reasons"]["reasons"],
        "decision": Decision(decision) if decision else None,
        "sanction": Sanction(sanction) if sanction else None,
        "terms": _terms(flow, draft),
    }
    if flow.appeal:
        actions.decide_appeal(
            flow.case, outcome=AppealOutcome(draft["outcome"]["outcome"]), **arguments
        )
        return _("The appeal is decided and the case is closed.")
    assert flow.to is not None
    case = actions.transition(flow.case, flow.to, **arguments)
    return _("The decision is recorded. The case is now at “%(stage)s”.") % {
        "stage": case.get_stage_display()
    }


def _run(request: HttpRequest, flow: Flow) -> HttpResponse:
    draft = _load(request, flow)
    asked = flow.questions(draft)
    question = request.POST.get("question") or request.GET.get("question", "")
    unanswered = _first_unanswered(flow, draft)
    # A page asked for out of turn, or the check before all is answered: the next one due.
    if question not in asked or question == "check":
        question = unanswered
    context = {"case": flow.case, "flow": flow, "question": question}
    if question == "check":
        if request.method == "POST":
            try:
                notice = _record(flow, draft, _user(request))
            except CaseError as refused:
                context["refusal"] = getattr(refused, "message", None) or str(refused)
            else:
                request.session.pop(flow.session_key, None)
                messages.success(request, notice)
                return redirect("staff:case", flow.case.reference)
        context["rows"] = _summary(flow, draft)
        status = 400 if "refusal" in context else 200
        return render(request, "staff/decision/check.html", context, status=status)
    initial = draft.get(question, {})
    kind = flow.sanction(draft)
    context["terms_note"] = _terms_note(kind) if question == "terms" else ""
    if request.method == "POST":
        form = flow.form(question, data=request.POST, kind=kind)
        if form.is_valid():
            given = {name: str(request.POST.get(name, "")) for name in form.fields}
            if draft.get(question) != given:
                for later in DEPENDS.get(question, ()):
                    draft.pop(later, None)
            draft[question] = given
            _save(request, flow, draft)
            return redirect(f"{flow.url}?question={_first_unanswered(flow, draft)}")
        context["form"] = form
        return render(request, TEMPLATES[question], context, status=400)
    context["form"] = flow.form(question, initial=initial, kind=kind)
    return render(request, TEMPLATES[question], context)


@requires("case.decide", load=load_case)
def decide(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    """The case's decision, by someone who may make its deciding move from where it is now."""
    roles = actions.live_roles(obj, _user(request))
    step = next(m for m in lifecycle.MOVES[Stage(obj.stage)] if m.decides and m.by & roles)
    flow = Flow(case=obj, appeal=False, to=step.to, decisions=actions.fitting_decisions(step.to))
    return _run(request, flow)


@requires("case.decide_appeal", load=load_case)
def appeal(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    """The appeal's outcome, by the case's appeals panel, while the appeal waits for one."""
    flow = Flow(case=obj, appeal=True, to=None, decisions=actions.fitting_decisions(Stage.DECISION))
    return _run(request, flow)
