"""Leaving: closing the account of someone who has left, at once and all of it.

One act, in one transaction: the account is closed (``is_active`` False, with who and when),
its sessions end, its API tokens and those that act for it are revoked, its roles are revoked
and its open role requests refused, and the apps above are told (``account_deactivated``) so
that its case assignments end in the same transaction. Each step is ledgered.

Sessions: the session store is the database (Django's default ``SESSION_ENGINE``; the settings
do not change it), so the account's sessions are found and deleted. Only live sessions are read,
and staff sessions end after 15 idle minutes, so there are few. Whatever the store, the sign-in
backend refuses an inactive account at every request (``ModelBackend.get_user``), so a session
that survived, in another store, still signs nobody in: the next request is anonymous.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from redress.accounts import roles, tokens
from redress.accounts.models import ApiToken, User
from redress.accounts.roles import RoleRefused
from redress.accounts.signals import account_deactivated
from redress.ledger.append import append, digest_of
from redress.ledger.events import Action


def end_sessions(user: User) -> int:
    """Delete every live database session signed in as ``user``; returns how many."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not issubclass(store, DatabaseSessionStore):
        return 0  # another store: the backend's is_active check signs them out
    signed_in_as = str(user.pk)
    ended = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if store().decode(session.session_data).get(SESSION_KEY) == signed_in_as
    ]
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


def deactivate(user: User, *, actor: User, reason: str) -> None:
    """Close ``user``'s account now (see the module's docstring for all it ends).

    Raises ``RoleRefused`` (nothing changes) for the last administrator, for one's own account,
    for an account already closed, without a reason, or when ``actor`` is not an administrator.
    """
    reason = reason.strip()
    if not reason:
        raise RoleRefused(pgettext("staff account", "Enter the reason"))
    with transaction.atomic():
        roles.require_administrator(actor)
        administrators = roles.live_administrator_ids()
        if administrators <= {user.pk}:
            raise RoleRefused(_("This is the last administrator. Their account cannot be closed."))
        if user.pk == actor.pk:
            raise RoleRefused(_("You cannot close your own account. Ask another administrator."))
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.deactivated_at is not None:
            raise RoleRefused(_("This account is already closed."))
        now = timezone.now()
        User.objects.filter(pk=user.pk).update(
            is_active=False, deactivated_at=now, deactivated_by=actor
        )
        user.is_active, user.deactivated_at, user.deactivated_by = False, now, actor
        end_sessions(user)
        for token in ApiToken.objects.filter(
            Q(created_by=user) | Q(acts_for=user), revoked_at__isnull=True
        ):
            tokens.revoke(token, actor=actor)  # TOKEN_REVOKED, each
        roles.end_all(user, actor=actor, reason=reason)
        account_deactivated.send(sender=User, user=user, actor=roles.ledger_name(actor))
        roles.notify_account(
            user,
            _("Your %(service)s staff account was closed on %(when)s. You can no longer sign in.")
            % {"service": settings.SERVICE_NAME, "when": roles.now_in_words()},
        )
        append(
            actor=roles.ledger_name(actor),
            action=Action.ACCOUNT_DEACTIVATED,
            obj=roles.ledger_name(user),
            digest=digest_of(reason),
        )
