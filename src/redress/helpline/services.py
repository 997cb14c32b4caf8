"""The support services an adviser refers people to: the scheme's own list from settings
(``SUPPORT_SERVICES``, key to name), or these defaults, described by what they do."""

from __future__ import annotations

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

DEFAULT_SERVICES: dict[str, str | Promise] = {
    "isva": _("Independent sexual violence adviser service"),
    "eap": _("Employee assistance programme (confidential counselling)"),
    "welfare": _("Staff welfare team"),
    "union": _("A trade union"),
    "samaritans": _("Samaritans (listening, day or night)"),
    "victim_support": _("Victim Support"),
}


def services() -> dict[str, str]:
    """Key to name, in the order the scheme lists them."""
    configured = settings.SUPPORT_SERVICES or DEFAULT_SERVICES
    return {str(key): str(name) for key, name in configured.items()}


def name_of(key: str) -> str:
    """The service's name, or its key when the list no longer has it (a referral made before
    the list changed keeps its meaning)."""
    return services().get(key, key)
