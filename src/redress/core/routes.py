"""Every view declares who may reach it. A view without a declaration fails the route check.

``public`` marks a page anyone may open (the complainant side, legal pages); staff and API
views declare a permission through ``redress.accounts.access.requires``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

V = TypeVar("V", bound=Callable[..., Any])

PUBLIC = "public"


def public(view: V) -> V:
    """Declare that ``view`` is open to everyone, signed in or not."""
    view.access = PUBLIC  # type: ignore[attr-defined]
    return view


def declared_access(view: Callable[..., Any]) -> str | None:
    """What ``view`` declared about who may reach it, or None when it declared nothing."""
    seen: set[int] = set()
    current: Any = view
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        access = getattr(current, "access", None)
        if access is not None:
            return str(access)
        current = getattr(current, "__wrapped__", None) or getattr(current, "view_class", None)
    return None
