"""The report wizard: one question per page, check your answers, then the receipt code.

Works without JavaScript. The draft lives in the database, sealed; the browser holds only a
session cookie naming it. Nothing here records who is reporting.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from redress.cases.models import Category, Identity
from redress.core.middleware import client_fingerprint
from redress.core.routes import public
from redress.directory.models import Person
from redress.intake import acknowledgement as acknowledgements
from redress.intake import actions
from redress.intake import forms as intake_forms
from redress.intake.filetypes import MAX_BYTES
from redress.intake.models import Draft
from redress.intake.sandbox import clean
from redress.intake.steps import BY_SLUG, STEPS, Step, missing_steps
from redress.intake.upload_words import UploadRefused, in_words, removed_in_words
from redress.public.proof import download

DRAFT = "intake_draft"
SUBMITTED = "intake_submitted"
SENT = "intake_sent"  # the code was shown and saved: a repeat of the send says so
# This browser made the report, so it may download the acknowledgement.
ACKNOWLEDGEMENT = "intake_ack"
# A report can take a while to write; the draft session outlives the staff idle timeout.
DRAFT_SESSION_SECONDS = int(actions.DRAFT_LIFETIME.total_seconds())
MAX_FILES = 10


def _draft(request: HttpRequest, *, create: bool = False) -> Draft | None:
    draft_id = request.session.get(DRAFT)
    draft = None
    if draft_id:
        draft = (
            Draft.objects.select_related("data_key").filter(pk=draft_id, case__isnull=True).first()
        )
    if draft is None and create:
        draft = actions.start_draft()
        request.session[DRAFT] = str(draft.pk)
        request.session.set_expiry(DRAFT_SESSION_SECONDS)
    return draft


def _next_slug(slug: str, answers: dict[str, Any]) -> str | None:
    following = STEPS[STEPS.index(BY_SLUG[slug]) + 1 :]
    return next((step.slug for step in following if step.asked(answers)), None)


def _previous_url(slug: str, answers: dict[str, Any]) -> str:
    index = STEPS.index(BY_SLUG[slug])
    if index == 0:
        return reverse("public:start")
    return reverse("public:report-step", args=[STEPS[index - 1].slug])


def _initial(step: Step, answers: dict[str, Any]) -> dict[str, Any]:
    initial = {name: answers.get(name) for name in step.form.base_fields}
    if step.slug == "when" and answers.get("when_date"):
        year, month, day = answers["when_date"].split("-")
        initial.update(when_year=int(year), when_month=int(month), when_day=int(day))
    if (
        step.slug == "who"
        and answers.get("respondent_description")
        and not answers.get("respondent_id")
    ):
        initial["respondent_id"] = "not-listed"
    return initial


def _stored(step: Step, cleaned: dict[str, Any]) -> dict[str, Any]:
    keep = {k: v for k, v in cleaned.items() if k in step.form.base_fields or k == "when_date"}
    for field in ("when_day", "when_month", "when_year"):
        keep.pop(field, None)
    return keep


@public
@require_GET
def begin(request: HttpRequest) -> HttpResponse:
    """Start (or carry on with) a report."""
    _draft(request, create=True)
    return redirect("public:report-step", slug=STEPS[0].slug)


@public
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, slug: str) -> HttpResponse:
    current = BY_SLUG.get(slug)
    if current is None:
        raise Http404
    draft = _draft(request)
    if draft is None:
        return redirect("public:report-begin")
    if current.slug == "evidence":
        return _evidence(request, draft)
    answers = actions.answers_of(draft)
    changing = request.GET.get("change") == "1"
    # The respondent search is posted with the step's own form, so a name never goes into the
    # address (browser history, logs); the answers typed so far are kept, not yet checked.
    searching = current.slug == "who" and request.method == "POST" and "search" in request.POST
    if searching:
        form = current.form(
            initial={name: request.POST.get(name) for name in current.form.base_fields}
        )
    elif request.method == "POST":
        form = current.form(request.POST)
        if form.is_valid():
            answers = actions.save_answers(draft, _stored(current, form.cleaned_data))
            following = _next_slug(current.slug, answers)
            if changing or following is None:
                needs_contact = (
                    current.slug == "identity"
                    and answers.get("identity") != Identity.ANONYMOUS
                    and not answers.get("contact_name")
                )
                if needs_contact:
                    return redirect(reverse("public:report-step", args=["contact"]))
                return redirect("public:report-check")
            return redirect("public:report-step", slug=following)
    else:
        form = current.form(initial=_initial(current, answers))
    context: dict[str, Any] = {
        "form": form,
        "step": current,
        "back_url": reverse("public:report-check") if changing else _previous_url(slug, answers),
        "answers": answers,
        "changing": changing,
    }
    if current.slug == "who":
        context.update(_directory_search(request, form))
    return render(
        request,
        f"public/report/{current.slug.replace('-', '_')}.html",
        context,
        status=400 if form.errors else 200,
    )


def _directory_search(request: HttpRequest, form: forms.Form) -> dict[str, Any]:
    """People matching the search, by name, role, constituency or office (no JavaScript).

    The search is posted, never in the address: a name in a URL stays in the browser's history
    and in links (the language switch) on a device someone else may see.
    """
    query = (request.POST.get("q") or "").strip()[:100] if request.method == "POST" else ""
    people: list[Person] = []
    chosen = form.data.get("respondent_id") if form.is_bound else form.initial.get("respondent_id")
    if query:
        people = list(
            Person.objects.filter(
                Q(name__icontains=query)
                | Q(role_title__icontains=query)
                | Q(constituency__icontains=query)
                | Q(office__name__icontains=query)
                | Q(party__name__icontains=query)
            ).select_related("party", "office")[:25]
        )
    if chosen and chosen != "not-listed" and all(p.identifier != chosen for p in people):
        person = Person.objects.select_related("party", "office").by_identifier(chosen)
        if person is not None:
            people = [person, *people]
    return {"query": query, "people": people, "chosen": chosen}


def _evidence(request: HttpRequest, draft: Draft) -> HttpResponse:
    answers = actions.answers_of(draft)
    form = intake_forms.EvidenceForm()
    error = None
    # Changing from "Check your answers": adding or removing a file keeps the page in that mode,
    # and both Back and Continue return there.
    changing = request.GET.get("change") == "1"
    here = reverse("public:report-step", args=["evidence"]) + ("?change=1" if changing else "")
    if request.method == "POST":
        if "remove" in request.POST:
            actions.remove_evidence(draft, request.POST["remove"])
            return redirect(here)
        form = intake_forms.EvidenceForm(request.POST, request.FILES)
        upload = request.FILES.get("file")
        if "continue" in request.POST and not upload:
            following = _next_slug("evidence", answers)
            return redirect(
                "public:report-check"
                if changing
                else reverse("public:report-step", args=[following])
            )
        if not form.is_valid() or upload is None:
            error = form.errors.get("file", [_("Select a file to upload")])[0]
        elif len(answers.get("evidence", [])) >= MAX_FILES:
            error = _("You can upload up to %(count)d files") % {"count": MAX_FILES}
        else:
            try:
                cleaned = clean(
                    upload.read(MAX_BYTES + 1),
                    filename=upload.name or "",
                    keep_original=bool(form.cleaned_data.get("keep_original")),
                )
            except UploadRefused as refused:
                error = refused.message
            else:
                actions.stage_evidence(draft, cleaned, original_name=upload.name or "")
                return redirect(here)
    context = {
        "form": form,
        "error": error,
        "evidence": [_in_words(item) for item in actions.answers_of(draft).get("evidence", [])],
        "back_url": reverse("public:report-check")
        if changing
        else _previous_url("evidence", answers),
        "max_files": MAX_FILES,
    }
    return render(request, "public/report/evidence.html", context, status=400 if error else 200)


def _in_words(item: dict[str, Any]) -> dict[str, Any]:
    """A staged file with what was removed from it, or what it still shows, in the page's
    language (the draft keeps the sanitiser's English labels)."""
    return {
        **item,
        "removed": removed_in_words(item.get("removed", []), item.get("removed_names", [])),
        "found": [in_words(label) for label in item.get("found", [])],
    }


def _evidence_summary(evidence: list[dict[str, Any]]) -> str:
    """One line per file; a file kept as it was says what its hidden details show."""
    lines = []
    for item in map(_in_words, evidence):
        name = item["original_name"] or item["kind"]
        if item["kept_original"] and item["found"]:
            name = _("%(name)s (kept as it was: it shows %(details)s)") % {
                "name": name,
                "details": ", ".join(item["found"]),
            }
        lines.append(name)
    return "\n".join(lines)


def _when(answers: dict[str, Any]) -> str:
    """When it happened: a date in full in the page's language ("27 March 2026")."""
    kind = answers.get("when_kind", "")
    if kind == "date" and answers.get("when_date"):
        return intake_forms.date_in_words(answers["when_date"])
    if kind == "period":
        return str(answers.get("when_period", ""))
    if kind == "not_sure":
        return _("Not sure")
    return ""


def _summary(answers: dict[str, Any]) -> list[dict[str, Any]]:
    respondent = "-"
    if answers.get("respondent_id"):
        person = Person.objects.by_identifier(answers["respondent_id"])
        respondent = f"{person.name}, {person.role_title}" if person else "-"
    elif answers.get("respondent_description"):
        respondent = answers["respondent_description"]
    contact = " ".join(
        filter(
            None,
            [
                answers.get("contact_name"),
                answers.get("contact_email"),
                answers.get("contact_phone"),
            ],
        )
    )
    lines = {
        "what-happened": (_("What happened"), answers.get("what_happened", "")),
        "category": (
            _("Kind of behaviour"),
            dict(Category.choices).get(answers.get("category", ""), ""),
        ),
        "who": (_("Who it is about"), respondent),
        "when": (_("When"), _when(answers)),
        "where": (_("Where"), answers.get("where", "")),
        "witnesses": (_("Witnesses"), answers.get("witnesses", "")),
        "impact": (_("How it has affected you"), answers.get("impact", "")),
        "evidence": (_("Evidence"), _evidence_summary(answers.get("evidence", []))),
        "outcome": (_("What you would like to happen"), answers.get("outcome", "")),
        "support": (
            _("Support"),
            {"yes": _("Yes"), "no": _("No")}.get(answers.get("support", ""), ""),
        ),
        "identity": (
            _("Who knows who you are"),
            dict(Identity.choices).get(answers.get("identity", ""), ""),
        ),
        "contact": (_("Contact details"), contact),
    }
    # A line for each step asked, in the order the steps are asked.
    return [
        {
            "slug": step.slug,
            "label": lines[step.slug][0],
            "value": lines[step.slug][1] or _("Not given"),
        }
        for step in STEPS
        if step.asked(answers)
    ]


@public
@require_GET
def check(request: HttpRequest) -> HttpResponse:
    draft = _draft(request)
    if draft is None:
        return redirect("public:report-begin")
    answers = actions.answers_of(draft)
    return render(
        request,
        "public/report/check.html",
        {
            "rows": _summary(answers),
            "missing": missing_steps(answers),
            "anonymous": answers.get("identity") == Identity.ANONYMOUS,
        },
    )


@public
@require_POST
def submit(request: HttpRequest) -> HttpResponse:
    """Send the report. The code is shown only after the case is committed."""
    draft_id = request.session.get(DRAFT) or request.session.get(SUBMITTED)
    if not draft_id:
        # Sent again (the back button) after the code was saved: say it was sent, rather than
        # quietly starting an empty report.
        return redirect(
            "public:report-done" if request.session.get(SENT) else "public:report-begin"
        )
    try:
        submission = actions.submit(draft_id, client=client_fingerprint(request))
    except actions.IncompleteReport as incomplete:
        return redirect("public:report-step", slug=incomplete.missing[0])
    except Draft.DoesNotExist:
        return redirect("public:report-begin")
    request.session.pop(DRAFT, None)
    request.session[SUBMITTED] = str(draft_id)
    # The code can be shown again (a refresh, a double click) only until the browser closes or
    # the session idles out: a cookie that outlived the browser would show it to the next
    # person to use the device.
    request.session.set_expiry(0)
    if submission.first_time:
        # The acknowledgement is made when it is downloaded, so it holds the proof once a
        # published checkpoint covers the report; the session only says it may be offered.
        request.session[ACKNOWLEDGEMENT] = True
    return redirect("public:report-sent")


def _submitted(request: HttpRequest) -> Draft | None:
    draft_id = request.session.get(SUBMITTED)
    if not draft_id:
        return None
    return Draft.objects.select_related("case", "data_key").filter(pk=draft_id).first()


@public
@require_http_methods(["GET", "POST"])
def sent(request: HttpRequest) -> HttpResponse:
    draft = _submitted(request)
    if draft is None or draft.case is None:
        return redirect("public:start")
    form = intake_forms.ConfirmSavedForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        actions.confirm_receipt_saved(draft)
        request.session.pop(SUBMITTED, None)
        request.session[SENT] = True
        request.session.pop(ACKNOWLEDGEMENT, None)
        return redirect("public:report-done")
    return render(
        request,
        "public/report/sent.html",
        {
            "code": draft.receipt,
            "case": draft.case,
            "form": form,
            "anonymous": draft.case.identity == Identity.ANONYMOUS,
            "has_acknowledgement": ACKNOWLEDGEMENT in request.session,
            "proof": acknowledgements.state(draft.case),
        },
        status=400 if form.errors else 200,
    )


@public
@require_GET
def acknowledgement(request: HttpRequest) -> HttpResponse:
    """The signed acknowledgement as a file to keep, with its proof once one is ready."""
    draft = _submitted(request)
    if not request.session.get(ACKNOWLEDGEMENT) or draft is None or draft.case is None:
        raise Http404
    return download(acknowledgements.build(draft.case))


@public
@require_GET
def done(request: HttpRequest) -> HttpResponse:
    return render(request, "public/report/done.html")
