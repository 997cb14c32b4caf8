"""What the statistics pages (oversight's and the public's) show for a year asked for in the
address: one place that reads the year, computes the figures and makes the CSV download."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, QueryDict
from django.utils import timezone

from redress.reports import periods, presentation
from redress.reports.figures import compute


def year_form(query: QueryDict) -> periods.YearForm:
    """The year in the address, or this year when none is given."""
    return periods.YearForm(query or {"year": timezone.localdate().year})


def page_context(query: QueryDict, *, sign: bool) -> tuple[dict[str, Any], int]:
    """The page's context and status: the form, and for a good year its figures. ``sign``
    signs a checkpoint first (oversight); the public page reads the newest one."""
    form = year_form(query)
    context: dict[str, Any] = {"form": form}
    if not form.is_valid():
        return context, 400
    year = form.cleaned_data["year"]
    return context | presentation.context(compute(*periods.year(year), sign=sign)) | {
        "year": year
    }, 200


def csv_download(query: QueryDict, *, sign: bool, name: str) -> HttpResponse | None:
    """The figures as CSV, saved as ``name-YEAR.csv``; None for a bad year."""
    form = year_form(query)
    if not form.is_valid():
        return None
    year = form.cleaned_data["year"]
    figures = compute(*periods.year(year), sign=sign)
    response = HttpResponse(presentation.as_csv(figures), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{year}.csv"'
    return response
