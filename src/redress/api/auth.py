"""Bearer-token authentication for the API, one scope per endpoint.

A missing or unknown token answers 401; a valid token without the endpoint's scope answers 403.
Both as JSON. The token's identity becomes the actor of whatever the request records.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer

from redress.accounts.models import ApiToken, Scope
from redress.accounts.tokens import authenticate, authenticate_any, awaits_approval


class AnyToken(HttpBearer):
    """Requires any live API token, whatever its scopes."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = authenticate_any(token)
        if found is not None:
            request.api_token = found  # type: ignore[attr-defined]
        return found


class TokenScope(HttpBearer):
    """Requires an API token holding ``scope``."""

    def __init__(self, scope: Scope) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = authenticate(token, self.scope)
        if found is not None:
            request.api_token = found  # type: ignore[attr-defined]
            return found
        found = authenticate_any(token)
        if found is None:
            return None
        if str(self.scope) in found.scopes and awaits_approval(found):
            raise HttpError(
                403,
                "This token acts for a member of staff who has not approved it yet. "
                "It works once they approve it on the console.",
            )
        raise HttpError(403, f"This token does not have the '{self.scope}' scope.")
