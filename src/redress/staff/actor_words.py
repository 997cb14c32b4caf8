"""Ledger actors in words for staff pages: "Casey Worker", or "Casey Worker (through the token
'Case system')" when they acted through an API token, so a page shows who acted and how."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from redress.accounts import acting
from redress.accounts.models import ApiToken, User


class ActorWords:
    """Names for a batch of actor strings, read with two queries however many there are."""

    def __init__(self, actors: Iterable[str]) -> None:
        staff = [found for found in map(acting.parse, actors) if found is not None]
        self._users = {u.pk: str(u) for u in User.objects.filter(pk__in={s.user_id for s in staff})}
        self._tokens = dict(
            ApiToken.objects.filter(
                pk__in={s.token_id for s in staff if s.token_id is not None}
            ).values_list("pk", "name")
        )

    def __call__(self, actor: str) -> str:
        found = acting.parse(actor)
        if found is not None:
            who = self._users.get(found.user_id, _("a member of staff"))
            if found.token_id is None:
                return who
            return _("%(who)s (through the token “%(token)s”)") % {
                "who": who,
                "token": self._tokens.get(found.token_id, _("a removed token")),
            }
        if actor.startswith("token:"):
            return _("an integration")
        return {
            "complainant": _("the complainant"),
            "respondent": _("the respondent"),
        }.get(actor, _("the system"))
