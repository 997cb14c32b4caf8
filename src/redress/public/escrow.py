"""Escrow for the complainant: "only act if someone else reports the same person".

Lodging needs a confirmed email address (matches count distinct people), so the entry is held
until the emailed link is opened; then a management code is shown once. With the code the
complainant sees whether their entry is held or matched, and can delete it or go ahead with a
full complaint at any time.
"""

from __future__ import annotations

import base64

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from redress.accounts.throttle import Throttle
from redress.cases.models import Category
from redress.core.middleware import client_fingerprint
from redress.core.routes import public
from redress.directory.models import Person
from redress.directory.search import find_people
from redress.escrow import actions
from redress.escrow.models import EscrowEntry, Status

SESSION_KEY = "escrow_entry"
# The key of the complainant's own copy of their entry (``actions.copy_key``) is kept in their
# browser only, for the follow-up session's life: the session's row never holds it.
COPY_COOKIE = "escrow_copy"


class EntryForm(forms.Form):
    respondent = forms.CharField(
        error_messages={"required": _("Search for the person, then choose them")}
    )
    report = forms.CharField(
        label=_("What happened"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Describe what happened")},
    )
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        error_messages={
            "required": _(
                "Enter your email address: it is how we know two entries come from different people"
            ),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )

    def clean_respondent(self) -> Person:
        person = Person.objects.by_identifier(self.cleaned_data["respondent"])
        if person is None:
            raise forms.ValidationError(_("Choose a person from the search results"))
        return person


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Your escrow code"),
        max_length=40,
        error_messages={"required": _("Enter the code you were given")},
    )


class ConvertForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What kind of behaviour was it?"),
        choices=Category.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what kind of behaviour it was")},
    )
    report = EntryForm.base_fields["report"]
    email = EntryForm.base_fields["email"]


def _searching(request: HttpRequest) -> bool:
    """A posted search for the person: it shows who matches and checks nothing else."""
    return request.method == "POST" and request.POST.get("search") == "1"


def _query(request: HttpRequest) -> str:
    # Searches are posted, never read from the address: a name in a URL stays in the history.
    return str(request.POST.get("q", ""))[:100] if request.method == "POST" else ""


@public
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    searching = _searching(request)
    form = EntryForm(request.POST if request.method == "POST" and not searching else None)
    query = _query(request)
    if form.is_bound and form.is_valid():
        try:
            actions.start(
                respondent=form.cleaned_data["respondent"],
                report=form.cleaned_data["report"],
                email=form.cleaned_data["email"],
                client=client_fingerprint(request),
            )
        except actions.EscrowError as refused:
            form.add_error(None, str(refused))
        else:
            return render(request, "public/escrow/check_email.html")
    chosen = form.data.get("respondent") if form.is_bound else ""
    people = find_people(query)
    if chosen and all(p.identifier != chosen for p in people):
        person = Person.objects.by_identifier(chosen)
        if person is not None:
            people = [person, *people]
    return render(
        request,
        "public/escrow/start.html",
        {"form": form, "people": people, "query": query, "chosen": chosen},
        status=400 if form.errors else 200,
    )


@public
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: opening it shows a button; only the POST lodges the entry and shows
    its code, once. A mail scanner or link preview that opens the link changes nothing."""
    try:
        if request.method == "GET":
            actions.held_for(token)
            return render(request, "public/escrow/confirm.html")
        entry, code = actions.confirm(token)
    except actions.EscrowError as refused:
        return render(request, "public/escrow/bad_link.html", {"reason": str(refused)}, status=400)
    return render(request, "public/escrow/lodged.html", {"code": code, "entry": entry})


def _throttle() -> Throttle:
    return Throttle(
        "escrow-code", limit=settings.RECEIPT_MAX_FAILURES, window=settings.RECEIPT_LOCKOUT_SECONDS
    )


@public
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        client = client_fingerprint(request)
        attempt = _throttle().reserve(client)  # counted before the lookup: no race
        if attempt is None:
            form.add_error("code", _("Too many codes were not recognised. Try again later."))
        else:
            entry = actions.find(form.cleaned_data["code"])
            if entry is None:
                form.add_error(
                    "code", _("We could not find an entry with that code. Check it and try again")
                )
            else:
                attempt.forgive()
                request.session.cycle_key()
                request.session[SESSION_KEY] = entry.pk
                request.session.set_expiry(settings.FOLLOW_UP_SESSION_SECONDS)
                response = redirect("public:escrow-status")
                response.set_cookie(
                    COPY_COOKIE,
                    base64.urlsafe_b64encode(actions.copy_key(form.cleaned_data["code"])).decode(),
                    max_age=settings.FOLLOW_UP_SESSION_SECONDS,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Strict",
                )
                return response
    return render(
        request, "public/escrow/check.html", {"form": form}, status=400 if form.errors else 200
    )


def _entry(request: HttpRequest) -> EscrowEntry | None:
    pk = request.session.get(SESSION_KEY)
    return EscrowEntry.objects.filter(pk=pk).first() if pk else None


def _own_copy(request: HttpRequest, entry: EscrowEntry) -> actions.OwnCopy | None:
    try:
        key = base64.urlsafe_b64decode(request.COOKIES.get(COPY_COOKIE, ""))
    except (ValueError, TypeError):
        return None
    return actions.read_own_copy(entry, key) if len(key) == 32 else None


def _carried_over(copy: actions.OwnCopy | None) -> dict[str, str]:
    """What the complainant wrote in their entry, to start the full complaint from."""
    if copy is None:
        return {}
    return {"report": copy.report, "email": copy.contact}


@public
@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    entry = _entry(request)
    if entry is None:
        return redirect("public:escrow-check")
    searching = _searching(request)
    copy = _own_copy(request, entry)
    form = ConvertForm(
        request.POST if request.method == "POST" and not searching else None,
        initial=_carried_over(copy),
    )
    chosen = request.POST.get("respondent", "") if form.is_bound else ""
    query = _query(request)
    people = list(find_people(query))
    if copy is not None and copy.respondent is not None:
        # The person the entry named is offered, chosen, without a search.
        if not form.is_bound:
            chosen = copy.respondent.identifier
        if all(p.identifier != copy.respondent.identifier for p in people):
            people.insert(0, copy.respondent)
    if form.is_bound and form.is_valid():
        person = Person.objects.by_identifier(chosen)
        if person is None:
            form.add_error(None, _("Search for the person, then choose them"))
        else:
            try:
                actions.convert(
                    entry,
                    respondent=person,
                    category=Category(form.cleaned_data["category"]),
                    report=form.cleaned_data["report"],
                    email=form.cleaned_data["email"],
                )
            except actions.EscrowError as refused:
                form.add_error(None, str(refused))
            else:
                done = redirect("public:escrow-status")
                done.delete_cookie(COPY_COOKIE, samesite="Strict")
                return done
    return render(
        request,
        "public/escrow/status.html",
        {
            "entry": entry,
            "form": form,
            "people": people,
            "chosen": chosen,
            "query": query,
            "carried_over": copy is not None,
            "statuses": Status,
        },
        status=400 if form.errors else 200,
    )


@public
@require_POST
def delete(request: HttpRequest) -> HttpResponse:
    entry = _entry(request)
    if entry is not None and entry.status in (Status.HELD, Status.MATCHED):
        actions.withdraw(entry)
    response = redirect("public:escrow-status")
    response.delete_cookie(COPY_COOKIE, samesite="Strict")
    return response
