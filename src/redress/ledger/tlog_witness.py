"""The witness protocol (c2sp.org/tlog-witness): the ``add-checkpoint`` request a log sends and
the cosignatures a witness answers with, and the checks a witness makes before it cosigns.

Built on ``tlog`` (standard library and PyNaCl only, no Django), for Redress's witness client
(``ledger.witnesses``) and for ``redress witness``. A complainant's verifier does not need it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from redress.ledger.tlog import (
    EMPTY_ROOT,
    HASH_SIZE,
    MAX_NOTE_BYTES,
    MAX_SIGNATURES,
    Checkpoint,
    ConsistencyError,
    MalformedError,
    Note,
    Signature,
    TooLarge,
    UnknownLog,
    VerifiedCheckpoint,
    VerifiedSignature,
    Verifier,
    WitnessConflict,
    _as_list,
    _as_note,
    _b64,
    _b64decode,
    _decode_text,
    _parse_signature_line,
    _parse_uint,
    parse_checkpoint,
    parse_note,
    verify_checkpoint,
    verify_consistency,
    verify_note,
    witness_verifier,
)

MAX_CONSISTENCY_LINES = 63
"""A client must not send more consistency proof lines than this."""
MAX_WITNESS_REQUEST_BYTES = MAX_NOTE_BYTES + 4096
"""Largest add-checkpoint body accepted: the old size line, 63 hashes and a note."""


@dataclass(frozen=True)
class AddCheckpoint:
    """An add-checkpoint request: the size the client believes the witness last cosigned, the
    consistency proof from that size, and the checkpoint (a signed note, verbatim)."""

    old_size: int
    proof: tuple[bytes, ...]
    checkpoint: str

    def format(self) -> bytes:
        """The request body."""
        if len(self.proof) > MAX_CONSISTENCY_LINES:
            raise TooLarge(f"a request carries at most {MAX_CONSISTENCY_LINES} proof lines")
        lines = [f"old {self.old_size}", *(_b64(h) for h in self.proof)]
        return ("".join(line + "\n" for line in lines) + "\n" + self.checkpoint).encode()


def parse_add_checkpoint(body: bytes) -> AddCheckpoint:
    """Read an add-checkpoint request body (400, or 413 when too large, on any fault)."""
    if len(body) > MAX_WITNESS_REQUEST_BYTES:
        raise TooLarge(f"the request is larger than {MAX_WITNESS_REQUEST_BYTES} bytes")
    text = _decode_text(body, "the request", MAX_WITNESS_REQUEST_BYTES)
    head, sep, checkpoint = text.partition("\n\n")
    if not sep:
        raise MalformedError("the request has no empty line before the checkpoint")
    lines = head.split("\n")
    first = lines[0]
    if not first.startswith("old "):
        raise MalformedError("the request must begin with the line 'old <size>'")
    old_size = _parse_uint(first[4:], "the old size")
    if len(lines) - 1 > MAX_CONSISTENCY_LINES:
        raise TooLarge(f"the request has more than {MAX_CONSISTENCY_LINES} consistency proof lines")
    proof = []
    for line in lines[1:]:
        value = _b64decode(line, "a consistency proof line")
        if len(value) != HASH_SIZE:
            raise MalformedError("a consistency proof line is not a 32-byte hash")
        proof.append(value)
    return AddCheckpoint(old_size, tuple(proof), checkpoint)


def open_add_checkpoint(
    body: bytes, logs: Mapping[str, Iterable[Verifier]]
) -> tuple[AddCheckpoint, VerifiedCheckpoint]:
    """The checks of an add-checkpoint request that need no record of the witness's own.

    ``logs`` maps each known origin to its log keys. Raises MalformedError (400), TooLarge (413),
    UnknownLog (404) for an origin not in ``logs``, SignatureError (403) when no known key of
    that log signed, and MalformedError (400) when the old size exceeds the checkpoint's. The
    witness then calls `check_add_checkpoint` with its record, atomically with storing the new
    checkpoint."""
    request = parse_add_checkpoint(body)
    note = parse_note(request.checkpoint)
    unverified = parse_checkpoint(note.text)
    keys = logs.get(unverified.origin)
    if keys is None:
        raise UnknownLog(f"this witness does not know the log {unverified.origin!r}")
    checked = verify_checkpoint(note, list(keys), origin=unverified.origin)
    if request.old_size > checked.checkpoint.size:
        raise MalformedError(
            f"the old size {request.old_size} is larger than the checkpoint's "
            f"{checked.checkpoint.size}"
        )
    return request, checked


def check_add_checkpoint(
    request: AddCheckpoint, checkpoint: Checkpoint, latest_size: int, latest_root: bytes | None
) -> None:
    """Check a request against the witness's record of the log: the size and root hash of the
    latest checkpoint it cosigned (0 and None when it never cosigned one for that log).

    Raises WitnessConflict (409, with the recorded size) when the old size is not the recorded
    size, or when the sizes are equal but the root hashes differ; ConsistencyError (422) when the
    consistency proof does not verify. When it returns, the witness may store and cosign."""
    if request.old_size != latest_size:
        raise WitnessConflict(
            f"the witness last cosigned this log at size {latest_size}, not {request.old_size}",
            latest_size,
        )
    if latest_size and latest_size == checkpoint.size:
        if latest_root != checkpoint.root:
            raise WitnessConflict(
                f"the witness cosigned a different root hash for size {latest_size}: "
                "the log has forked",
                latest_size,
            )
        if request.proof:
            raise ConsistencyError("a consistency proof between equal sizes must be empty")
        return
    verify_consistency(
        request.old_size,
        checkpoint.size,
        latest_root if latest_root is not None else EMPTY_ROOT,
        checkpoint.root,
        request.proof,
    )


def format_cosignatures(signatures: Iterable[Signature]) -> bytes:
    """A witness's 200 response body: one note signature line per cosignature."""
    return "".join(sig.line for sig in signatures).encode()


def parse_cosignatures(body: bytes) -> list[Signature]:
    """Read a witness's response body: one or more signature lines."""
    text = _decode_text(body, "the witness's response", MAX_NOTE_BYTES)
    if not text or not text.endswith("\n"):
        raise MalformedError("a witness's response is one or more signature lines")
    lines = text[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise TooLarge(f"the response has more than {MAX_SIGNATURES} signatures")
    return [_parse_signature_line(line) for line in lines]


def verify_cosignatures(
    checkpoint: Note | str, body: bytes, witness: Verifier | Iterable[Verifier]
) -> list[VerifiedSignature]:
    """The cosignatures in a witness's response that are by ``witness`` and verify over
    ``checkpoint``; others are ignored. Raises SignatureError when none is, or one is false."""
    note = _as_note(checkpoint)
    keys = [witness_verifier(w) for w in _as_list(witness)]
    return verify_note(Note(note.text, tuple(parse_cosignatures(body))), keys)
