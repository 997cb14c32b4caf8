"""Receiving a complaint: the case, its first deadlines and the ``case.received`` entry."""

from __future__ import annotations

import json
import secrets
from typing import Any, Required, TypedDict, Unpack

from django.db import transaction

from redress.cases import schedule
from redress.cases.actions.base import CaseError
from redress.cases.models import Case, Category, Identity
from redress.directory.models import Person
from redress.ledger.models import Entry, Pending
from redress.ledger.services import append, digest_of
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


class CaseContent(TypedDict, total=False):
    """What a new case is made of, as the keyword arguments of ``receive``, ``open_case`` and
    ``build_case``. ``data_key`` lets a draft's key become the case's, so evidence sealed while
    the report was being written needs no re-encryption; without it the case gets a new key."""

    category: Required[Category]
    identity: Required[Identity]
    narrative: Required[str]
    respondent: Person | None
    respondent_description: str
    details: dict[str, Any] | None
    data_key: DataKey | None


def receive(*, actor: str = "complainant", **content: Unpack[CaseContent]) -> Case:
    """Record a new complaint: its data key, sealed content and ledger entry, all or nothing."""
    with transaction.atomic():
        case = open_case(**content)
        record_received(case, actor=actor)
    return case


def open_case(**content: Unpack[CaseContent]) -> Case:
    """Save a new case with its sealed content, NOT yet ledgered.

    Only for callers that do more work in the same transaction and then call
    ``record_received`` as their last step, so the ledger's lock is held as briefly as possible.
    Refuses to run outside a transaction.
    """
    if not transaction.get_connection().in_atomic_block:
        raise CaseError("open_case must run inside the transaction that records it")
    case = build_case(**content)
    case.save()
    schedule.start(case, *schedule.FIRST_KINDS)
    return case


def build_case(**content: Unpack[CaseContent]) -> Case:
    """A new case with its content assigned (sealed when it is written), not yet saved.

    For ``open_case`` and for writers that save a whole report in one statement; either way
    the case's first deadlines are ``schedule.first_items(case)``.
    """
    reference = new_reference()
    case = Case(
        reference=reference,
        data_key=content.get("data_key") or new_data_key(f"case:{reference}"),
        category=content["category"],
        identity=content["identity"],
        respondent=content.get("respondent"),
    )
    case.narrative = content["narrative"]
    case.respondent_description = content.get("respondent_description") or None
    case.details = json.dumps(content.get("details") or {}, sort_keys=True)
    return case


def record_received(case: Case, *, actor: str) -> Entry | Pending:
    """The ledger entry that proves when ``case`` was received; call it last in the act."""
    return append(**received_entry(case, actor=actor))


def received_entry(case: Case, *, actor: str) -> dict[str, str]:
    """What the ``case.received`` entry records, as ``append``'s keyword arguments."""
    return {
        "actor": actor,
        "action": "case.received",
        "obj": f"case:{case.reference}",
        "digest": digest_of(case.narrative or ""),
    }
