"""Oversight's statistics page and its CSV: the transparency figures for a year, small cells
hidden. No case content reaches these pages. Each view signs a checkpoint first, so the figures
name exactly what they were computed at."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from redress.accounts.access import requires
from redress.reports import access as _access  # noqa: F401  (registers the reports.read rule)
from redress.reports.pages import csv_download, page_context, year_form


@requires("reports.read")
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    context, status = page_context(request.GET, sign=True)
    return render(request, "staff/statistics.html", context, status=status)


@requires("reports.read")
@require_GET
def statistics_csv(request: HttpRequest) -> HttpResponse:
    download = csv_download(request.GET, sign=True, name="redress-statistics")
    if download is None:
        context = {"form": year_form(request.GET)}
        return render(request, "staff/statistics.html", context, status=400)
    return download
