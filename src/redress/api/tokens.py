"""``/api/token``: lets an integration check its token works, and which scopes it holds."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema

from redress.accounts.models import ApiToken
from redress.api.auth import AnyToken
from redress.ledger.append import append
from redress.ledger.events import Action

router = Router(tags=["tokens"])


class TokenOut(Schema):
    name: str
    scopes: list[str]


@router.get("/token", response=TokenOut, auth=AnyToken(), summary="Describe the calling token")
def describe_token(request: HttpRequest) -> dict[str, object]:
    token: ApiToken = request.api_token  # type: ignore[attr-defined]
    with transaction.atomic():
        append(actor=token.actor, action=Action.TOKEN_DESCRIBED, obj=token.actor)
    return {"name": token.name, "scopes": token.scopes}
