"""Who acts, and through what: the ledger's actor for a member of staff acting through a token.

An act on a case through the API is the act of the member of staff the token acts for (their
assignments, their roles, the console's checks), made through the token. The ledger must name
both, "user:1 via token:3", so that nobody can act under another's name unseen.

Design: case actions take ``actor: User`` and write it with one helper (``cases.actions.base.
_ref``), which asks ``ref`` here. Rather than grow every action a ``via`` parameter, the API
wraps the one action a request makes in ``through(token)``: for the length of that block, and in
that thread or task only (a ``ContextVar``), ``ref(user)`` answers "user:<id> via token:<id>"
when ``user`` is the one the token acts for, and "user:<id>" otherwise (a system act, or another
person, is never attributed to the token). The block always ends with the call, so nothing leaks
into a later request served by the same thread.

``parse`` reads an actor string back for pages that show it in words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from redress.accounts.models import ApiToken, User

_THROUGH: ContextVar[ApiToken | None] = ContextVar("redress_acting_through", default=None)

_STAFF = re.compile(r"user:(?P<user>\d+)(?: via token:(?P<token>\d+))?")


@contextmanager
def through(token: ApiToken) -> Iterator[None]:
    """Within the block, acts of ``token``'s member of staff are ledgered as made through it."""
    reset = _THROUGH.set(token)
    try:
        yield
    finally:
        _THROUGH.reset(reset)


def ref(user: User) -> str:
    """The ledger's actor for an act by ``user``: "user:1", or "user:1 via token:3" inside
    ``through`` a token that acts for them."""
    token = _THROUGH.get()
    if token is not None and token.staff_member.pk == user.pk:
        return f"user:{user.pk} via token:{token.pk}"
    return f"user:{user.pk}"


@dataclass(frozen=True)
class StaffActor:
    """A ledger actor that names a member of staff, and the token they acted through, if any."""

    user_id: int
    token_id: int | None = None


def parse(actor: str) -> StaffActor | None:
    """The member of staff (and token) an actor string names; None for any other actor."""
    found = _STAFF.fullmatch(actor)
    if found is None:
        return None
    token = found.group("token")
    return StaffActor(int(found.group("user")), int(token) if token else None)
