"""The published statistics in a real browser with JavaScript off: reached from the start page,
a year chosen with the form, the charts drawn and their figures in tables, the CSV downloaded."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_figures_work_without_javascript(live_server: Any, page_without_js: Any) -> None:
    call_command("demo", stdout=io.StringIO())
    page = page_without_js
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="See how many complaints we received").click()
    page.wait_for_url(live_server.url + "/statistics")
    assert page.locator("h1").inner_text() == "Complaints in figures"
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(live_server.url + "/statistics?year=2026")
    tables = page.locator("main table")
    assert tables.count() >= 5
    charts = page.locator("main figure svg[role=img]")
    assert charts.count() >= 5
    # Each chart is named for a screen reader and its figures are in a table too.
    assert charts.first.locator("title").text_content()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the figures for 2026").click()
    saved = download.value
    assert saved.suggested_filename == "statistics-2026.csv"
    assert saved.path().read_text().startswith("section,row,column,value")
