"""What every visitor and every attacker meets first: pages, headers, health, the API schema."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_start_page_has_exit_link_and_explains_identity_choices(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="https://www.bbc.co.uk/weather"' in body
    assert "Exit this page" in body
    for choice in ("Named", "Confidential", "Anonymous"):
        assert choice in body
    assert "GDS Transport" not in body
    assert "govuk-logo" not in body  # no crown


def test_footer_links_to_accessibility_statement_and_privacy_notice(client: Client) -> None:
    body = client.get("/").content.decode()
    assert 'href="/accessibility"' in body
    assert 'href="/privacy"' in body
    assert client.get("/accessibility").status_code == 200
    assert client.get("/privacy").status_code == 200


def test_exit_url_is_configurable(client: Client, settings: pytest.FixtureRequest) -> None:
    settings.EXIT_URL = "https://example.org/weather"  # type: ignore[attr-defined]
    assert 'href="https://example.org/weather"' in client.get("/").content.decode()


def test_security_headers_are_strict(client: Client) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "http" not in csp.replace("'self'", "")  # no third-party origins
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_contain_no_inline_script_or_third_party_resources(client: Client) -> None:
    body = client.get("/").content.decode()
    assert "<script>" not in body
    assert 'src="http' not in body
    assert 'href="http' not in body.replace('href="https://www.bbc.co.uk/weather"', "")


def test_form_posted_without_csrf_token_is_refused() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/staff/sign-in", {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


def test_healthz_checks_the_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_openapi_schema_and_docs_are_served(client: Client) -> None:
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Redress API"
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.content.decode().lower()  # served from our own static files


def test_unknown_page_is_a_friendly_404_without_details(client: Client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert "Traceback" not in body


def test_unknown_api_route_answers_json(client: Client) -> None:
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json")


def test_welsh_is_chosen_by_link_and_remembered(client: Client) -> None:
    response = client.get("/language/cy?next=/privacy")
    assert response.status_code == 302
    assert response.headers["Location"] == "/privacy"
    page = client.get("/privacy").content.decode()
    assert 'lang="cy"' in page
    assert "Hysbysiad preifatrwydd" in page


def test_language_switch_refuses_to_redirect_off_site(client: Client) -> None:
    response = client.get("/language/cy?next=https://attacker.example/")
    assert response.headers["Location"] == "/"
    assert client.get("/language/xx").status_code == 404


def test_client_address_never_reaches_views(client: Client) -> None:
    from django.http import HttpRequest

    from redress.core.middleware import RequestPrivacyMiddleware

    seen: dict[str, str] = {}

    def view(request: HttpRequest) -> object:
        seen.update({k: str(v) for k, v in request.META.items()})
        from django.http import HttpResponse

        return HttpResponse()

    request = HttpRequest()
    request.META = {
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_USER_AGENT": "Distinctive/1.0",
        "HTTP_X_FORWARDED_FOR": "198.51.100.7",
    }
    RequestPrivacyMiddleware(view)(request)  # type: ignore[arg-type]
    values = " ".join(seen.values())
    assert "203.0.113.9" not in values
    assert "198.51.100.7" not in values
    assert "Distinctive" not in values


def test_null_origin_from_this_site_is_accepted_but_cross_site_is_refused() -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/staff/sign-in")
    token = page.cookies["csrftoken"].value
    same_site = client.post(
        "/staff/sign-in",
        {"username": "a", "password": "b", "csrfmiddlewaretoken": token},
        headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"},
    )
    assert same_site.status_code == 400  # reached the form: wrong password, not a CSRF refusal
    cross_site = client.post(
        "/staff/sign-in",
        {"username": "a", "password": "b", "csrfmiddlewaretoken": token},
        headers={"Origin": "null", "Sec-Fetch-Site": "cross-site"},
    )
    assert cross_site.status_code == 403
