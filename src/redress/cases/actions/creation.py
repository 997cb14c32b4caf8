"""Receiving a complaint: the one way a case is made.

Intake (the wizard and the API), escrow and the demo all call ``receive``; it writes the case,
its first deadlines, its evidence, whatever the front door keeps beside the case, and the
``case.received`` ledger entry, in one transaction.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction

from redress.cases import schedule
from redress.cases.actions.evidence import SealedFile, save_staged
from redress.cases.models import Case, Category, Identity
from redress.directory.models import Person
from redress.ledger.append import append, digest_of
from redress.ledger.events import Action
from redress.vault.models import DataKey
from redress.vault.services import new_data_key

# Crockford's base-32 alphabet: no I, L, O or U, so references read aloud without confusion.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference() -> str:
    """``R-7KQ2-M9XD``: 40 random bits, five to a symbol, so every symbol is equally likely in
    every place (one read of the system's randomness, not one per symbol)."""
    number = secrets.randbits(40)
    body = "".join(_ALPHABET[(number >> (5 * place)) & 0b11111] for place in range(8))
    return f"R-{body[:4]}-{body[4:]}"


def receive(
    *,
    category: Category,
    identity: Identity,
    narrative: str,
    respondent: Person | None = None,
    respondent_description: str = "",
    details: dict[str, Any] | None = None,
    data_key: DataKey | None = None,
    evidence: Sequence[SealedFile] = (),
    keep_beside: Callable[[Case], object] | None = None,
    actor: str = "complainant",
) -> Case:
    """Record a new complaint, all or nothing: its data key, sealed content, first deadlines,
    evidence, and the ledger entry that proves when it was received.

    ``data_key`` lets a draft's key become the case's, so evidence sealed while the report was
    being written (``evidence``) needs no re-encryption; without it the case gets a new key.
    ``keep_beside`` writes, in the same transaction, what the front door keeps beside the case
    (intake's receipt and the draft's link to the case). The ledger entry comes last, so the
    ledger's lock is held only for the entry and the commit.
    """
    with transaction.atomic():
        reference = new_reference()
        case = Case(
            reference=reference,
            data_key=data_key or new_data_key(f"case:{reference}"),
            category=category,
            identity=identity,
            respondent=respondent,
        )
        case.narrative = narrative
        case.respondent_description = respondent_description or None
        case.details = json.dumps(details or {}, sort_keys=True)
        case.save()
        schedule.start(case, *schedule.FIRST_KINDS)
        save_staged(case, evidence)
        if keep_beside is not None:
            keep_beside(case)
        append(
            actor=actor,
            action=Action.CASE_RECEIVED,
            obj=f"case:{case.reference}",
            digest=digest_of(narrative),
        )
    return case
