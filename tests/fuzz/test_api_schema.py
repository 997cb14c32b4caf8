"""Schemathesis against /api/openapi.json: every operation, as each kind of caller (no token,
every scope, one scope at a time): no 5xx, and every response matches its schema. A bounded run
here; `make fuzz` runs longer (REDRESS_FUZZ_EXAMPLES)."""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from hypothesis import HealthCheck, settings

from redress.accounts import tokens
from redress.accounts.models import Role, Scope
from redress.wsgi import application
from tests.factories import make_staff

EXAMPLES = int(os.environ.get("REDRESS_FUZZ_EXAMPLES", "8"))
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
CALLERS = ["anonymous", "all", *[str(s) for s in Scope]]


@pytest.fixture
def bearer(request: pytest.FixtureRequest, db: Any) -> dict[str, str]:
    cache.clear()
    caller = request.param
    if caller == "anonymous":
        return {}
    admin = make_staff(
        f"fuzz-{caller.replace(':', '-')}", Role.ADMINISTRATOR, totp=False, password=None
    )
    scopes = list(Scope) if caller == "all" else [Scope(caller)]
    secret = tokens.issue(name=f"fuzz {caller}", scopes=scopes, actor=admin).secret
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("bearer", CALLERS, indirect=True)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors_and_responses_match_their_schema(
    case: Any, bearer: dict[str, str]
) -> None:
    # Every status an operation answers is in the schema (the refusals any operation may give
    # are added to each), every answer matches it, and none is a 5xx.
    case.call_and_validate(
        headers=bearer,
        checks=[
            schemathesis.checks.not_a_server_error,
            schemathesis.checks.response_schema_conformance,
            schemathesis.checks.content_type_conformance,
            schemathesis.checks.status_code_conformance,
        ],
        excluded_checks=[
            schemathesis.checks.positive_data_acceptance,
            schemathesis.checks.negative_data_rejection,
            schemathesis.checks.missing_required_header,
            schemathesis.checks.ignored_auth,
            schemathesis.checks.unsupported_method,
            schemathesis.checks.use_after_free,
            schemathesis.checks.ensure_resource_availability,
        ],
    )
