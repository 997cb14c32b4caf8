"""Staff pages name roles as people say them ("Vetting officer", "Swyddog fetio"), never by the
values the code stores ("vetting_officer"): the people pages, role requests, invitations, tokens,
the home page, the queue's filter, and the emails that tell someone their roles changed."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from redress.accounts import invitations, roles, tokens
from redress.accounts.models import Role, RoleGrant, RoleRequest, Scope, User
from redress.cases import actions
from redress.cases.models import Assignment, AssignmentRole, Category, Identity
from tests.factories import make_staff, sign_in

pytestmark = pytest.mark.django_db

# The stored values that are not also words ("caseworker" and "oversight" read the same).
RAW = sorted({r.value for r in [*Role, *AssignmentRole] if "_" in r.value})
NAMES = {
    "en": ["Vetting officer", "Data protection officer", "Appeals panel", "Decision-maker"],
    "cy": ["Swyddog fetio", "Swyddog diogelu data", "Panel apeliadau"],
}


def text_of(html: str) -> str:
    """What a reader sees: the page without its tags, attributes, scripts or styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]*>", " ", html)


@pytest.fixture
def people() -> dict[str, Any]:
    """An administrator; a person holding every other role, with oversight asked for; an
    invitation with three roles; a token that acts for the person; a case they decide."""
    admin = make_staff("admin", Role.ADMINISTRATOR)
    everyone = make_staff(
        "all", *[r for r in Role if r not in {Role.ADMINISTRATOR, Role.OVERSIGHT}]
    )
    second = make_staff("admin2", Role.ADMINISTRATOR, totp=False, password=None)
    roles.request(everyone, Role.OVERSIGHT, actor=second, reason="audits")
    invitations.invite(
        "new@example.org",
        "New Starter",
        [Role.VETTING_OFFICER, Role.DATA_PROTECTION_OFFICER, Role.APPEALS_PANEL],
        actor=admin,
    )
    tokens.issue(name="cms", scopes=[Scope.CASES_READ], actor=admin, acts_for=everyone)
    case = actions.receive(category=Category.OTHER, identity=Identity.ANONYMOUS, narrative="x")
    actions.assign(case, everyone, AssignmentRole.DECISION_MAKER, actor="system:test")
    grant = RoleGrant.objects.get(user=everyone, role=Role.VETTING_OFFICER)
    asked = RoleRequest.objects.get(user=everyone)
    return {
        "admin": admin,
        "everyone": everyone,
        "pages": [
            "/staff/people",
            f"/staff/people/{everyone.pk}",
            f"/staff/people/{everyone.pk}/grant",
            f"/staff/people/{everyone.pk}/roles/{grant.pk}/remove",
            "/staff/people/requests",
            f"/staff/people/requests/{asked.pk}",
            "/staff/access-review",
            "/staff/invitations",
            "/staff/invitations/new",
            "/staff/tokens",
        ],
    }


def raw_values_in(client: Client, paths: list[str]) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        page = client.get(path)
        assert page.status_code == 200, path
        shown = text_of(page.content.decode())
        raw = [value for value in RAW if value in shown]
        if raw:
            found[path] = raw
    return found


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_administrators_pages_name_roles(people: dict[str, Any], language: str) -> None:
    client = Client()
    sign_in(client, people["admin"])
    client.cookies["django_language"] = language
    assert raw_values_in(client, people["pages"]) == {}
    person = text_of(client.get(f"/staff/people/{people['everyone'].pk}").content.decode())
    invited = text_of(client.get("/staff/invitations").content.decode())
    for name in NAMES[language][:2]:
        assert name in person
    for name in NAMES[language][:3]:
        assert name in invited


@pytest.mark.parametrize("language", ["en", "cy"])
def test_a_handler_sees_their_roles_by_name(people: dict[str, Any], language: str) -> None:
    client = Client()
    sign_in(client, people["everyone"])
    client.cookies["django_language"] = language
    assert raw_values_in(client, ["/staff/", "/staff/cases", "/staff/tokens/mine"]) == {}
    home = text_of(client.get("/staff/").content.decode())
    for name in NAMES[language]:
        assert name in home


def test_emails_about_roles_name_them(
    people: dict[str, Any], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    newcomer = make_staff("newcomer", totp=False, password=None)
    newcomer.email = "newcomer@example.org"
    newcomer.save()
    with django_capture_on_commit_callbacks(execute=True):
        grant = roles.grant(
            newcomer, Role.DATA_PROTECTION_OFFICER, actor=people["admin"], reason="cover"
        )
        roles.revoke(grant, actor=people["admin"], reason="moved on")
    bodies = "\n".join(message.body for message in mail.outbox)
    assert bodies.count("Data protection officer") == 2
    assert [value for value in RAW if value in bodies] == []


def test_records_print_as_their_role_names(people: dict[str, Any]) -> None:
    everyone: User = people["everyone"]
    assert "Vetting officer" in str(RoleGrant.objects.get(user=everyone, role="vetting_officer"))
    assert "Oversight" in str(RoleRequest.objects.get(user=everyone))
    assert "Decision-maker" in str(Assignment.objects.get(user=everyone))
