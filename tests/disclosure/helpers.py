"""A confidential complaint as it arrives through the wizard, its team, and a data protection
officer: the people every disclosure test needs."""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from redress.accounts.models import Role, User
from redress.cases.models import AssignmentRole
from redress.disclosure import actions
from redress.disclosure.models import IdentityRequest, Scope
from tests.factories import PASSWORD, make_staff, sign_in
from tests.respond.journey import Journey, reported

RECIPIENT = "The Metropolitan Police"
PURPOSE = "A witness statement for the assault investigation"
REASON = "The police asked for the complainant's details to take a statement."


@dataclass
class Setting:
    journey: Journey
    officer: User  # the data protection officer

    @property
    def caseworker(self) -> User:
        return self.journey.caseworker

    @property
    def maker(self) -> User:
        return self.journey.people[AssignmentRole.DECISION_MAKER]


def setting() -> Setting:
    return Setting(reported(), make_staff("dpo", Role.DATA_PROTECTION_OFFICER))


def ask_outside(s: Setting) -> IdentityRequest:
    return actions.ask(
        s.journey.case,
        by=s.caseworker,
        scope=Scope.OUTSIDE,
        reason=REASON,
        recipient=RECIPIENT,
        purpose=PURPOSE,
    )


def ask_inside(s: Setting) -> IdentityRequest:
    return actions.ask(
        s.journey.case, by=s.caseworker, scope=Scope.INSIDE, reason="To arrange an interview."
    )


def signed_in(user: User) -> Client:
    """A browser with ``user`` signed in through the real form (team handlers are made without
    a password or an authenticator, so they get both here)."""
    if not user.has_usable_password():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    sign_in(client, user)
    return client
