"""Register entries in words on staff pages: "Harassment: complaint upheld", never the stored
values."""

from __future__ import annotations

from django import template

from redress.register.models import RegisterEntry
from redress.vetting import words

register = template.Library()


@register.filter
def finding_words(entry: RegisterEntry) -> str:
    return words.finding_title(entry.category, entry.decision)


@register.filter
def sanction_words(entry: RegisterEntry) -> str:
    return words.sanction_words(
        entry.sanction,
        starts_on=entry.sanction_starts_on.isoformat() if entry.sanction_starts_on else "",
        months=entry.sanction_months,
        ends_on=entry.sanction_ends_on.isoformat() if entry.sanction_ends_on else "",
        conditions=entry.sanction_conditions,
    )
