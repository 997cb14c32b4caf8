"""Closed cases made quickly for retention's tests: received through the real action (content
sealed under the case's key, with a message), then closed with an outcome on a given day."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from redress.cases import actions
from redress.cases.models import Case, Category, Identity, Stage
from redress.directory.models import Person, PersonKind
from redress.register.actions import record_outcome

SECRET = "The secretary locked the door behind me"


def person(identifier: str = "M-7", name: str = "Ivy Fictional") -> Person:
    return Person.objects.create(identifier=identifier, name=name, kind=PersonKind.MEMBER)


def closed_case(
    decision: str,
    closed_on: dt.date,
    *,
    category: str = Category.BULLYING,
    respondent: Person | None = None,
    withdrawn: bool = False,
    stage: str = Stage.CLOSED,
) -> Case:
    case = actions.receive(
        category=Category(category),
        identity=Identity.ANONYMOUS,
        narrative=SECRET,
        respondent=respondent,
    )
    actions.receive_message_from_complainant(case, "A further thing happened.")
    when = timezone.make_aware(dt.datetime.combine(closed_on, dt.time(12)))
    Case.objects.filter(pk=case.pk).update(
        stage=stage,
        decision=decision,
        decided_at=when,
        stage_changed_at=when,
        withdrawn_at=when if withdrawn else None,
    )
    if decision in ("upheld", "partly_upheld") and respondent is not None:
        record_outcome(
            person=respondent,
            case_reference=case.reference,
            category=category,
            decision=decision,
            sanction="training",
            decided_on=closed_on,
            actor="system:test",
        )
    return Case.objects.get(pk=case.pk)
