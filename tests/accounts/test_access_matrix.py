"""Every role against every route. A route missing from the matrix fails: nothing escapes review.

Statuses are what a person in that role gets for a plain GET: 200 shown, 302 sent elsewhere
(usually to sign in), 403 refused, 404 hidden, 405 method not allowed.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from redress.accounts.models import Role
from redress.core.routes import declared_access
from tests.accounts.visitors import (
    ANONYMOUS,
    EVERYONE,
    NO_ROLE,
    roles_only,
    same_for_all,
    staff_only,
)
from tests.factories import make_staff, sign_in

pytestmark = pytest.mark.django_db

# route name -> (path to GET, expected status for each kind of visitor)
MATRIX: dict[str, tuple[str, dict[str, int]]] = {
    "public:start": ("/", same_for_all(200)),
    "public:accessibility": ("/accessibility", same_for_all(200)),
    "public:privacy": ("/privacy", same_for_all(200)),
    "healthz": ("/healthz", same_for_all(200)),
    # The complainant's side: open to all, and without a draft or a code it leads back.
    "public:report-step": ("/report/what-happened", same_for_all(302)),
    "public:report-check": ("/report/check-answers", same_for_all(302)),
    "public:report-submit": ("/report/submit", same_for_all(405)),
    "public:report-sent": ("/report/sent", same_for_all(302)),
    "public:report-acknowledgement": ("/report/acknowledgement", same_for_all(404)),
    "public:report-done": ("/report/done", same_for_all(200)),
    "public:report-check-code": ("/check", same_for_all(200)),
    "public:report-status": ("/check/report", same_for_all(302)),
    "public:report-withdraw": ("/check/withdraw", same_for_all(302)),
    "public:report-leave": ("/check/leave", same_for_all(405)),
    "public:report-lost-code": ("/check/lost-code", same_for_all(200)),
    "public:report-verify-email": ("/check/verify-email/forged", same_for_all(400)),
    "public:report-recover": ("/check/recover/forged", same_for_all(400)),
    "set-language": ("/language/cy?next=/", same_for_all(302)),
    "staff:home": ("/staff/", staff_only()),
    "staff:tokens": ("/staff/tokens", roles_only(Role.ADMINISTRATOR)),
    "staff:token-revoke": (
        "/staff/tokens/999/revoke",
        {**roles_only(Role.ADMINISTRATOR), str(Role.ADMINISTRATOR): 404},
    ),
    # Any member of staff sees the tokens that act for them; a token that does not exist is
    # hidden alike from all (the rule lets its handler, or an administrator, see one).
    "staff:tokens-mine": ("/staff/tokens/mine", staff_only()),
    "staff:token-approve": ("/staff/tokens/999/approve", staff_only(404)),
    "staff:token-refuse": ("/staff/tokens/999/refuse", staff_only(404)),
    # People: administrators manage accounts; oversight and administrators review access.
    # Nobody has account 999 or request 999, so administrators are answered 404 there.
    "staff:people": ("/staff/people", roles_only(Role.ADMINISTRATOR)),
    "staff:role-requests": ("/staff/people/requests", roles_only(Role.ADMINISTRATOR)),
    "staff:role-request": (
        "/staff/people/requests/999",
        {**roles_only(Role.ADMINISTRATOR), str(Role.ADMINISTRATOR): 404},
    ),
    "staff:person": (
        "/staff/people/999",
        {**roles_only(Role.ADMINISTRATOR), str(Role.ADMINISTRATOR): 404},
    ),
    "staff:person-grant": (
        "/staff/people/999/grant",
        {**roles_only(Role.ADMINISTRATOR), str(Role.ADMINISTRATOR): 404},
    ),
    "staff:person-remove-role": (
        "/staff/people/999/roles/999/remove",
        {**roles_only(Role.ADMINISTRATOR), str(Role.ADMINISTRATOR): 404},
    ),
    "staff:person-deactivate": (
        "/staff/people/999/deactivate",
        {**roles_only(Role.ADMINISTRATOR), str(Role.ADMINISTRATOR): 404},
    ),
    "staff:access-review": (
        "/staff/access-review",
        roles_only(Role.OVERSIGHT, Role.ADMINISTRATOR),
    ),
    # Signed-in staff are sent on from the sign-in steps; others see the form or the first step.
    "staff:sign-in": ("/staff/sign-in", same_for_all(200)),
    "staff:sign-in-code": ("/staff/sign-in/code", same_for_all(302)),
    "staff:set-up-authenticator": ("/staff/sign-in/set-up-authenticator", same_for_all(302)),
    "staff:sign-out": ("/staff/sign-out", same_for_all(405)),
    # Passkeys: each member of staff manages their own (another's is answered as missing); the
    # sign-in and options endpoints take only POST.
    "staff:passkeys": ("/staff/passkeys", staff_only()),
    "staff:passkey-add": ("/staff/passkeys/add", staff_only()),
    "staff:passkey-options": ("/staff/passkeys/options", staff_only(405)),
    "staff:passkey-remove": ("/staff/passkeys/999/remove", staff_only(404)),
    "staff:sign-in-passkey": ("/staff/sign-in/passkey", same_for_all(405)),
    "staff:sign-in-passkey-options": ("/staff/sign-in/passkey/options", same_for_all(405)),
    # Single sign-on is off unless configured (tests/browser/test_single_sign_on.py turns it on).
    "staff:sign-in-provider": ("/staff/sign-in/provider", same_for_all(404)),
    "staff:sign-in-provider-callback": ("/staff/sign-in/provider/callback", same_for_all(404)),
    # Invitations: administrators only; the enrolment pages are for a link's holder, and
    # without a working link they refuse it (or, for the last step, lead back to sign in).
    "staff:invitations": ("/staff/invitations", roles_only(Role.ADMINISTRATOR)),
    "staff:invite": ("/staff/invitations/new", roles_only(Role.ADMINISTRATOR)),
    "staff:invitation-withdraw": (
        "/staff/invitations/999/withdraw",
        {**roles_only(Role.ADMINISTRATOR), str(Role.ADMINISTRATOR): 404},
    ),
    "staff:invitation-send-again": (
        "/staff/invitations/999/send-again",
        {**roles_only(Role.ADMINISTRATOR), str(Role.ADMINISTRATOR): 404},
    ),
    "staff:enrol-link": ("/staff/enrol/forged", same_for_all(400)),
    "staff:enrol": ("/staff/enrol", same_for_all(400)),
    "staff:enrol-authenticator": ("/staff/enrol/authenticator", same_for_all(400)),
    "staff:enrol-done": ("/staff/enrol/done", same_for_all(302)),
    "api:api-root": ("/api/", same_for_all(404)),
    "api:openapi-json": ("/api/openapi.json", same_for_all(200)),
    "api:openapi-view": ("/api/docs", same_for_all(200)),
    "api:health": ("/api/health", same_for_all(200)),
    # API operations answer tokens, not sessions; their own matrix is in test_api_tokens.
    "api:describe_token": ("/api/token", same_for_all(401)),
    "api:make_report": ("/api/reports", same_for_all(405)),
    "api:my_report": ("/api/reports/me", same_for_all(401)),
}

# Each app keeps its routes' rows beside its own tests, in tests/<app>/access_matrix.py as
# ``ROWS`` (built with the helpers above), so the matrix grows with the routes.
for _module in sorted(Path(__file__).parent.parent.glob("*/access_matrix.py")):
    MATRIX.update(importlib.import_module(f"tests.{_module.parent.name}.access_matrix").ROWS)

# Last: starting a report makes a draft, which changes what the wizard's pages answer.
MATRIX["public:report-begin"] = ("/report/start", same_for_all(302))


def all_routes(
    resolver: URLResolver | None = None, namespace: str = ""
) -> Iterator[tuple[str, Any]]:
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from all_routes(entry, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", entry.callback


def test_every_route_is_in_the_matrix() -> None:
    names = {name for name, _ in all_routes()}
    missing = names - MATRIX.keys()
    stale = MATRIX.keys() - names
    assert not missing, f"routes without an access-matrix row: {sorted(missing)}"
    assert not stale, f"matrix rows for routes that no longer exist: {sorted(stale)}"


def test_every_view_declares_who_may_reach_it() -> None:
    undeclared = [
        name
        for name, callback in all_routes()
        if not name.startswith("api:") and declared_access(callback) is None
    ]
    assert undeclared == [], "views must use @public or @requires(...)"


@pytest.mark.parametrize("who", EVERYONE)
def test_each_visitor_gets_the_expected_answer_everywhere(who: str) -> None:
    cache.clear()
    client = Client()
    if who != ANONYMOUS:
        roles = [] if who == NO_ROLE else [Role(who)]
        sign_in(client, make_staff(f"user-{who}".replace(" ", "-"), *roles))
    answers = {name: client.get(path).status_code for name, (path, _) in MATRIX.items()}
    expected = {name: row[who] for name, (_, row) in MATRIX.items()}
    assert answers == expected
