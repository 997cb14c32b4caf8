"""Object-level access control: named rules, deny by default, one decorator for every view.

A rule answers "may this actor do this, to this object?". Apps register the rules for their own
objects (``@rule("case.read_content")``); views declare the rule they need with ``requires``.
An unknown rule name denies. Roles open consoles; object rules decide which cases a person sees.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from redress.accounts.models import Role, User

Rule = Callable[[Any, Any], bool]
V = TypeVar("V", bound=Callable[..., HttpResponse])

_RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    """Register ``fn(actor, obj) -> bool`` as the rule called ``name``; a name is taken once."""

    def register(fn: Rule) -> Rule:
        if name in _RULES and _RULES[name] is not fn:
            raise ValueError(f"access rule {name!r} is already registered")
        _RULES[name] = fn
        return fn

    return register


def registered_rules() -> frozenset[str]:
    return frozenset(_RULES)


def is_staff_signed_in(actor: Any) -> bool:
    """A staff member who gave both their password and their second factor this session."""
    return (
        isinstance(actor, User)
        and actor.is_active
        and bool(getattr(actor, "is_verified", lambda: False)())
    )


def allowed(actor: Any, name: str, obj: Any = None) -> bool:
    """True only when the rule ``name`` exists and grants ``actor`` access to ``obj``.

    Refuses unknown rules, anonymous actors for every staff rule, and any rule that raises.
    """
    check = _RULES.get(name)
    if check is None:
        return False
    return bool(check(actor, obj))


def requires(name: str, *, load: Callable[..., Any] | None = None) -> Callable[[V], V]:
    """Guard a view with the rule ``name``.

    ``load(request, **kwargs)`` fetches the object the rule is about (raising Http404 when it
    does not exist); its result is passed to the view as ``obj``. Signed-out staff are sent to
    sign in; signed-in people without the right get 403.
    """

    def decorate(view: V) -> V:
        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if isinstance(user, AnonymousUser) or not is_staff_signed_in(user):
                return redirect_to_login(request.get_full_path())
            try:
                obj = load(request, **kwargs) if load is not None else None
            except Http404:
                # Someone without the right learns nothing, not even whether it exists.
                if not allowed(user, name, None):
                    raise PermissionDenied from None
                raise
            if not allowed(user, name, obj):
                raise PermissionDenied
            if load is not None:
                kwargs["obj"] = obj
            return view(request, *args, **kwargs)

        guarded.access = name  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def has_any_role(*roles: Role) -> Rule:
    """A rule that lets a signed-in staff member with one of ``roles`` through."""

    def check(actor: Any, obj: Any) -> bool:
        return is_staff_signed_in(actor) and any(actor.has_role(r) for r in roles)

    return check


# Rules about the trust core itself. Capabilities register theirs in their own access module.
rule("staff.home")(lambda actor, obj: is_staff_signed_in(actor))
rule("accounts.manage")(has_any_role(Role.ADMINISTRATOR))
# The access review: who holds which role. Oversight checks administrators' grants.
rule("accounts.review")(has_any_role(Role.OVERSIGHT, Role.ADMINISTRATOR))
rule("ledger.status")(has_any_role(Role.OVERSIGHT, Role.ADMINISTRATOR))
