"""Every page a complainant can land on has the "Exit this page" button: the error pages (a
stale form included) and the privacy and accessibility pages too."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.test import Client, RequestFactory

from redress.core import views

pytestmark = pytest.mark.django_db

EXIT = 'id="exit-this-page"'


def request() -> HttpRequest:
    return RequestFactory().get("/somewhere")


@pytest.mark.parametrize(
    ("page", "status", "heading"),
    [
        (lambda: views.bad_request(request()), 400, "There is a problem with your request"),
        (lambda: views.forbidden(request(), PermissionDenied()), 403, "permission"),
        (lambda: views.not_found(request()), 404, "Page not found"),
        (lambda: views.server_error(request()), 500, "there is a problem with the service"),
        (lambda: views.csrf_failure(request()), 403, "This form has expired"),
    ],
)
def test_the_error_pages_have_the_exit_button(page, status: int, heading: str) -> None:  # type: ignore[no-untyped-def]
    response = page()
    assert response.status_code == status
    assert heading in response.content.decode()
    assert EXIT in response.content.decode()


def test_the_error_pages_have_it_when_served() -> None:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    assert EXIT in client.get("/no-such-page").content.decode()
    stale = client.post("/check", {"code": "ABCDE"})
    assert stale.status_code == 403
    assert "This form has expired" in stale.content.decode()
    assert EXIT in stale.content.decode()
    refused = client.get("/report/who?q=%00")
    assert refused.status_code == 400
    assert EXIT in refused.content.decode()


@pytest.mark.parametrize("path", ["/privacy", "/accessibility"])
def test_the_privacy_and_accessibility_pages_have_the_exit_button(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    assert EXIT in response.content.decode()
