"""What accounts tell the apps above them, which accounts must not import.

Accounts is a low layer: it may not import the cases app (where a member of staff's directory
entry is linked) nor anything else above it. When an act on an account needs those apps, it
sends one of these signals and they answer; both are sent with ``send`` (not ``send_robust``),
so an exception in a receiver rolls the act back.

``account_deactivated(sender=User, user=<the account closed>, actor=<"user:<pk>">)``
    Sent inside the deactivation's transaction (``accounts.leaving.deactivate``), after the
    account is closed and before its ledger entry. Receivers do their writes in that same
    transaction (never ``on_commit`` for the writes themselves; emails after commit are fine),
    so that what ends with the account (its case assignments) ends with it or not at all.

``role_grant_check(sender=User, user=<the account>, role=<a Role>)``
    Sent before a handling role (``accounts.roles.HANDLING_ROLES``) is granted. A receiver returns a
    refusal in words (a translated string) when ``user`` may not hold ``role``, else None. Any
    refusal stops the grant and nothing is written. ``accounts.roles`` refuses handling roles
    outright when nobody listens, so that the rule cannot be lost by leaving an app out.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with ``user`` (the account closed) and ``actor`` (the ledger's name for who closed it)
# inside the deactivation's transaction, so that what other apps end with it (case assignments)
# ends in the same transaction or not at all.
account_deactivated = Signal()

# Sent with ``user`` and ``role`` before a grant; a receiver returns a refusal or None.
role_grant_check = Signal()
