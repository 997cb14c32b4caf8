"""Reading a case's sealed content and evidence: every read is ledgered by the act that
returns it."""

from __future__ import annotations

from django.db import transaction

from redress.accounts.models import User
from redress.cases.actions.base import CaseError, _obj, _ref
from redress.cases.models import Attachment, Case
from redress.ledger.append import append
from redress.ledger.events import Action
from redress.vault.storage import EncryptingStorage


def read_content(case: Case, *, actor: User) -> dict[str, str | None]:
    """The case's sealed content for a permitted reader; the read is ledgered first.

    The ledger entry and the decryption happen in one transaction: if the entry cannot be
    written, nothing is shown.
    """
    with transaction.atomic():
        append(actor=_ref(actor), action=Action.CASE_VIEWED, obj=_obj(case))
        return {
            "narrative": case.narrative,
            "respondent_description": case.respondent_description,
            "details": case.details,
        }


def read_evidence(case: Case, attachment: Attachment, *, actor: User) -> bytes:
    """The decrypted file of ``attachment`` on ``case`` for a permitted reader; the read is
    ledgered first, in the same transaction, so a file is never shown unrecorded."""
    if attachment.case_id != case.pk:
        raise CaseError("That evidence is not on this case.")
    with transaction.atomic():
        append(actor=_ref(actor), action=Action.CASE_EVIDENCE_VIEWED, obj=_obj(case))
        return EncryptingStorage().open_sealed(attachment.stored_name, case.data_key)
