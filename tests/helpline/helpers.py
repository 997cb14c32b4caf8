"""Cases and advisers made quickly for the helpline's tests: a case received through the real
action, its allegation sealed under the case's key, with a clock on a plain working week."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from redress.accounts.models import Role, User
from redress.cases import actions
from redress.cases.models import Case, Category, Identity
from redress.directory.models import Person, PersonKind
from tests.factories import make_staff

# A Monday clear of public holidays: two working days on is Wednesday.
MONDAY = dt.datetime(2027, 1, 11, 10, 0, tzinfo=dt.UTC)
ALLEGATION = "He cornered me by the lifts on the fourth floor and grabbed my wrist."


def case(*, notified: bool = False, identity: str = Identity.ANONYMOUS) -> Case:
    respondent = Person.objects.create(
        identifier=f"M-{Person.objects.count() + 1}", name="Ivy Fictional", kind=PersonKind.MEMBER
    )
    made = actions.receive(
        category=Category.HARASSMENT,
        identity=Identity(identity),
        narrative=ALLEGATION,
        respondent=respondent,
    )
    if notified:
        Case.objects.filter(pk=made.pk).update(
            stage="investigation", respondent_notified_at=timezone.now()
        )
    return Case.objects.select_related("data_key").get(pk=made.pk)


def adviser(name: str = "ada") -> User:
    return make_staff(name, Role.SUPPORT_ADVISER)
