"""The published statistics: the same figures as the annual report, for anyone, without
signing in and without JavaScript.

Small figures are hidden exactly as in the report (``reports.suppression``); the charts are SVG
drawn on the server, each with its figures in a table. Reading this page signs nothing: a
stranger's visit must not add checkpoints to the ledger, so the figures name the newest
checkpoint there is.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from redress.core.routes import public
from redress.reports import periods, presentation
from redress.reports.figures import compute


def _year_form(request: HttpRequest) -> periods.YearForm:
    return periods.YearForm(request.GET or {"year": timezone.localdate().year})


@public
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    form = _year_form(request)
    context: dict[str, object] = {"form": form}
    if form.is_valid():
        year = form.cleaned_data["year"]
        context |= presentation.context(compute(*periods.year(year), sign=False)) | {"year": year}
    status = 200 if form.is_valid() else 400
    return render(request, "public/statistics.html", context, status=status)


@public
@require_GET
def statistics_csv(request: HttpRequest) -> HttpResponse:
    form = _year_form(request)
    if not form.is_valid():
        return render(request, "public/statistics.html", {"form": form}, status=400)
    year = form.cleaned_data["year"]
    figures = compute(*periods.year(year), sign=False)
    response = HttpResponse(presentation.as_csv(figures), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statistics-{year}.csv"'
    return response
