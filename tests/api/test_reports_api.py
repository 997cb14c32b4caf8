"""POST /api/reports and GET /api/reports/me."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client

from redress.cases.models import Case
from redress.ledger.models import Entry
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


def test_every_read_with_a_receipt_code_leaves_a_trace(client: Client) -> None:
    # Someone who has taken a complainant's code must not be able to read the report unseen.
    receipt = client.post("/api/reports", API_REPORT, content_type="application/json").json()[
        "receipt"
    ]
    case = Case.objects.get()
    opened = Entry.objects.filter(action="receipt.read", object=f"case:{case.reference}")
    assert not opened.exists()
    for _ in range(2):
        assert client.get("/api/reports/me", headers={"X-Receipt": receipt}).status_code == 200
    assert opened.count() == 2
    assert set(opened.values_list("actor", flat=True)) == {"complainant"}
    # A wrong code opens nothing, and is ledgered as refused as before.
    client.get("/api/reports/me", headers={"X-Receipt": "AAAA-AAAA-AAAA-AAAA-AAAA"})
    assert opened.count() == 2


@pytest.mark.parametrize(
    "body",
    [
        '{"category": "bullying", "what_happened": "\\ud800x", "identity": "anonymous"}',
        '{"category": "bullying", "what_happened": "x\\udfff", "identity": "anonymous"}',
        '{"category": "bullying", "what_happened": "ok", "identity": "anonymous", '
        '"evidence": ["\\udc00"]}',
        '{"\\ud800": "a key that is not text", "what_happened": "ok"}',
    ],
)
def test_text_that_is_not_unicode_is_a_plain_400_and_stores_nothing(
    client: Client, body: str
) -> None:
    # JSON can spell a lone UTF-16 surrogate; UTF-8, and so the database, cannot hold one.
    response = client.post("/api/reports", body, content_type="application/json")
    assert response.status_code == 400
    assert "not valid Unicode" in response.json()["detail"]
    assert not Case.objects.exists()


def test_a_surrogate_pair_is_ordinary_text(client: Client) -> None:
    body = dict(API_REPORT, what_happened="He sent me this: \U0001f621 at midnight.")
    response = client.post("/api/reports", body, content_type="application/json")
    assert response.status_code == 201
    assert Case.objects.get().narrative == body["what_happened"]


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


def test_values_of_the_wrong_type_get_a_message_per_field(client: Client) -> None:
    response = client.post(
        "/api/reports",
        {"what_happened": 5, "identity": "anonymous", "when_date": "last week"},
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == {
        "category": "This is required.",
        "what_happened": "Give this as text.",
        "when_date": "Give a real date, as YYYY-MM-DD.",
    }
    assert isinstance(body["detail"], str)
    assert not Case.objects.exists()


def test_a_body_that_is_not_an_object_is_named_as_such(client: Client) -> None:
    response = client.post("/api/reports", "[]", content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"] == {"body": "Send a JSON object."}


def test_the_same_key_with_another_report_never_gives_back_the_first_code(client: Client) -> None:
    # Someone who learns or guesses an integration's idempotency key must not get a code.
    headers = {"Idempotency-Key": "1"}
    first = client.post(
        "/api/reports", API_REPORT, content_type="application/json", headers=headers
    )
    other = {**API_REPORT, "what_happened": "Something else entirely."}
    second = client.post("/api/reports", other, content_type="application/json", headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json()["receipt"] != first.json()["receipt"]
    assert Case.objects.count() == 2


def test_a_retry_after_the_code_is_forgotten_is_a_conflict_not_an_empty_code(
    client: Client,
) -> None:
    from redress.intake.actions import expire_drafts
    from redress.intake.models import Draft

    headers = {"Idempotency-Key": "retry-late"}
    client.post("/api/reports", API_REPORT, content_type="application/json", headers=headers)
    Draft.objects.update(updated_at=Draft.objects.get().updated_at - dt.timedelta(days=2))
    expire_drafts()
    late = client.post("/api/reports", API_REPORT, content_type="application/json", headers=headers)
    assert late.status_code == 409
    assert "no longer holds the code" in late.json()["detail"]
    assert Case.objects.count() == 1


def test_the_schema_documents_the_headers_and_every_refusal(client: Client) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    report, me = paths["/api/reports"]["post"], paths["/api/reports/me"]["get"]
    assert {p["name"] for p in report["parameters"]} == {"Idempotency-Key"}
    assert {p["name"] for p in me["parameters"]} == {"X-Receipt", "since"}
    assert {"201", "200", "400", "409", "413", "422"} <= set(report["responses"])
    assert {"200", "400", "401", "422", "429"} <= set(me["responses"])
    assert {"401", "403"} <= set(paths["/api/cases"]["get"]["responses"])
