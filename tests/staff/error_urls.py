"""The site's routes and error handlers, with a page on each side that fails: what a fault in a
real view looks like to the person who met it."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from redress.core.routes import public
from redress.urls import handler400, handler403, handler404, handler500
from redress.urls import urlpatterns as site

FAULT = "the database said no to table secret_case_notes"


@public
def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(FAULT)


urlpatterns = [path("staff/fails", fails), path("fails", fails), *site]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
