"""Inviting staff (administrators) and enrolling with an invitation's link (its holder).

The enrolment pages are public: their holder has no account they can sign in with yet. The
link's secret is taken out of the address at once: the first page keeps it in the session and
sends the browser on to an address without it, so it is not left in the history, in a shared
screen or in the logs of a later page. Every enrolment page is also served with
``Referrer-Policy: no-referrer`` (the service's default), said again here so that no change to
the default can leak a link through a Referer header.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import wraps
from typing import Any

import segno
from django.contrib import auth, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from redress.accounts import invitations
from redress.accounts.access import requires
from redress.accounts.invitations import InvitationRefused, WrongCode
from redress.accounts.models import Invitation, Role, User
from redress.core.routes import public
from redress.staff.forms import CodeForm
from redress.staff.invitation_forms import EnrolPasswordForm, InviteForm

ENROL_SECRET = "staff_enrol_secret"  # noqa: S105 - a session key's name
ENROL_PASSWORD = "staff_enrol_password_hash"  # noqa: S105 - a session key's name
ENROL_DONE = "staff_enrol_done"
WRONG_CODE = gettext_lazy("The code is not right. Check your authenticator app and try again")

View = Callable[..., HttpResponse]


def _no_referrer(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapped


# Administrators: invite, list, withdraw, send again.


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _waiting(request: HttpRequest, pk: int) -> Invitation:
    invitation = (
        Invitation.objects.filter(pk=pk, accepted_at__isnull=True, withdrawn_at__isnull=True)
        .select_related("user")
        .first()
    )
    if invitation is None:
        raise Http404
    return invitation


@requires("accounts.manage")
@require_GET
def invitation_list(request: HttpRequest) -> HttpResponse:
    waiting = (
        Invitation.objects.filter(accepted_at__isnull=True, withdrawn_at__isnull=True)
        .select_related("user", "created_by")
        .order_by("-created_at")
    )
    labels = dict(Role.choices)
    rows = [(each, [str(labels.get(r, r)) for r in each.roles]) for each in waiting]
    context = {"rows": rows, "now": timezone.now()}
    return render(request, "staff/invitations/list.html", context)


@requires("accounts.manage")
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _secret = invitations.invite(
                form.cleaned_data["email"],
                form.cleaned_data["display_name"],
                [Role(r) for r in form.cleaned_data["roles"]],
                actor=_actor(request),
            )
        except InvitationRefused as refused:
            form.add_error("email", refused.message)
        else:
            messages.success(
                request, _("An invitation was sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("staff:invitations")
    status = 400 if form.errors else 200
    return render(request, "staff/invitations/invite.html", {"form": form}, status=status)


def _confirm(
    request: HttpRequest, invitation: Invitation, *, heading: str, body: str, button: str
) -> HttpResponse:
    context = {"invitation": invitation, "heading": heading, "body": body, "button": button}
    return render(request, "staff/invitations/confirm.html", context)


@requires("accounts.manage", load=_waiting)
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, pk: int, obj: Invitation) -> HttpResponse:
    if request.method == "POST":
        try:
            invitations.withdraw(obj, actor=_actor(request))
        except InvitationRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request, _("The invitation to %(email)s was withdrawn.") % {"email": obj.email}
            )
        return redirect("staff:invitations")
    return _confirm(
        request,
        obj,
        heading=_("Withdraw the invitation to %(email)s?") % {"email": obj.email},
        body=_("The link in their email will stop working at once."),
        button=_("Withdraw invitation"),
    )


@requires("accounts.manage", load=_waiting)
@require_http_methods(["GET", "POST"])
def send_again(request: HttpRequest, pk: int, obj: Invitation) -> HttpResponse:
    if request.method == "POST":
        try:
            invitations.send_again(obj, actor=_actor(request))
        except InvitationRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request, _("A new invitation was sent to %(email)s.") % {"email": obj.email}
            )
        return redirect("staff:invitations")
    return _confirm(
        request,
        obj,
        heading=_("Send the invitation to %(email)s again?") % {"email": obj.email},
        body=_(
            "They will get a new link, valid for 72 hours. The link they have now will stop "
            "working."
        ),
        button=_("Send again"),
    )


# The holder of a link: password, then authenticator, then done.


def _refused(request: HttpRequest, message: str) -> HttpResponse:
    request.session.pop(ENROL_SECRET, None)
    request.session.pop(ENROL_PASSWORD, None)
    return render(request, "staff/enrol/refused.html", {"message": message}, status=400)


def _session_invitation(request: HttpRequest) -> Invitation:
    secret = request.session.get(ENROL_SECRET)
    if not secret:
        raise InvitationRefused(_("Open the link in your invitation email to set up your account."))
    return invitations.find(str(secret))


@public
@_no_referrer
@require_GET
def enrol_link(request: HttpRequest, secret: str) -> HttpResponse:
    """The emailed link: checked, kept in the session, and taken out of the address."""
    try:
        invitations.find(secret)
    except InvitationRefused as refused:
        return _refused(request, refused.message)
    if request.user.is_authenticated:
        auth.logout(request)  # the link is for someone setting up their own account
    request.session.cycle_key()
    request.session[ENROL_SECRET] = secret
    request.session.pop(ENROL_PASSWORD, None)
    return redirect("staff:enrol")


@public
@_no_referrer
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """First step: choose a password (checked by the password rules; kept only as its hash)."""
    try:
        invitation = _session_invitation(request)
    except InvitationRefused as refused:
        return _refused(request, refused.message)
    form = EnrolPasswordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            hashed = invitations.password_hash(invitation, form.cleaned_data["password"])
        except ValidationError as error:
            form.add_error("password", error)
        else:
            request.session[ENROL_PASSWORD] = hashed
            return redirect("staff:enrol-authenticator")
    context = {"form": form, "invitation": invitation}
    status = 400 if form.errors else 200
    return render(request, "staff/enrol/password.html", context, status=status)


def _grouped(key: bytes) -> str:
    encoded = base64.b32encode(key).decode().rstrip("=")
    return " ".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


@public
@_no_referrer
@require_http_methods(["GET", "POST"])
def enrol_authenticator(request: HttpRequest) -> HttpResponse:
    """Second step: set up the authenticator app; a right code finishes enrolment."""
    try:
        invitation = _session_invitation(request)
    except InvitationRefused as refused:
        return _refused(request, refused.message)
    hashed = request.session.get(ENROL_PASSWORD)
    if not hashed:
        return redirect("staff:enrol")
    device = invitations.enrolment_device(invitation)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitations.accept(
                str(request.session[ENROL_SECRET]),
                password_hash=str(hashed),
                code=form.cleaned_data["code"],
            )
        except WrongCode:
            form.add_error("code", WRONG_CODE)
        except InvitationRefused as refused:
            return _refused(request, refused.message)
        else:
            request.session.pop(ENROL_SECRET, None)
            request.session.pop(ENROL_PASSWORD, None)
            request.session[ENROL_DONE] = True
            return redirect("staff:enrol-done")
    qr = segno.make(device.config_url, error="m")
    context: dict[str, Any] = {
        "form": form,
        "qr_data_uri": qr.svg_data_uri(scale=5, border=2),
        "secret": _grouped(device.bin_key),
    }
    status = 400 if form.errors else 200
    return render(request, "staff/enrol/authenticator.html", context, status=status)


@public
@_no_referrer
@require_GET
def enrol_done(request: HttpRequest) -> HttpResponse:
    if not request.session.pop(ENROL_DONE, False):
        return redirect("staff:sign-in")
    return render(request, "staff/enrol/done.html")
