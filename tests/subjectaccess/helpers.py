"""A small world for subject access tests: a respondent from the directory, a named
complainant who reported them, a witness, and two data protection officers."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from redress.accounts.models import Role, User
from redress.cases import actions as case_actions
from redress.cases.models import Case, Category, Identity
from redress.directory.models import Person, PersonKind
from redress.subjectaccess import actions
from redress.subjectaccess.models import DataRequest, Kind
from tests.factories import make_staff

COMPLAINANT = {
    "contact_name": "Zoë Halloran",
    "contact_email": "zoe.halloran@example.org",
    "contact_phone": "07700 900 123",
}
NARRATIVE = (
    "Rupert Vane shouted at me, Zoë Halloran, in the corridor. Ask zoe.halloran@example.org "
    "or ring 07700900123. Priya Nair saw it."
)


def respondent() -> Person:
    return Person.objects.create(identifier="M-1", name="Rupert Vane", kind=PersonKind.MEMBER)


def officer(username: str = "dpo-one") -> User:
    return make_staff(username, Role.DATA_PROTECTION_OFFICER, password=None)


def reported_case(person: Person | None) -> Case:
    return case_actions.receive(
        category=Category.BULLYING,
        identity=Identity.NAMED,
        narrative=NARRATIVE,
        respondent=person,
        respondent_description="The member for the north ward",
        details={**COMPLAINANT, "witnesses": "Priya Nair, my colleague", "where": "Tea room"},
    )


def request_for(
    name: str,
    *,
    actor: User,
    email: str = "",
    identifier: str = "",
    kind: Kind = Kind.ACCESS,
    received_on: dt.date | None = None,
) -> DataRequest:
    return actions.record(
        kind=kind,
        subject_name=name,
        subject_email=email,
        subject_identifier=identifier,
        identity_check="Passport seen in person",
        received_on=received_on or timezone.localdate(),
        actor=actor,
    )
