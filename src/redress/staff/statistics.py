"""Oversight's statistics page and its CSV: the transparency figures for a year, small cells
hidden. No case content reaches these pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from redress.accounts.access import requires
from redress.reports import access as _access  # noqa: F401  (registers the reports.read rule)
from redress.reports import periods, presentation
from redress.reports.figures import compute


def _year_form(request: HttpRequest) -> periods.YearForm:
    return periods.YearForm(request.GET or {"year": timezone.localdate().year})


@requires("reports.read")
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    form = _year_form(request)
    context: dict[str, object] = {"form": form}
    if form.is_valid():
        year = form.cleaned_data["year"]
        figures = compute(*periods.year(year))
        context |= presentation.context(figures) | {"year": year}
    return render(request, "staff/statistics.html", context, status=200 if form.is_valid() else 400)


@requires("reports.read")
@require_GET
def statistics_csv(request: HttpRequest) -> HttpResponse:
    form = _year_form(request)
    if not form.is_valid():
        return render(request, "staff/statistics.html", {"form": form}, status=400)
    year = form.cleaned_data["year"]
    response = HttpResponse(
        presentation.as_csv(compute(*periods.year(year))), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="redress-statistics-{year}.csv"'
    return response
