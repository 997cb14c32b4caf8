"""API tokens: issued and revoked by administrators, stored as digests, checked per scope,
their use ledgered with the token as actor; and the API's own access matrix."""

from __future__ import annotations

import hashlib
import importlib
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from redress.accounts import tokens
from redress.accounts.models import ApiToken, Role, Scope
from redress.api.urls import api
from redress.ledger.models import Entry
from tests.factories import make_staff, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


@pytest.fixture
def admin():  # type: ignore[no-untyped-def]
    return make_staff("sian", Role.ADMINISTRATOR)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_only_a_digest_of_the_secret_is_stored(admin) -> None:  # type: ignore[no-untyped-def]
    issued = tokens.issue(name="HR system", scopes=[Scope.VETTING], actor=admin)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        rows = cursor.fetchall()
    dump = repr(rows)
    assert issued.secret not in dump
    # The random part after "rdt_<prefix>_": whole, since it may itself hold "_" (the last
    # piece after one could be a single character, found anywhere in a row by chance).
    secret_part = issued.secret.split("_", 2)[2]
    assert len(secret_part) >= 40
    assert secret_part not in dump
    assert bytes(ApiToken.objects.get().digest) == hashlib.sha256(issued.secret.encode()).digest()


def test_token_use_is_ledgered_with_the_token_as_actor(client: Client, admin) -> None:  # type: ignore[no-untyped-def]
    issued = tokens.issue(name="HR system", scopes=[Scope.VETTING], actor=admin)
    response = client.get("/api/token", headers=bearer(issued.secret))
    assert response.status_code == 200
    assert response.json() == {"name": "HR system", "scopes": ["vetting"]}
    assert Entry.objects.filter(actor=f"token:{issued.token.pk}").exists()
    assert Entry.objects.filter(action="accounts.token_issued", actor=f"user:{admin.pk}").exists()


def test_revoked_token_is_refused_at_once(client: Client, admin) -> None:  # type: ignore[no-untyped-def]
    issued = tokens.issue(name="HR system", scopes=[Scope.VETTING], actor=admin)
    tokens.revoke(issued.token, actor=admin)
    response = client.get("/api/token", headers=bearer(issued.secret))
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/json")


def test_scope_is_checked(admin) -> None:  # type: ignore[no-untyped-def]
    issued = tokens.issue(name="Vetting body", scopes=[Scope.VETTING], actor=admin)
    assert tokens.authenticate(issued.secret, Scope.VETTING) is not None
    assert tokens.authenticate(issued.secret, Scope.CASES_WRITE) is None
    assert tokens.authenticate(issued.secret + "x", Scope.VETTING) is None
    assert tokens.authenticate("rdt_nothing_here", Scope.VETTING) is None


def test_administrator_issues_and_revokes_in_the_browser_flow(client: Client, admin) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, admin)
    response = client.post("/staff/tokens", {"name": "Vetting body", "scopes": ["vetting"]})
    assert response.status_code == 201
    token = ApiToken.objects.get()
    assert 'id="issued-token"' in response.content.decode()
    assert client.get("/staff/tokens").content.decode().count("rdt_") == 1  # prefix only
    response = client.post(f"/staff/tokens/{token.pk}/revoke")
    assert response.status_code == 302
    token.refresh_from_db()
    assert not token.is_live


def test_issuing_without_a_scope_says_so_and_keeps_the_name(client: Client, admin) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, admin)
    response = client.post("/staff/tokens", {"name": "Vetting body"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Select at least one thing the token may do" in body
    assert 'value="Vetting body"' in body
    assert not ApiToken.objects.exists()


def test_non_administrators_cannot_issue_tokens(client: Client) -> None:
    sign_in(client, make_staff("ffion", Role.CASEWORKER))
    response = client.post("/staff/tokens", {"name": "x", "scopes": ["vetting"]})
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


# Every API operation: (method, path, what an anonymous caller gets, what a token with the
# needed scope gets, what a token without it gets).
API_MATRIX = {
    ("GET", "/api/health"): (200, 200, 200),
    ("GET", "/api/token"): (401, 200, 200),
    # Complainant endpoints take no token: an empty report is refused field by field, and a
    # follow-up needs a receipt code, whoever calls.
    ("POST", "/api/reports"): (400, 400, 400),
    ("GET", "/api/reports/me"): (401, 401, 401),
}
# Each app keeps its operations' rows beside its own tests, in tests/<app>/api_access_matrix.py
# as ``ROWS``: (method, path) -> (status without a token, with every scope, with only the
# statistics scope).
for _module in sorted(Path(__file__).parent.parent.glob("*/api_access_matrix.py")):
    API_MATRIX.update(
        importlib.import_module(f"tests.{_module.parent.name}.api_access_matrix").ROWS
    )


def test_every_api_operation_is_in_the_matrix() -> None:
    schema = api.get_openapi_schema()
    operations = {
        (method.upper(), path) for path, item in schema["paths"].items() for method in item
    }
    assert operations == set(API_MATRIX)


@pytest.mark.parametrize(("operation", "expected"), list(API_MATRIX.items()))
def test_api_answers_each_kind_of_caller_as_declared(
    client: Client,
    admin,
    operation: tuple[str, str],
    expected: tuple[int, int, int],  # type: ignore[no-untyped-def]
) -> None:
    method, path = operation
    anonymous, scoped, unscoped = expected
    all_scopes = tokens.issue(name="all", scopes=list(Scope), actor=admin).secret
    stats_only = tokens.issue(name="stats", scopes=[Scope.STATISTICS], actor=admin).secret
    call = getattr(client, method.lower())
    assert call(path).status_code == anonymous
    assert call(path, headers=bearer(all_scopes)).status_code == scoped
    assert call(path, headers=bearer(stats_only)).status_code == unscoped


def test_a_token_stops_working_when_its_issuers_account_is_deactivated(admin) -> None:  # type: ignore[no-untyped-def]
    issued = tokens.issue(name="HR system", scopes=[Scope.VETTING], actor=admin)
    assert tokens.authenticate(issued.secret, Scope.VETTING) is not None
    admin.is_active = False
    admin.save(update_fields=["is_active"])
    assert tokens.authenticate(issued.secret, Scope.VETTING) is None
    response = Client().get("/api/vetting-checks/1", headers=bearer(issued.secret))
    assert response.status_code == 401
