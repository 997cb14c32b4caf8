"""Staff who are refused a page, reach one that does not exist, send something that cannot be
accepted or meet a fault stay in the staff layout: no "Exit this page" (that is for
complainants), a way back to the staff home, plain words and never a stack trace. Everywhere
else keeps the public pages with the exit button."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest
from django.test import Client, RequestFactory, override_settings
from django.utils.functional import SimpleLazyObject

from redress.accounts.models import Role
from redress.core import views
from tests.factories import make_staff, sign_in
from tests.staff.error_urls import FAULT

EXIT = 'id="exit-this-page"'
STAFF_HOME = 'href="/staff/">Go to the staff home page</a>'


def staff_layout(html: str) -> bool:
    return "govuk-service-navigation" in html and STAFF_HOME in html and EXIT not in html


@pytest.fixture
def caseworker_client(db: Any) -> Client:
    client = Client()
    sign_in(client, make_staff("cw", Role.CASEWORKER))
    return client


def test_a_refused_member_of_staff_stays_in_the_staff_layout(caseworker_client: Client) -> None:
    page = caseworker_client.get("/staff/oversight")
    assert page.status_code == 403
    html = page.content.decode()
    assert "You do not have permission to see this page" in html
    assert staff_layout(html)


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [True, False])
def test_a_missing_staff_page_stays_in_the_staff_layout(signed_in: bool) -> None:
    client = Client()
    if signed_in:
        sign_in(client, make_staff("cw", Role.CASEWORKER))
    page = client.get("/staff/no-such-page")
    assert page.status_code == 404
    assert "Page not found" in page.content.decode()
    assert staff_layout(page.content.decode())


@pytest.mark.django_db
def test_a_missing_staff_page_in_welsh(caseworker_client: Client) -> None:
    caseworker_client.cookies["django_language"] = "cy"
    html = caseworker_client.get("/staff/no-such-page").content.decode()
    assert '<html lang="cy"' in html
    assert "Ewch i hafan y staff" in html
    assert "Page not found" not in html
    assert EXIT not in html


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/no-such-page", "/respond/no-such-page"])
def test_a_missing_public_page_keeps_the_exit_button(path: str) -> None:
    page = Client().get(path)
    assert page.status_code == 404
    assert EXIT in page.content.decode()
    assert STAFF_HOME not in page.content.decode()


@pytest.mark.django_db
def test_a_bad_request_on_a_staff_page_stays_in_the_staff_layout() -> None:
    page = Client().get("/staff/sign-in?q=%00")
    assert page.status_code == 400
    html = page.content.decode()
    assert "null character" in html
    assert staff_layout(html)
    public = Client().get("/check?q=%00")
    assert public.status_code == 400
    assert EXIT in public.content.decode()


@pytest.mark.django_db
def test_a_stale_staff_form_stays_in_the_staff_layout() -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.post("/staff/sign-in", {"username": "cw", "password": "x"})
    assert page.status_code == 403
    html = page.content.decode()
    assert "This form has expired" in html
    assert staff_layout(html)


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.staff.error_urls")
def test_a_fault_on_a_staff_page_shows_the_staff_error_page(caseworker_client: Client) -> None:
    caseworker_client.raise_request_exception = False
    page = caseworker_client.get("/staff/fails")
    assert page.status_code == 500
    html = page.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert staff_layout(html)
    assert FAULT not in html
    assert "Traceback" not in html
    assert "RuntimeError" not in html
    # The staff layout's sign-out form still works from the fault page.
    assert 'name="csrfmiddlewaretoken"' in html


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.staff.error_urls")
def test_a_fault_on_a_public_page_keeps_the_exit_button() -> None:
    page = Client(raise_request_exception=False).get("/fails")
    assert page.status_code == 500
    assert EXIT in page.content.decode()
    assert FAULT not in page.content.decode()


def _no_user() -> Any:
    raise AssertionError("the fault page asked who is signed in")


def test_the_fault_page_needs_neither_the_database_nor_a_user() -> None:
    # No database mark: any query here fails the test.
    request: HttpRequest = RequestFactory().get("/staff/cases")
    request.user = SimpleLazyObject(_no_user)  # type: ignore[assignment]
    page = views.server_error(request)
    assert page.status_code == 500
    assert staff_layout(page.content.decode())
