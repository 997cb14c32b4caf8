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
from django.views.decorators.http import require_GET

from redress.core.routes import public
from redress.reports.pages import csv_download, page_context, year_form


@public
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    context, status = page_context(request.GET, sign=False)
    return render(request, "public/statistics.html", context, status=status)


@public
@require_GET
def statistics_csv(request: HttpRequest) -> HttpResponse:
    download = csv_download(request.GET, sign=False, name="statistics")
    if download is None:
        context = {"form": year_form(request.GET)}
        return render(request, "public/statistics.html", context, status=400)
    return download
