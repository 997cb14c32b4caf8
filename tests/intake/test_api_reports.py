"""POST /api/reports and GET /api/reports/me."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from redress.cases.models import Case
from tests.factories import API_REPORT

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


def test_report_through_the_api_and_follow_up(client: Client) -> None:
    response = client.post("/api/reports", API_REPORT, content_type="application/json")
    assert response.status_code == 201
    receipt = response.json()["receipt"]
    case = Case.objects.get()
    assert case.narrative == API_REPORT["what_happened"]
    status = client.get("/api/reports/me", headers={"X-Receipt": receipt})
    assert status.status_code == 200
    body = status.json()
    assert body["stage"] == "received"
    assert body["reference"] == case.reference
    assert body["next_due"]
    assert body["messages"] == []


def test_errors_name_each_field(client: Client) -> None:
    response = client.post(
        "/api/reports",
        {"category": "gossip", "what_happened": "", "identity": "named"},
        content_type="application/json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["category"] == "Select the kind of behaviour"
    assert errors["what_happened"] == "Tell us what happened"
    assert "respondent_description" in errors
    assert errors["contact_name"] == "Enter your name"
    assert not Case.objects.exists()


def test_malformed_json_is_a_4xx_json_error(client: Client) -> None:
    response = client.post("/api/reports", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response.headers["Content-Type"].startswith("application/json")


def test_retried_request_with_the_same_key_makes_one_case(client: Client) -> None:
    headers = {"Idempotency-Key": "retry-7f3a"}
    first = client.post(
        "/api/reports", API_REPORT, content_type="application/json", headers=headers
    )
    again = client.post(
        "/api/reports", API_REPORT, content_type="application/json", headers=headers
    )
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["receipt"] == first.json()["receipt"]
    assert Case.objects.count() == 1


def test_unknown_receipt_is_refused(client: Client) -> None:
    response = client.get("/api/reports/me", headers={"X-Receipt": "AAAA-AAAA-AAAA-AAAA-AAAA"})
    assert response.status_code == 401
    assert "receipt" in response.json()["detail"].lower()
    assert client.get("/api/reports/me").status_code == 401


def test_endpoints_are_in_the_openapi_schema(client: Client) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "post" in paths["/api/reports"]
    assert "get" in paths["/api/reports/me"]


def test_wrong_codes_through_the_api_are_throttled_too(client: Client) -> None:
    for _ in range(5):
        assert (
            client.get(
                "/api/reports/me", headers={"X-Receipt": "AAAA-AAAA-AAAA-AAAA-AAAA"}
            ).status_code
            == 401
        )
    response = client.get("/api/reports/me", headers={"X-Receipt": "AAAA-AAAA-AAAA-AAAA-AAAA"})
    assert response.status_code == 429
