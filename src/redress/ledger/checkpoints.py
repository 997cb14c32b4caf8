"""Signed checkpoints over the chain's head: made by the worker, exported for publication.

A checkpoint says the chain's entry ``seq`` had hash ``hash`` at ``time``, signed with the
ledger's Ed25519 key (``ledger.keys``) over ``encoding.checkpoint_message``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from redress.ledger.encoding import GENESIS_HASH, checkpoint_message, micros
from redress.ledger.errors import LedgerBrokenError, LedgerError
from redress.ledger.keys import SIGNATURE_ALGORITHM, signature_ok, signing_key, trusted_public_keys
from redress.ledger.models import Checkpoint, Head
from redress.ledger.verification import walk_from


def make_checkpoint() -> Checkpoint | None:
    """Sign the current head (seq, hash, time) with the ledger's Ed25519 key and store it.

    Returns None when there is nothing new to sign (no entries, or none since the newest
    checkpoint) or when a concurrent caller signed the same head first.

    Refuses to sign a chain it cannot vouch for: it first checks the newest checkpoint's signature
    and re-verifies every entry since it (raising ``LedgerBrokenError``). Entries appended after the
    newest checkpoint are protected only by the next one: until then, someone who can write to the
    database could rewrite them consistently.
    """
    head = Head.objects.filter(pk=1).first()
    if head is None or head.seq <= 0:
        return None
    latest = Checkpoint.objects.order_by("-seq").first()
    if latest is not None and latest.seq >= head.seq:
        return None
    key = signing_key()
    start_seq, start_hash = 0, GENESIS_HASH
    if latest is not None:
        if not signature_ok(latest, trusted_public_keys(key)):
            raise LedgerBrokenError(latest.seq, "bad checkpoint signature")
        start_seq, start_hash = latest.seq, bytes(latest.hash)
    walk = walk_from(start_seq, start_hash, head.seq)
    if walk.fault is not None:
        raise LedgerBrokenError(*walk.fault)
    if walk.last_hash != bytes(head.hash):
        raise LedgerBrokenError(head.seq, "changed")
    now = timezone.now()
    message = checkpoint_message(head.seq, micros(now), walk.last_hash)
    try:
        with transaction.atomic():
            return Checkpoint.objects.create(
                seq=head.seq,
                hash=walk.last_hash,
                time=now,
                signature=key.sign(message).signature,
                public_key=key.verify_key.encode().hex(),
            )
    except IntegrityError:
        return None


def export_checkpoint() -> dict[str, Any]:
    """The newest checkpoint as a JSON-ready dict for publication.

    Keys: ``seq``, ``hash`` (hex), ``time`` (ISO 8601 UTC), ``time_us``, ``signature`` (hex),
    ``public_key`` (hex), ``algorithm`` ("Ed25519") and ``signed_message`` (hex of the exact bytes
    signed, see ``redress.ledger.encoding``), so anyone can check it with any Ed25519 tool.
    Refuses (``LedgerError``) when no checkpoint has been made yet.
    """
    latest = Checkpoint.objects.order_by("-seq").first()
    if latest is None:
        raise LedgerError("no checkpoint has been made yet")
    return checkpoint_as_dict(latest)


def checkpoint_as_dict(checkpoint: Checkpoint) -> dict[str, Any]:
    """One checkpoint in the published form described by ``export_checkpoint``."""
    time_us = micros(checkpoint.time)
    chain_hash = bytes(checkpoint.hash)
    return {
        "seq": checkpoint.seq,
        "hash": chain_hash.hex(),
        "time": format_time(checkpoint.time),
        "time_us": time_us,
        "signature": bytes(checkpoint.signature).hex(),
        "public_key": checkpoint.public_key,
        "algorithm": SIGNATURE_ALGORITHM,
        "signed_message": checkpoint_message(checkpoint.seq, time_us, chain_hash).hex(),
    }


def format_time(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with a Z, to the microsecond when there is one."""
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
