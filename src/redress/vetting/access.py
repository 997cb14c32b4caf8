"""Who may vet: vetting officers, and each sees only the answers to their own checks."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from redress.accounts.access import has_any_role, rule
from redress.accounts.models import Role, User
from redress.vetting.models import VettingCheck

rule("vetting.use")(has_any_role(Role.VETTING_OFFICER))


@rule("vetting.check")
def may_read_check(actor: Any, check: Any) -> bool:
    return (
        isinstance(actor, User)
        and isinstance(check, VettingCheck)
        and actor.has_role(Role.VETTING_OFFICER)
        and check.officer_id == actor.pk
    )


def load_check(request: HttpRequest, pk: int, **_: Any) -> VettingCheck:
    check = VettingCheck.objects.select_related("subject").filter(pk=pk).first()
    if check is None:
        raise Http404
    return check
