"""Reading a case's sealed content: every read is ledgered by the act that returns it."""

from __future__ import annotations

from django.db import transaction

from redress.accounts.models import User
from redress.cases.actions.base import _obj, _ref
from redress.cases.models import Case
from redress.ledger.services import append


def read_content(case: Case, *, actor: User) -> dict[str, str | None]:
    """The case's sealed content for a permitted reader; the read is ledgered first.

    The ledger entry and the decryption happen in one transaction: if the entry cannot be
    written, nothing is shown.
    """
    with transaction.atomic():
        append(actor=_ref(actor), action="case.viewed", obj=_obj(case))
        return {
            "narrative": case.narrative,
            "respondent_description": case.respondent_description,
            "details": case.details,
        }
