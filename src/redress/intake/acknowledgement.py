"""Signed acknowledgements: proof, kept by the complainant, that a report was made and when.

The statement names the case reference, the time received, and the ledger entry (position and
hash) that recorded it, and is signed with the ledger's Ed25519 key, the key that signs published
checkpoints. Anyone holding the acknowledgement and the published public key can check it; the
ledger entry it names shows the report is in the tamper-evident record.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from redress.ledger.checkpoints import format_time
from redress.ledger.keys import sign_statement, trusted_public_keys
from redress.ledger.models import Entry

if TYPE_CHECKING:
    from redress.intake.actions import Submission

KIND = "redress-acknowledgement"
VERSION = 1
# Distinct from checkpoint messages, so one kind of signature can never pass for the other.
DOMAIN = b"redress acknowledgement v1\n"
SIGNED_FIELDS = ("kind", "version", "case", "received_at", "ledger_seq", "ledger_hash")


def _message(statement: dict[str, Any]) -> bytes:
    body = {field: statement[field] for field in SIGNED_FIELDS}
    return DOMAIN + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def acknowledgement_for(submission: Submission) -> dict[str, Any]:
    """The signed statement for a just-committed submission."""
    entry = submission.entry
    return sign(case=submission.case.reference, received_at=format_time(entry.time), entry=entry)


def sign(*, case: str, received_at: str, entry: Entry) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "kind": KIND,
        "version": VERSION,
        "case": case,
        "received_at": received_at,
        "ledger_seq": entry.seq,
        "ledger_hash": entry.hash_hex,
    }
    signature, public_key = sign_statement(_message(statement))
    statement.update(signature=signature.hex(), public_key=public_key, algorithm="Ed25519")
    return statement


class InvalidAcknowledgement(Exception):
    """The file is not a genuine acknowledgement; the message says why."""


def verify(statement: Any, *, check_ledger: bool = True) -> str:
    """Check a statement's signature (and, with ``check_ledger``, the ledger entry it names).

    Returns a one-line description when genuine; raises InvalidAcknowledgement otherwise. Only
    keys this installation trusts are accepted, never the key printed in the file alone.
    """
    if not isinstance(statement, dict) or statement.get("kind") != KIND:
        raise InvalidAcknowledgement("not a Redress acknowledgement")
    try:
        message = _message(statement)
        signature = bytes.fromhex(statement["signature"])
        public_key = str(statement["public_key"]).lower()
    except (KeyError, ValueError, TypeError) as missing:
        raise InvalidAcknowledgement(f"incomplete acknowledgement ({missing})") from None
    if public_key not in trusted_public_keys():
        raise InvalidAcknowledgement("signed with a key this installation does not trust")
    try:
        VerifyKey(bytes.fromhex(public_key)).verify(message, signature)
    except (BadSignatureError, ValueError):
        raise InvalidAcknowledgement("the signature does not match its contents") from None
    if check_ledger:
        entry = Entry.objects.filter(seq=statement["ledger_seq"]).first()
        if entry is None or entry.hash_hex != statement["ledger_hash"]:
            raise InvalidAcknowledgement("the ledger has no matching entry at that position")
        if entry.object != f"case:{statement['case']}" or entry.action != "case.received":
            raise InvalidAcknowledgement(
                "the ledger entry at that position is about something else"
            )
    return (
        f"Genuine: case {statement['case']} received {statement['received_at']}, "
        f"ledger entry {statement['ledger_seq']}"
    )
