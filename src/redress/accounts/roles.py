"""Granting and revoking roles: the one writer of ``RoleGrant`` and ``RoleRequest``.

Every change is made by an administrator with a reason, ledgered in the same transaction
(``obj`` is ``user:<pk>``, the digest covers the role and the reason, never a name), and the
person is emailed once it is committed.

Two rules make a second pair of eyes:

- Administrator and oversight are never granted directly: ``request`` asks, and the role takes
  effect only when ``approve`` is called by another administrator, who is neither the one who
  asked nor the person the role is for.
- Handling roles (``HANDLING_ROLES``) are refused to members and party officials. Besides the
  four roles that handle cases, these are the support adviser (reads what complainants and
  respondents say, takes reports by phone), the escrow counsellor (opens matched escrow reports,
  so learns who reported whom) and the vetting officer (reads what is upheld or pending against
  named people): each sees complaints or the people in them, which a member or a party's own
  official must never do. Oversight and administrator see no case content and are not refused.

Whether someone is a member or a party official is known from their directory entry, which is
linked to an account by the cases app, a layer above this one. So the check is asked for through
the ``role_grant_check`` signal (``accounts.signals``) and answered by the cases app; accounts
imports nothing above it. A handling role is refused when nobody answers, so leaving the cases
app out can never quietly drop the rule.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from redress.accounts.models import Role, RoleGrant, RoleRequest, User
from redress.accounts.signals import role_grant_check
from redress.ledger.append import append, digest_of
from redress.ledger.events import Action

log = logging.getLogger(__name__)

HANDLING_ROLES = frozenset(
    {
        Role.CASEWORKER,
        Role.INVESTIGATOR,
        Role.DECISION_MAKER,
        Role.APPEALS_PANEL,
        Role.SUPPORT_ADVISER,
        Role.ESCROW_COUNSELLOR,
        Role.VETTING_OFFICER,
    }
)
# Roles that take effect only when a second administrator approves.
APPROVED_ROLES = frozenset({Role.ADMINISTRATOR, Role.OVERSIGHT})


class RoleRefused(Exception):
    """An act on roles that is not allowed; ``message`` says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def ledger_name(user: User) -> str:
    return f"user:{user.pk}"


def _digest(role: str, reason: str) -> str:
    return digest_of(f"{role}\n{reason}")


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise RoleRefused(pgettext("staff account", "Enter the reason"))
    return reason


def require_administrator(actor: User) -> None:
    """Refuse anyone but a live administrator (the views check too; acts never trust them)."""
    if not actor.is_active or actor.deactivated_at is not None:
        raise RoleRefused(_("Only an administrator can change roles or accounts."))
    held = RoleGrant.objects.filter(user=actor, role=Role.ADMINISTRATOR, revoked_at__isnull=True)
    if not held.exists():
        raise RoleRefused(_("Only an administrator can change roles or accounts."))


def live_administrator_ids() -> set[int]:
    """The accounts holding administrator now. Locks their grants until the transaction ends,
    so two administrators removing each other at once cannot leave none (PostgreSQL)."""
    grants = RoleGrant.objects.select_for_update(of=("self",)).filter(
        role=Role.ADMINISTRATOR,
        revoked_at__isnull=True,
        user__is_active=True,
        user__deactivated_at__isnull=True,
    )
    return set(grants.values_list("user_id", flat=True))


def _check_subject(user: User, role: Role) -> None:
    """Refuse a grant of ``role`` to ``user``: closed account, held already, or not eligible."""
    if user.deactivated_at is not None:
        raise RoleRefused(_("This account is closed. A person who returns is invited again."))
    if RoleGrant.objects.filter(user=user, role=role, revoked_at__isnull=True).exists():
        raise RoleRefused(_("They already hold the role %(role)s.") % {"role": Role(role).label})
    if role in HANDLING_ROLES:
        if not role_grant_check.has_listeners(User):
            raise ImproperlyConfigured("nobody checks who may hold a handling role")
        for _receiver, refusal in role_grant_check.send(sender=User, user=user, role=role):
            if refusal:
                raise RoleRefused(str(refusal))


def notify_account(user: User, what: str) -> None:
    """Email ``user``, once the transaction commits, ``what`` changed on their account."""
    subject = _("Your %(service)s staff account was changed") % {"service": settings.SERVICE_NAME}
    body = "\n\n".join([what, _("If you did not expect this, tell your administrator at once.")])
    address = user.email
    if not address:
        log.warning("accounts: user:%s has no email address; no notice sent", user.pk)
        return
    transaction.on_commit(lambda: send_mail(subject, body, None, [address]), robust=True)


def now_in_words() -> str:
    return date_format(timezone.localtime(), "j F Y, H:i T")


def _notify_granted(user: User, role: Role) -> None:
    notify_account(
        user,
        _("You were given the role %(role)s on your %(service)s staff account on %(when)s.")
        % {"role": Role(role).label, "service": settings.SERVICE_NAME, "when": now_in_words()},
    )


def grant(user: User, role: Role | str, *, actor: User, reason: str) -> RoleGrant:
    """Grant ``role`` to ``user`` at once. Administrator and oversight go through ``request``.

    Raises ``RoleRefused`` (nothing written) for those two roles, for a handling role to a
    member or party official, for a role already held, a closed account, an empty reason, or an
    actor who is not an administrator.
    """
    role = Role(role)
    reason = _reason(reason)
    if role in APPROVED_ROLES:
        raise RoleRefused(
            _("%(role)s takes effect only when a second administrator approves it.")
            % {"role": role.label}
        )
    with transaction.atomic():
        require_administrator(actor)
        User.objects.select_for_update().filter(pk=user.pk).first()  # one grant at a time
        _check_subject(user, role)
        made = RoleGrant.objects.create(user=user, role=role, granted_by=actor, reason=reason)
        _notify_granted(user, role)
        append(
            actor=ledger_name(actor),
            action=Action.ROLE_GRANTED,
            obj=ledger_name(user),
            digest=_digest(role, reason),
        )
    user.__dict__.pop("_roles_cache", None)
    return made


def request(user: User, role: Role | str, *, actor: User, reason: str) -> RoleRequest:
    """Ask for administrator or oversight for ``user``; a second administrator decides."""
    role = Role(role)
    reason = _reason(reason)
    if role not in APPROVED_ROLES:
        raise RoleRefused(_("%(role)s is granted directly.") % {"role": role.label})
    with transaction.atomic():
        require_administrator(actor)
        User.objects.select_for_update().filter(pk=user.pk).first()
        if user.deactivated_at is not None:
            raise RoleRefused(_("This account is closed. A person who returns is invited again."))
        if RoleGrant.objects.filter(user=user, role=role, revoked_at__isnull=True).exists():
            raise RoleRefused(_("They already hold the role %(role)s.") % {"role": role.label})
        if RoleRequest.objects.filter(user=user, role=role, decided_at__isnull=True).exists():
            raise RoleRefused(
                _("%(role)s was already asked for. It is waiting for approval.")
                % {"role": role.label}
            )
        made = RoleRequest.objects.create(user=user, role=role, reason=reason, requested_by=actor)
        append(
            actor=ledger_name(actor),
            action=Action.ROLE_REQUESTED,
            obj=ledger_name(user),
            digest=_digest(role, reason),
        )
    return made


def _open_request(pending: RoleRequest) -> RoleRequest:
    locked = RoleRequest.objects.select_for_update().filter(pk=pending.pk).first()
    if locked is None or locked.decided_at is not None:
        raise RoleRefused(_("This request was already decided."))
    return locked


def approve(pending: RoleRequest, *, actor: User) -> RoleGrant:
    """Approve a request: the role takes effect, granted by ``actor``; the request keeps who
    asked. Refused to the administrator who asked and to the person the role is for."""
    with transaction.atomic():
        require_administrator(actor)
        locked = _open_request(pending)
        if locked.requested_by_id == actor.pk:
            raise RoleRefused(
                _("You asked for this role, so another administrator must approve it.")
            )
        if locked.user_id == actor.pk:
            raise RoleRefused(_("Nobody can approve a role for themselves."))
        user = User.objects.select_for_update().get(pk=locked.user_id)
        role = Role(locked.role)
        _check_subject(user, role)
        now = timezone.now()
        made = RoleGrant.objects.create(
            user=user, role=role, granted_at=now, granted_by=actor, reason=locked.reason
        )
        locked.decided_by = actor
        locked.decided_at = now
        locked.approved = True
        locked.save(update_fields=["decided_by", "decided_at", "approved"])
        _notify_granted(user, role)
        # One entry for one act: the approval is the grant.
        append(
            actor=ledger_name(actor),
            action=Action.ROLE_REQUEST_APPROVED,
            obj=ledger_name(user),
            digest=_digest(role, locked.reason),
        )
    pending.refresh_from_db()
    return made


def refuse(pending: RoleRequest, *, actor: User, reason: str) -> None:
    """Refuse (or, by the one who asked, withdraw) a request; the role is not granted."""
    reason = _reason(reason)
    with transaction.atomic():
        require_administrator(actor)
        locked = _open_request(pending)
        _close_request(locked, actor=actor, reason=reason)
    pending.refresh_from_db()


def _close_request(locked: RoleRequest, *, actor: User, reason: str) -> None:
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.approved = False
    locked.save(update_fields=["decided_by", "decided_at", "approved"])
    append(
        actor=ledger_name(actor),
        action=Action.ROLE_REQUEST_REFUSED,
        obj=f"user:{locked.user_id}",
        digest=_digest(locked.role, reason),
    )


def _end_grant(grant: RoleGrant, *, actor: User, reason: str) -> None:
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor
    grant.revoke_reason = reason
    grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    append(
        actor=ledger_name(actor),
        action=Action.ROLE_REVOKED,
        obj=f"user:{grant.user_id}",
        digest=_digest(grant.role, reason),
    )


def revoke(grant: RoleGrant, *, actor: User, reason: str) -> None:
    """Take a role away at once. The last administrator keeps theirs."""
    reason = _reason(reason)
    with transaction.atomic():
        require_administrator(actor)
        administrators = live_administrator_ids()
        locked = RoleGrant.objects.select_for_update().filter(pk=grant.pk).first()
        if locked is None or locked.revoked_at is not None:
            raise RoleRefused(_("This role was already removed."))
        if locked.role == Role.ADMINISTRATOR and administrators <= {locked.user_id}:
            raise RoleRefused(
                _("This is the last administrator. Another administrator must be approved first.")
            )
        _end_grant(locked, actor=actor, reason=reason)
        notify_account(
            locked.user,
            _("The role %(role)s was removed from your %(service)s staff account on %(when)s.")
            % {
                "role": Role(locked.role).label,
                "service": settings.SERVICE_NAME,
                "when": now_in_words(),
            },
        )
    grant.refresh_from_db()


def end_all(user: User, *, actor: User, reason: str) -> int:
    """For a leaver (``accounts.leaving``): revoke every live grant and refuse every open
    request about ``user``, each ledgered. Call inside the caller's transaction, after its own
    checks (the last administrator is checked there). Returns how many grants ended."""
    grants: Iterable[RoleGrant] = RoleGrant.objects.select_for_update().filter(
        user=user, revoked_at__isnull=True
    )
    ended = 0
    for live in grants:
        _end_grant(live, actor=actor, reason=reason)
        ended += 1
    for open_request in RoleRequest.objects.select_for_update().filter(
        user=user, decided_at__isnull=True
    ):
        _close_request(open_request, actor=actor, reason=reason)
    user.__dict__.pop("_roles_cache", None)
    return ended
