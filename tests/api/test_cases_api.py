"""The case API: a token acts for the member of staff it was issued to, with the console's
checks: only their assigned cases, only the steps their role may take, refusals as JSON."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from redress.accounts import tokens
from redress.accounts.models import ApiToken, Role, Scope
from redress.cases import actions
from redress.cases.models import AssignmentRole, Case, Category, Identity, Stage
from redress.ledger.models import Entry
from tests.factories import make_staff, sign_in

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _case() -> Case:
    return actions.receive(category=Category.OTHER, identity=Identity.ANONYMOUS, narrative="x")


def test_the_queue_is_the_token_holders_cases_only(client: Client) -> None:
    worker = make_staff("cw", Role.CASEWORKER, totp=False, password=None)
    mine, theirs = _case(), _case()
    actions.assign(mine, worker, AssignmentRole.CASEWORKER, actor="system:test")
    secret = tokens.issue(name="cms", scopes=[Scope.CASES_READ], actor=worker).secret
    body = client.get("/api/cases", headers=bearer(secret)).json()
    assert [row["reference"] for row in body] == [mine.reference]
    assert body[0]["next_due"] is not None
    assert client.get(f"/api/cases/{theirs.reference}", headers=bearer(secret)).status_code == 404
    detail = client.get(f"/api/cases/{mine.reference}", headers=bearer(secret)).json()
    assert detail["next_stages"] == ["acknowledged"]
    assert {d["kind"] for d in detail["deadlines"]} == {"acknowledge", "assess"}


def test_transitions_follow_the_lifecycle_and_the_role(client: Client) -> None:
    worker = make_staff("cw", Role.CASEWORKER, totp=False, password=None)
    case = _case()
    actions.assign(case, worker, AssignmentRole.CASEWORKER, actor="system:test")
    reader = tokens.issue(name="read", scopes=[Scope.CASES_READ], actor=worker).secret
    issued = tokens.issue(name="write", scopes=[Scope.CASES_WRITE, Scope.CASES_READ], actor=worker)
    writer = issued.secret
    url = f"/api/cases/{case.reference}/transitions"
    step = {"to": "acknowledged", "reasons": "Read and in scope."}
    assert (
        client.post(url, step, content_type="application/json", headers=bearer(reader)).status_code
        == 403
    )
    refused = client.post(
        url,
        {"to": "closed", "reasons": "Too soon."},
        content_type="application/json",
        headers=bearer(writer),
    )
    assert refused.status_code == 409
    assert "cannot move to" in refused.json()["detail"]
    moved = client.post(url, step, content_type="application/json", headers=bearer(writer))
    assert moved.status_code == 200
    assert moved.json()["stage"] == "acknowledged"
    case.refresh_from_db()
    assert case.stage == Stage.ACKNOWLEDGED
    # The ledger names the member of staff and the token they acted through.
    via = f"user:{worker.pk} via token:{issued.token.pk}"
    assert Entry.objects.filter(action="case.stage_changed", actor=via).exists()
    bad = client.post(
        url,
        {"to": "nowhere", "reasons": "x"},
        content_type="application/json",
        headers=bearer(writer),
    )
    assert bad.status_code == 422


def test_an_administrator_issues_a_case_token_that_acts_for_a_caseworker(client: Client) -> None:
    admin = make_staff("gwen", Role.ADMINISTRATOR)
    worker = make_staff("cw2", Role.CASEWORKER, totp=False, password=None)
    mine = _case()
    actions.assign(mine, worker, AssignmentRole.CASEWORKER, actor="system:test")
    sign_in(client, admin)
    refused = client.post("/staff/tokens", {"name": "Case system", "scopes": ["cases:read"]})
    assert refused.status_code == 400
    assert "Choose the member of staff whose cases the token reads or moves" in (
        refused.content.decode()
    )
    page = client.post(
        "/staff/tokens", {"name": "Case system", "scopes": ["cases:read"], "acts_for": worker.pk}
    )
    assert page.status_code == 201
    secret = re.search(r'id="issued-token">([^<]+)<', page.content.decode())
    assert secret is not None
    # It waits for the caseworker's approval (tests/accounts/test_token_consent.py).
    assert Client().get("/api/cases", headers=bearer(secret.group(1))).status_code == 403
    tokens.approve(ApiToken.objects.get(), actor=worker)
    body = Client().get("/api/cases", headers=bearer(secret.group(1))).json()
    assert [row["reference"] for row in body] == [mine.reference]
    worker.is_active = False
    worker.save(update_fields=["is_active"])
    assert Client().get("/api/cases", headers=bearer(secret.group(1))).status_code == 401


def test_only_a_case_token_acts_for_someone(client: Client) -> None:
    admin = make_staff("gwen", Role.ADMINISTRATOR)
    worker = make_staff("cw2", Role.CASEWORKER, totp=False, password=None)
    sign_in(client, admin)
    response = client.post(
        "/staff/tokens", {"name": "Vetting", "scopes": ["vetting"], "acts_for": worker.pk}
    )
    assert response.status_code == 400
    assert "Only a token that reads or moves cases acts for a member of staff" in (
        response.content.decode()
    )
