"""Test data builders: staff with roles and a working second factor, and a sample report."""

from __future__ import annotations

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from redress.accounts.models import Role, RoleGrant, User
from redress.accounts.second_factor import current_code

PASSWORD = "correct horse battery staple"

# The smallest report ``POST /api/reports`` accepts. Copy it to change it: {**API_REPORT, ...}.
API_REPORT = {
    "category": "bullying",
    "what_happened": "Shouted at in front of the team, again.",
    "identity": "anonymous",
    "respondent_description": "The office manager",
}


def make_staff(
    username: str, *roles: Role, totp: bool = True, password: str | None = PASSWORD
) -> User:
    """A staff account; ``password=None`` skips Argon2 for tests that never sign in."""
    user = User.objects.create_user(username=username, password=password, display_name=username)
    for role in roles:
        RoleGrant.objects.create(user=user, role=role)
    if totp:
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def sign_in(client: Client, user: User) -> None:
    """Sign ``user`` in through the real two-step form, as a person would."""
    response = client.post("/staff/sign-in", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    response = client.post("/staff/sign-in/code", {"code": current_code(device)})
    assert response.status_code == 302, response.content
