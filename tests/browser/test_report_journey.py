"""Journeys 1 and 2 in Chromium with JavaScript off: report with a photo, get the code, come back.

Also: axe-core on every page of the journey, in English and in Welsh.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from PIL import Image

from redress.cases.models import Attachment, Case
from redress.vault.storage import EncryptingStorage
from tests.browser.conftest import WIZARD_STEPS, assert_no_axe_violations
from tests.intake import samples

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose(page: Any, label: str) -> None:
    page.get_by_label(label, exact=True).check()


def continue_(page: Any) -> None:
    page.get_by_role("button", name="Continue").click()


def report_with_photo(page: Any, base: str) -> str:
    """Walk the wizard as a complainant; returns the receipt code shown at the end."""
    page.goto(base + "/")
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("What happened?").fill(
        "At the constituency office he blocked the door and said nobody would believe me."
    )
    continue_(page)
    choose(page, "Harassment")
    continue_(page)
    page.get_by_label("Search by name, role, constituency or office").fill("Fenwright")
    page.get_by_role("button", name="Search").click()
    choose(page, "Alderic Fenwright")
    continue_(page)
    choose(page, "On a particular day")
    page.get_by_label("Day", exact=True).fill("3")
    page.get_by_label("Month", exact=True).fill("11")
    page.get_by_label("Year", exact=True).fill("2026")
    continue_(page)
    page.get_by_label("Where did it happen? (optional)").fill("Ashwold East office")
    continue_(page)
    continue_(page)  # witnesses: none
    continue_(page)  # impact: left blank
    page.set_input_files(
        "#id_file",
        files=[{"name": "IMG_0042.jpg", "mimeType": "image/jpeg", "buffer": samples.jpeg()}],
    )
    page.get_by_role("button", name="Upload file").click()
    assert "location (GPS)" in page.locator("#evidence-list").inner_text()
    continue_(page)
    continue_(page)  # outcome: left blank
    choose(page, "Yes")
    continue_(page)
    choose(page, "Anonymous")
    continue_(page)
    assert page.locator("h1").inner_text() == "Check your answers before sending your report"
    assert "IMG_0042.jpg" in page.locator(".govuk-summary-list").inner_text()
    page.get_by_role("button", name="Send report").click()
    code = page.locator("#receipt-code").inner_text()
    page.get_by_label("I have written down or saved my receipt code").check()
    page.get_by_role("button", name="Finish").click()
    assert page.locator("h1").inner_text() == "Thank you"
    return code


def test_report_and_follow_up_without_javascript(live_server: Any, page_without_js: Any) -> None:
    cache.clear()
    call_command("demo", stdout=io.StringIO())
    page = page_without_js
    code = report_with_photo(page, live_server.url)
    assert len(code.replace("-", "")) == 20

    case = Case.objects.filter(respondent__identifier="M-1001").latest("received_at")
    attachment = Attachment.objects.get(case=case)
    stored = EncryptingStorage().open_sealed(attachment.stored_name, case.data_key)
    picture = Image.open(io.BytesIO(stored))
    assert picture.format == "JPEG"
    assert not picture.getexif().get_ifd(samples.GPS_IFD)
    assert samples.MARKER_MAKE not in stored.decode("latin-1")

    page.goto(live_server.url + "/check")
    page.get_by_label("Receipt code").fill(code.lower())
    continue_(page)
    assert "Received" in page.locator("#stage").inner_text()
    assert "This should happen by" in page.locator("#what-next").inner_text()
    page.get_by_label("Your message").fill("I remembered he also phoned me that evening.")
    page.get_by_role("button", name="Send message").click()
    assert "phoned me that evening" in page.locator("#messages").inner_text()


def journey_pages(base: str) -> list[str]:
    return [f"{base}/report/{step}" for step in WIZARD_STEPS] + [f"{base}/report/check-answers"]


@pytest.mark.parametrize("language", ["en", "cy"])
def test_every_page_of_the_journey_passes_axe(
    live_server: Any, axe_page: Any, language: str
) -> None:
    cache.clear()
    call_command("demo", stdout=io.StringIO())
    page = axe_page
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(live_server.url + "/report/start")
    for url in journey_pages(live_server.url):
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language
        assert_no_axe_violations(page)
    # The search's results (posted, so no name is in the address).
    page.goto(live_server.url + "/report/who")
    page.locator("#q").fill("party")
    page.locator("button[name=search]").click()
    assert page.locator("input[name=respondent_id]").count() > 1
    assert "party" not in page.url
    assert_no_axe_violations(page)
    # Error states are pages too.
    page.goto(live_server.url + "/report/what-happened")
    page.locator("form[method=post] button[type=submit]").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_no_axe_violations(page)
    page.goto(live_server.url + "/check")
    assert_no_axe_violations(page)
