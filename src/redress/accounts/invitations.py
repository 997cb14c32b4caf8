"""Invitations: the one way a staff account comes to be, and the one writer of ``Invitation``.

An administrator invites a person by email with the roles they will hold. The account exists
from then on, with no usable password, so it cannot sign in. The emailed link (valid 72 hours,
single use) lets its holder choose a password and set up an authenticator app; only when the
second factor is confirmed is the password stored, the invitation accepted and the roles
granted, all in one transaction, so a half-finished enrolment leaves nothing behind.

Administrator and oversight need a second administrator: inviting someone to them opens a role
request at invitation time rather than a grant. The exception is the first administrator, made
by ``redress create-admin`` while the scheme has no administrator at all: nobody could approve
them, so they are granted the role when they accept (and refused if one has appeared since).

Only a SHA-256 digest of a link's secret is kept; a link is found by the digest of what is
presented, so a lookup reveals nothing about other links. The ledger never holds an address:
entries carry a keyed digest of it, which only the holder of the server's secret can test.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from redress.accounts import invitation_roles
from redress.accounts.models import Invitation, Role, RoleGrant, User
from redress.accounts.second_factor import confirm_device
from redress.ledger.append import append, keyed_digest_of
from redress.ledger.events import Action

INVITATION_LIFETIME = timedelta(hours=72)
FIRST_ADMINISTRATOR_LIFETIME = timedelta(hours=24)
FIRST_ADMINISTRATOR_ACTOR = "system:create-admin"


class InvitationRefused(Exception):
    """An act on an invitation that cannot be done; ``message`` is the plain words to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class WrongCode(Exception):
    """The authenticator code given to finish enrolment is not right."""


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    secret: str  # in the link only, never stored

    @property
    def link(self) -> str:
        return enrolment_link(self.secret)


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def _address_digest(email: str) -> str:
    return keyed_digest_of("accounts.invitation_address", email.strip().lower())


def enrolment_link(secret: str) -> str:
    """The absolute link to enrol with ``secret``, under the service's public address."""
    path = reverse("staff:enrol-link", kwargs={"secret": secret})
    return settings.SITE_URL.rstrip("/") + path


def live_administrator_exists() -> bool:
    return RoleGrant.objects.filter(
        role=Role.ADMINISTRATOR,
        revoked_at__isnull=True,
        user__is_active=True,
        user__deactivated_at__isnull=True,
    ).exists()


def pending(now: datetime | None = None) -> Q:
    """Invitations whose link still works: neither accepted, withdrawn nor expired."""
    return Q(
        accepted_at__isnull=True,
        withdrawn_at__isnull=True,
        expires_at__gt=now or timezone.now(),
    )


def _account_for(email: str, display_name: str) -> User:
    """The account an invitation to ``email`` is for: a new one, or one invited before whose
    invitation lapsed unused. Refuses an address with a working account or a live link."""
    address = email.strip().lower()
    same_address = User.objects.filter(email__iexact=address)
    if Invitation.objects.filter(pending(), email__iexact=address).exists():
        raise InvitationRefused(
            _("This address already has an invitation waiting. Send it again instead.")
        )
    for user in same_address.filter(deactivated_at__isnull=True):
        never_enrolled = not user.has_usable_password() and not user.invitations.filter(
            accepted_at__isnull=False
        )
        if not never_enrolled:
            raise InvitationRefused(_("This address already belongs to a staff account."))
        user.display_name = display_name
        user.save(update_fields=["display_name"])
        return user
    username = address[:140]
    taken = User.objects.filter(username__startswith=username).values_list("username", flat=True)
    suffix = 2
    while username in set(taken):
        username = f"{address[:140]}-{suffix}"
        suffix += 1
    user = User(username=username, email=address, display_name=display_name)
    user.set_unusable_password()
    user.save()
    return user


@contextmanager
def _roles_refused() -> Iterator[None]:
    """A refusal from ``accounts.roles`` becomes the invitation's refusal, in the same words."""
    try:
        yield
    except invitation_roles.RoleRefused as refused:
        raise InvitationRefused(refused.message) from refused


def _refuse_unless_may_hold(user: User, role: Role) -> None:
    refusal = invitation_roles.refusal(user, role)
    if refusal is not None:
        raise InvitationRefused(refusal)


def _create(
    email: str,
    display_name: str,
    roles: Iterable[Role],
    *,
    actor: User | None,
    lifetime: timedelta,
) -> IssuedInvitation:
    roles = sorted({Role(r) for r in roles})
    secret = secrets.token_urlsafe(32)
    user = _account_for(email, display_name)
    invitation = Invitation.objects.create(
        user=user,
        email=user.email,
        roles=[str(r) for r in roles],
        digest=_digest(secret),
        created_by=actor,
        expires_at=timezone.now() + lifetime,
    )
    actor_name = f"user:{actor.pk}" if actor is not None else FIRST_ADMINISTRATOR_ACTOR
    append(
        actor=actor_name,
        action=Action.ACCOUNT_INVITED,
        obj=f"user:{user.pk}",
        digest=_address_digest(user.email),
    )
    for role in roles:
        _refuse_unless_may_hold(user, role)
        if actor is not None and role in invitation_roles.NEEDS_SECOND_ADMINISTRATOR:
            with _roles_refused():
                invitation_roles.request_if_needed(user, role, actor=actor)
    return IssuedInvitation(invitation=invitation, secret=secret)


def _email_link(issued: IssuedInvitation) -> None:
    """Send the link once the invitation is committed; nothing is sent if it rolls back."""
    expires = date_format(timezone.localtime(issued.invitation.expires_at), "j F Y, H:i T")
    service = settings.SERVICE_NAME
    subject = _("You are invited to %(service)s") % {"service": service}
    body = "\n\n".join(
        [
            _("You have been invited to set up a staff account for %(service)s.")
            % {"service": service},
            _("Open this link to choose a password and set up an authenticator app:"),
            issued.link,
            _("The link works once, until %(when)s.") % {"when": expires},
            _("If you were not expecting this, you can ignore this email."),
        ]
    )
    address = issued.invitation.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [address]), robust=True)


def invite(
    email: str, display_name: str, roles: Iterable[Role], *, actor: User
) -> tuple[Invitation, str]:
    """Invite ``email`` with ``roles``; returns the invitation and its link's secret.

    The link is emailed once this is committed. Raises ``InvitationRefused`` for an address that
    already has an account or a live invitation, or a role the person may not hold.
    """
    with transaction.atomic():
        issued = _create(email, display_name, roles, actor=actor, lifetime=INVITATION_LIFETIME)
        _email_link(issued)
    return issued.invitation, issued.secret


def create_first_administrator(email: str, display_name: str = "") -> IssuedInvitation:
    """The first administrator's invitation (24 hours), for ``redress create-admin`` to print.

    Refused once the scheme has a live administrator: from then on administrators invite.
    """
    with transaction.atomic():
        if live_administrator_exists():
            raise InvitationRefused(
                _("An administrator already exists. Ask them to invite you from the console.")
            )
        return _create(
            email,
            display_name,
            [Role.ADMINISTRATOR],
            actor=None,
            lifetime=FIRST_ADMINISTRATOR_LIFETIME,
        )


def _still_pending(invitation: Invitation) -> Invitation:
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise InvitationRefused(_("This invitation has already been used."))
    if locked.withdrawn_at is not None:
        raise InvitationRefused(_("This invitation has already been withdrawn."))
    return locked


def withdraw(invitation: Invitation, *, actor: User) -> None:
    """Withdraw ``invitation``: its link stops working at once, and so do the role requests it
    opened. The account stays, unable to sign in, ready for a later invitation."""
    _withdraw(invitation, actor=actor, close_requests=True)


def _withdraw(invitation: Invitation, *, actor: User, close_requests: bool) -> None:
    with transaction.atomic():
        locked = _still_pending(invitation)
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = actor
        locked.save(update_fields=["withdrawn_at", "withdrawn_by"])
        if close_requests:
            with _roles_refused():
                invitation_roles.close_requests(locked.user, actor=actor)
        append(
            actor=f"user:{actor.pk}",
            action=Action.ACCOUNT_INVITATION_WITHDRAWN,
            obj=f"user:{locked.user_id}",
            digest=_address_digest(locked.email),
        )
    invitation.refresh_from_db()


def send_again(invitation: Invitation, *, actor: User) -> tuple[Invitation, str]:
    """Withdraw ``invitation``'s link and email a new one, valid 72 hours from now. Its role
    requests stay open: the new invitation is for the same roles."""
    with transaction.atomic():
        _withdraw(invitation, actor=actor, close_requests=False)
        roles = [Role(r) for r in invitation.roles]
        return invite(invitation.email, invitation.user.display_name, roles, actor=actor)


def find(secret: str) -> Invitation:
    """The invitation whose link carries ``secret``, if it still works.

    Raises ``InvitationRefused`` with one plain message for each reason: unknown (a forged or
    mistyped link), already used, withdrawn (or its account closed meanwhile), or expired.
    """
    invitation = (
        Invitation.objects.filter(digest=_digest(secret)).select_related("user").first()
        if secret
        else None
    )
    if invitation is None:
        raise InvitationRefused(
            _("This link is not valid. Check you copied all of it from the email.")
        )
    if invitation.accepted_at is not None:
        raise InvitationRefused(
            _("This link has already been used. Sign in with your password instead.")
        )
    closed = not invitation.user.is_active or invitation.user.deactivated_at is not None
    if invitation.withdrawn_at is not None or closed:
        raise InvitationRefused(
            _("This invitation was withdrawn. Ask your administrator for a new one.")
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationRefused(
            _("This link has expired. Ask your administrator to send the invitation again.")
        )
    return invitation


def password_hash(invitation: Invitation, password: str) -> str:
    """Check ``password`` against the password rules and return its Argon2id hash, to keep
    until enrolment ends. Raises ``ValidationError`` with the rules' own words."""
    validate_password(password, invitation.user)
    return make_password(password)


def enrolment_device(invitation: Invitation) -> TOTPDevice:
    """The authenticator being set up for ``invitation``'s account (unconfirmed until accept)."""
    device = TOTPDevice.objects.filter(user=invitation.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=invitation.user, confirmed=False, name="Authenticator app"
        )
    return device


def accept(secret: str, *, password_hash: str, code: str) -> User:
    """Finish enrolment: the code proves the authenticator; then the password is stored, the
    device confirmed, the invitation spent and its roles granted, together or not at all.

    Raises ``InvitationRefused`` if the link stopped working meanwhile (or, for the first
    administrator, once another administrator exists), and ``WrongCode`` for a wrong code.
    """
    # The code is checked before the transaction, so that django-otp's count of wrong codes
    # for this device is kept when the code is refused.
    device = enrolment_device(find(secret))
    if not device.verify_token(code):
        raise WrongCode
    with transaction.atomic():
        invitation = _still_pending(find(secret))
        first_administrator = invitation.created_by is None
        if first_administrator and live_administrator_exists():
            raise InvitationRefused(
                _("An administrator already exists. Ask them to invite you from the console.")
            )
        roles = [Role(r) for r in invitation.roles]
        for role in roles:
            _refuse_unless_may_hold(invitation.user, role)
        user = invitation.user
        user.password = password_hash
        user.save(update_fields=["password"])
        confirm_device(device)
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        append(
            actor=f"user:{user.pk}",
            action=Action.ACCOUNT_ENROLLED,
            obj=f"user:{user.pk}",
            digest=_address_digest(invitation.email),
        )
        for role in roles:
            if first_administrator:
                invitation_roles.grant_first_administrator(user)
            elif role not in invitation_roles.NEEDS_SECOND_ADMINISTRATOR:
                assert invitation.created_by is not None
                with _roles_refused():
                    invitation_roles.grant(user, role, actor=invitation.created_by)
    return user
