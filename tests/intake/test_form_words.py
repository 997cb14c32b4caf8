"""Every message in the wizard's own words, beside its field: the date as one answer, and
length limits without Django's default wording."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.intake.helpers import fill_report

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "date",
    [
        {"when_day": "1", "when_month": "13", "when_year": "2025"},
        {"when_day": "1", "when_month": "3", "when_year": "1900"},
        {"when_day": "a", "when_month": "b", "when_year": "c"},
        {"when_day": "", "when_month": "3", "when_year": "2025"},
    ],
)
def test_a_wrong_date_gets_one_message_beside_the_date(client: Client, date: dict) -> None:  # type: ignore[type-arg]
    client.get("/report/start")
    response = client.post("/report/when", {"when_kind": "date", **date})
    body = response.content.decode()
    assert response.status_code == 400
    assert body.count("Enter the date it happened, like 27 3 2026") == 2  # summary and field
    assert "Enter a whole number" not in body
    assert "Ensure this value" not in body
    assert 'id="id_when_day-error"' in body


def test_date_boxes_are_ignored_when_no_date_is_asked_for(client: Client) -> None:
    client.get("/report/start")
    response = client.post(
        "/report/when", {"when_kind": "not_sure", "when_day": "x", "when_month": "99"}
    )
    assert response.status_code == 302


def test_a_long_phone_number_is_explained_in_our_words(client: Client) -> None:
    fill_report(client, identity={"identity": "named"})
    response = client.post("/report/contact", {"contact_name": "Rhian", "contact_phone": "0" * 31})
    body = response.content.decode()
    assert response.status_code == 400
    assert "This must be 30 characters or fewer" in body
    assert "Ensure this value" not in body
    assert 'value="' + "0" * 31 + '"' in body


def test_a_too_long_answer_gets_only_the_message_about_its_length(client: Client) -> None:
    client.get("/report/start")
    who = client.post(
        "/report/who", {"respondent_id": "not-listed", "respondent_description": "x" * 2001}
    ).content.decode()
    assert "The description must be 2,000 characters or fewer" in who
    assert "Choose the person from the list" not in who
    when = client.post(
        "/report/when", {"when_kind": "period", "when_period": "y" * 501}
    ).content.decode()
    assert "The period must be 500 characters or fewer" in when
    assert "Describe the period, like" not in when
