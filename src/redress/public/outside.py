"""Reporting to outside bodies (EU Directive 2019/1937, Art. 9(1)(g)): who else a person may
tell, and how, besides this service. Reporting here never stops anyone going to them.

The list is the scheme's to set (``OUTSIDE_BODIES``, from ``REDRESS_OUTSIDE_BODIES``); until it
is set the page names bodies open to anyone in the UK, in English and Welsh. A configured body
may give its Welsh in ``name_cy``, ``deals_with_cy`` and ``contact_cy``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from redress.core.routes import public


@dataclass(frozen=True)
class Body:
    name: str
    deals_with: str
    contact: str
    url: str = ""


# The bodies named until the scheme sets its own: open to anyone, whatever the scheme covers.
DEFAULT_BODIES: tuple[dict[str, Any], ...] = (
    {
        "name": _("The police"),
        "deals_with": _("Crimes, including assault, sexual offences, stalking and threats."),
        "contact": _("Call 999 in an emergency, or 101 when it is not an emergency."),
        "url": "https://www.police.uk",
    },
    {
        "name": _("Acas"),
        "deals_with": _("Free and impartial advice on problems at work, including bullying."),
        "contact": _("Call the Acas helpline on 0300 123 1100."),
        "url": "https://www.acas.org.uk",
    },
    {
        "name": _("The Equality Advisory and Support Service"),
        "deals_with": _("Advice on discrimination and your rights under equality law."),
        "contact": _("Call 0808 800 0082 (free)."),
        "url": "https://www.equalityadvisoryservice.com",
    },
    {
        "name": _("The Information Commissioner's Office"),
        "deals_with": _("Complaints about how your personal information has been used."),
        "contact": _("Call the helpline on 0303 123 1113."),
        "url": "https://ico.org.uk",
    },
)


def _in_language(entry: dict[str, Any], key: str, welsh: bool) -> str:
    """The entry's ``key`` in the page's language: its Welsh when there is one, else as given."""
    if welsh and entry.get(f"{key}_cy"):
        return str(entry[f"{key}_cy"])
    return str(entry.get(key) or "")


def bodies() -> list[Body]:
    """The bodies to name, in the page's language: the scheme's own list, else the defaults."""
    configured = getattr(settings, "OUTSIDE_BODIES", None) or DEFAULT_BODIES
    welsh = (get_language() or "").startswith("cy")
    return [
        Body(
            name=_in_language(entry, "name", welsh),
            deals_with=_in_language(entry, "deals_with", welsh),
            contact=_in_language(entry, "contact", welsh),
            url=str(entry.get("url") or ""),
        )
        for entry in configured
        if entry.get("name")
    ]


@public
@require_GET
def outside_bodies(request: HttpRequest) -> HttpResponse:
    return render(request, "public/outside_bodies.html", {"bodies": bodies()})
