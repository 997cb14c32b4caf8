"""Reporting periods."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FIRST_YEAR = 2000


def year(value: int) -> tuple[dt.date, dt.date]:
    """1 January of ``value`` up to 1 January of the next year."""
    return dt.date(value, 1, 1), dt.date(value + 1, 1, 1)


class YearForm(forms.Form):
    year = forms.IntegerField(
        error_messages={
            "required": _("Enter a year, for example 2026"),
            "invalid": _("Enter the year as a number, for example 2026"),
        }
    )

    def clean_year(self) -> int:
        value = self.cleaned_data["year"]
        latest = timezone.localdate().year
        if not FIRST_YEAR <= value <= latest:
            raise forms.ValidationError(
                _("Enter a year from %(first)s to %(last)s") % {"first": FIRST_YEAR, "last": latest}
            )
        return int(value)
