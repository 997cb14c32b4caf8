"""Check your answers shows the day it happened as a full date in the page's language."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.intake.helpers import fill_report

pytestmark = pytest.mark.django_db

ON_A_DAY = {"when_kind": "date", "when_day": "27", "when_month": "3", "when_year": "2025"}


def test_the_date_is_written_in_full(client: Client) -> None:
    fill_report(client, when=ON_A_DAY)
    page = client.get("/report/check-answers").content.decode()
    assert "27 March 2025" in page
    assert "2025-03-27" not in page


def test_the_date_is_written_in_welsh_on_the_welsh_site(client: Client) -> None:
    client.get("/language/cy?next=/")
    fill_report(client, when=ON_A_DAY)
    page = client.get("/report/check-answers").content.decode()
    assert "27 Mawrth 2025" in page
    assert "2025-03-27" not in page


def test_a_period_and_not_sure_are_shown_as_given(client: Client) -> None:
    fill_report(client, when={"when_kind": "period", "when_period": "From January to March"})
    assert "From January to March" in client.get("/report/check-answers").content.decode()
    client.post("/report/when?change=1", {"when_kind": "not_sure"})
    assert "Not sure" in client.get("/report/check-answers").content.decode()
