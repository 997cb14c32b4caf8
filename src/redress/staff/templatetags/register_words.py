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
    return words.case_sanction_words(entry, conditions=entry.sanction_conditions)
