"""The start page in a real browser: readable without JavaScript, exit link, no axe violations."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from tests.browser.conftest import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_start_page_works_without_javascript(live_server: Any, page_without_js: Any) -> None:
    page = page_without_js
    response = page.goto(live_server.url + "/")
    assert response.status == 200
    assert page.locator("h1").inner_text() == "Report bullying, harassment or sexual misconduct"
    exit_link = page.get_by_role("button", name="Exit this page")
    assert exit_link.get_attribute("href") == "https://www.bbc.co.uk/weather"
    assert page.locator(".govuk-skip-link").get_attribute("href") == "#main-content"


@override_settings(EXIT_URL="/healthz")
def test_exit_this_page_leaves_without_javascript(live_server: Any, page_without_js: Any) -> None:
    page = page_without_js
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Exit this page").click()
    page.wait_for_url(live_server.url + "/healthz")


def test_language_switch_to_welsh_and_back(live_server: Any, page_without_js: Any) -> None:
    page = page_without_js
    page.goto(live_server.url + "/privacy")
    page.get_by_role("link", name="Cymraeg").click()
    page.wait_for_url(live_server.url + "/privacy")
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.locator("h1").inner_text() == "Hysbysiad preifatrwydd"
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"


@pytest.mark.parametrize("language", ["en", "cy"])
@pytest.mark.parametrize("path", ["/", "/accessibility", "/privacy", "/staff/sign-in"])
def test_pages_have_no_axe_violations(
    live_server: Any, axe_page: Any, path: str, language: str
) -> None:
    axe_page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    axe_page.goto(live_server.url + path)
    assert axe_page.locator("html").get_attribute("lang") == language
    assert_no_axe_violations(axe_page)


def test_enhanced_page_loads_scripts_without_csp_errors(live_server: Any, page: Any) -> None:
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(live_server.url + "/")
    page.wait_for_function("document.body.classList.contains('govuk-frontend-supported')")
    assert errors == []
