"""What the test provider says about its users (see the package's docstring for the marks)."""

from __future__ import annotations

from typing import Any


def _marks(user: Any) -> set[str]:
    return {mark.strip() for mark in user.last_name.split(",") if mark.strip()}


def userinfo(claims: dict[str, Any], user: Any) -> dict[str, Any]:
    """django-oidc-provider's OIDC_USERINFO: the standard claims filled in for ``user``."""
    claims["email"] = user.email
    claims["email_verified"] = "unverified" not in _marks(user)
    return claims


def authentication_methods(id_token: dict[str, Any], user: Any, **kwargs: Any) -> dict[str, Any]:
    """django-oidc-provider's OIDC_IDTOKEN_PROCESSING_HOOK: ``amr`` (RFC 8176) in the ID token."""
    id_token["amr"] = ["pwd", "mfa", "otp"] if "mfa" in _marks(user) else ["pwd"]
    return id_token
