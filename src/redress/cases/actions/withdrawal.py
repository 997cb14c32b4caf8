"""The complainant withdraws their report; the case is kept."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from redress.cases import lifecycle
from redress.cases.actions.base import COMPLAINANT, CaseError, _lock, _obj, _record
from redress.cases.models import Case, RecordKind, Source, Stage
from redress.ledger.append import append, digest_of
from redress.ledger.events import Action


def withdrawal_open(case: Case) -> bool:
    """A report can be withdrawn until it is decided; after that, its outcome stands (and an
    appeal, not a withdrawal, is the way to contest it)."""
    return case.withdrawn_at is None and lifecycle.order(Stage(case.stage)) < lifecycle.order(
        Stage.DECISION
    )


def withdraw(case: Case, reason: str) -> None:
    """The complainant withdraws: the case is kept (nothing is deleted) and marked withdrawn,
    with their reasons, if they gave any, on the file for the handlers to read. Its deadlines
    still run: the handlers close the case, with a decision, as for any other."""
    with transaction.atomic():
        locked = _lock(case)
        if locked.withdrawn_at is not None:
            raise CaseError(_("This report was already withdrawn."))
        if not withdrawal_open(locked):
            raise CaseError(
                _("A decision has been made, so the report can no longer be withdrawn.")
            )
        locked.withdrawn_at = timezone.now()
        locked.save(update_fields=["withdrawn_at"])
        if reason.strip():
            _record(locked, RecordKind.WITHDRAWAL, reason, source=Source.COMPLAINANT, author=None)
        append(
            actor=COMPLAINANT,
            action=Action.CASE_WITHDRAWN,
            obj=_obj(locked),
            digest=digest_of(reason),
        )
    case.withdrawn_at = locked.withdrawn_at
