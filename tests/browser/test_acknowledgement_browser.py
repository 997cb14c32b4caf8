"""The acknowledgement page in a real browser: it works with JavaScript off, and axe-core finds
nothing wrong with it in English or in Welsh."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.browser.conftest import assert_no_axe_violations
from tests.intake.helpers import fill_report


def sent_in(live_server: Any, page: Any) -> None:
    """A report sent, and the browser holding the session that sent it."""
    client = Client()
    fill_report(client)
    client.post("/report/submit")
    session = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])


def test_the_page_works_without_javascript(live_server: Any, page_without_js: Any) -> None:
    sent_in(live_server, page_without_js)
    response = page_without_js.goto(live_server.url + "/report/acknowledgement/read")
    assert response.status == 200
    assert page_without_js.get_by_role("heading", name="We received your report").is_visible()
    link = page_without_js.get_by_role("link", name="Download this acknowledgement as a PDF")
    with page_without_js.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".pdf")


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_page_has_no_axe_violations(live_server: Any, axe_page: Any, language: str) -> None:
    sent_in(live_server, axe_page)
    axe_page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    axe_page.goto(live_server.url + "/report/acknowledgement/read")
    assert axe_page.locator("html").get_attribute("lang") == language
    assert_no_axe_violations(axe_page)
