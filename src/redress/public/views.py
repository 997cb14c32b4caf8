"""The complainant's pages. No accounts; nothing here records who is asking."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from redress.core.routes import public


@public
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    return render(request, "public/start.html")


@public
@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "public/accessibility.html")


@public
@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "public/privacy.html")
