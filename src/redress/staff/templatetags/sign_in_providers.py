"""The "Sign in with <provider>" button on the sign-in page, shown only when single sign-on is
configured, so the page needs nothing from its view to offer it."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.http import urlencode

from redress.staff import single_sign_on

register = template.Library()


@register.inclusion_tag("staff/includes/sign_in_with_provider.html", takes_context=True)
def sign_in_with_provider(context: dict[str, Any]) -> dict[str, Any]:
    if not single_sign_on.configured():
        return {"provider": None}
    request = context.get("request")
    next_url = request.GET.get("next") if request is not None else None
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    return {"provider": single_sign_on.provider_name(), "query": query}
