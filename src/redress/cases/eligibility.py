"""Who may hold a handling role: the cases app's answer to ``accounts.signals.role_grant_check``.

A member of staff's directory entry is linked to their account here, in the cases app, so the
rule that members and party officials never hold handling roles is answered here, for the grant
made by ``accounts.roles`` (which may not import this layer). Connected in ``CasesConfig.ready``.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils.translation import gettext as _

from redress.accounts.models import Role, User
from redress.accounts.signals import role_grant_check
from redress.cases.independence import directory_entry
from redress.directory.models import PersonKind


@receiver(role_grant_check, dispatch_uid="cases.members_never_handle")
def members_never_handle(sender: Any, user: User, role: Role, **kwargs: Any) -> str | None:
    own = directory_entry(user)
    if own is not None and own.kind in (PersonKind.MEMBER, PersonKind.PARTY_OFFICIAL):
        return _(
            "%(name)s is a member or a party official in the directory. Members and party "
            "officials can never hold the role %(role)s."
        ) % {"name": user, "role": Role(role).label}
    return None
