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

from django.db import connection, models, transaction

from redress.cases import policy as policies
from redress.cases import schedule
from redress.cases.actions.evidence import SealedFile, staged
from redress.cases.models import Case, Category, Identity
from redress.core.oneshot import OneStatement
from redress.directory.models import Person
from redress.ledger.append import append, digest_of
from redress.ledger.events import Action
from redress.vault.actions import new_data_key
from redress.vault.models import DataKey

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
    beside: Callable[[Case], Sequence[models.Model]] | None = None,
    actor: str = "complainant",
) -> Case:
    """Record a new complaint, all or nothing: its data key, sealed content, first deadlines,
    evidence, and the ledger entry that proves when it was received.

    ``data_key`` lets a draft's key become the case's, so evidence sealed while the report was
    being written (``evidence``) needs no re-encryption; without it the case gets a new key.
    ``beside`` builds, unsaved, the rows the front door keeps beside the case (intake's
    receipt), each with a foreign key ``case`` to it; they are written with the case. The
    ledger entry comes last, so the ledger's lock is held only for the entry and the commit.
    """
    reference = new_reference()
    key = data_key or new_data_key(f"case:{reference}", save=False)
    case = Case(
        reference=reference,
        data_key=key,
        category=category,
        identity=identity,
        respondent=respondent,
    )
    case.narrative = narrative
    case.respondent_description = respondent_description or None
    case.details = json.dumps(details or {}, sort_keys=True)
    policy = policies.current()
    deadlines = [schedule.build(case, kind, policy=policy) for kind in schedule.FIRST_KINDS]
    attachments = staged(case, evidence)
    kept = list(beside(case)) if beside is not None else []
    _write(
        new_key=None if data_key is not None else key,
        case=case,
        rows=[deadlines, attachments, kept],
        actor=actor,
        digest=digest_of(narrative),
    )
    return case


# Names for the statement's parts (lowercase letters only), one for each row written singly.
_NAMES = [first + second for first in "abcdefghij" for second in "abcdefghij"]


def _write(
    *,
    new_key: DataKey | None,
    case: Case,
    rows: Sequence[Sequence[models.Model]],
    actor: str,
    digest: str,
) -> None:
    """Write a new case's rows and its ``case.received`` entry together.

    On PostgreSQL they go as one statement with the entry appended as its last part: one round
    trip, and outside a transaction one commit, where the ORM would take ten. Elsewhere the ORM
    writes them in one transaction. Both write the same rows (tests/intake compare them).
    """
    obj = f"case:{case.reference}"
    if connection.vendor == "postgresql":
        statement = OneStatement()
        if new_key is not None:
            statement.insert("new_key", [new_key])
        statement.insert("new_case", [case], returning="id")
        deadlines, *others = rows
        for row in [*deadlines, *(row for group in others for row in group)]:
            row.case_id = statement.ref("new_case")  # type: ignore[attr-defined]
        statement.insert("new_deadlines", deadlines)
        # Evidence and the rows kept beside come back with their ids, as from the ORM.
        for number, row in enumerate(row for group in others for row in group):
            statement.insert(f"new_row_{_NAMES[number]}", [row], returning="id")
        append(actor=actor, action=Action.CASE_RECEIVED, obj=obj, digest=digest, rows=statement)
        for group in rows:
            for row in group:
                row.case = case  # type: ignore[attr-defined]
        return
    with transaction.atomic():
        if new_key is not None:
            new_key.save(force_insert=True)
        case.save()
        for group in rows:
            if group:
                type(group[0])._default_manager.bulk_create(group)
        append(actor=actor, action=Action.CASE_RECEIVED, obj=obj, digest=digest)
