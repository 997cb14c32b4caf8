"""The ledger as a transparency log: formats, proofs and checks, with no Django and no Redress.

This one file needs only the Python standard library and PyNaCl, so it can be handed on its own
to anyone who wants to check Redress's log without trusting Redress: a complainant or their
adviser, an assurance board, a union, a newspaper running a witness. It implements, to the letter:

- RFC 6962 / RFC 9162 section 2.1: the Merkle tree's hashing and the checking of inclusion and
  consistency proofs (`leaf_hash`, `node_hash`, `verify_inclusion`, `verify_consistency`).

Every malformed or false input raises a `TlogError` (or a subclass) whose message is a plain
sentence fit to show to whoever sent the input; its ``status`` is the HTTP status a server should
answer with (400 malformed, 403 not signed by a known key, 404 unknown log, 409 conflict, 413 too
large, 422 a proof that does not verify).

Coordinates. A *complete subtree* is the subtree of 2**level leaves starting at leaf
``index * 2**level``; its hash is MTH of those leaves. Level 0 holds the leaf hashes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence

__all__ = [
    "EMPTY_ROOT",
    "ConsistencyError",
    "InclusionError",
    "MalformedError",
    "ProofError",
    "QuorumError",
    "SignatureError",
    "TlogError",
    "TooLarge",
    "UnknownLog",
    "WitnessConflict",
    "leaf_hash",
    "node_hash",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH of the empty tree: SHA-256 of nothing (RFC 6962 section 2.1)."""

MAX_TREE_SIZE = 1 << 64
"""Tree sizes and indexes are unsigned 64-bit numbers; anything larger is refused."""

MAX_PROOF_HASHES = 64
"""No inclusion or consistency proof in a tree of fewer than 2**64 leaves is longer."""


# ----------------------------------------------------------------------------------------------
# Errors


class TlogError(Exception):
    """Something given to this module is malformed or false; the message says what, plainly."""

    status = 400
    """The HTTP status a server should answer with when a client sent the input."""


class MalformedError(TlogError):
    """The input does not follow the format it claims."""


class TooLarge(MalformedError):
    """The input is larger than this module accepts."""

    status = 413


class SignatureError(TlogError):
    """A note is not signed by a key the reader trusts, or a trusted key's signature is false."""

    status = 403


class UnknownLog(TlogError):
    """A checkpoint names a log (origin) the reader does not know."""

    status = 404


class QuorumError(SignatureError):
    """Fewer witnesses than required cosigned a checkpoint."""


class ProofError(TlogError):
    """A Merkle proof does not verify."""

    status = 422


class InclusionError(ProofError):
    """An inclusion proof does not show the entry in the tree."""


class ConsistencyError(ProofError):
    """A consistency proof does not show one tree growing into the other by appending only."""


class WitnessConflict(TlogError):
    """A witness's record of the log does not match what the request assumes (HTTP 409).

    ``size`` is the tree size of the latest checkpoint the witness cosigned for that log; the
    409 response's body is ``body`` with the content type ``text/x.tlog.size``."""

    status = 409
    content_type = "text/x.tlog.size"

    def __init__(self, message: str, size: int) -> None:
        super().__init__(message)
        self.size = size

    @property
    def body(self) -> bytes:
        return f"{self.size}\n".encode()


# ----------------------------------------------------------------------------------------------
# Small encodings

_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def _parse_uint(text: str, what: str, limit: int = MAX_TREE_SIZE) -> int:
    """A decimal number with no sign and no leading zeros, below ``limit``."""
    if len(text) > 20 or not _DECIMAL.fullmatch(text):
        raise MalformedError(f"{what} must be a decimal number without leading zeros: {text!r}")
    value = int(text)
    if value >= limit:
        raise MalformedError(f"{what} is too large: {text}")
    return value


def _b64decode(text: str, what: str) -> bytes:
    """Standard base64 (RFC 4648 section 4) in its one canonical spelling, padding included.

    Refusing other spellings (such as nonzero unused bits in the last character) means no two
    texts decode to the same bytes, so changing any character of a proof changes what it says."""
    if not _BASE64.fullmatch(text) or len(text) % 4:
        raise MalformedError(f"{what} is not valid base64")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedError(f"{what} is not valid base64") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise MalformedError(f"{what} is not written in canonical base64")
    return raw


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _decode_text(data: str | bytes, what: str, limit: int) -> str:
    """UTF-8 text within ``limit`` bytes, with no control characters other than newline."""
    if isinstance(data, str):
        try:
            raw = data.encode("utf-8")
        except UnicodeEncodeError:
            raise MalformedError(f"{what} is not valid UTF-8") from None
    else:
        raw = bytes(data)
    if len(raw) > limit:
        raise TooLarge(f"{what} is larger than {limit} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedError(f"{what} is not valid UTF-8") from None
    if any(ch < " " and ch != "\n" for ch in text):
        raise MalformedError(f"{what} contains control characters other than newline")
    return text


def _check_hash(value: bytes, what: str) -> bytes:
    if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
        raise MalformedError(f"{what} must be a {HASH_SIZE}-byte hash")
    return bytes(value)


# ----------------------------------------------------------------------------------------------
# RFC 6962 / RFC 9162 section 2.1: the Merkle tree


def leaf_hash(data: bytes) -> bytes:
    """MTH of a one-leaf tree: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _check_proof(proof: Sequence[bytes], what: str) -> list[bytes]:
    if len(proof) > MAX_PROOF_HASHES:
        raise MalformedError(f"{what} has more than {MAX_PROOF_HASHES} hashes")
    return [_check_hash(item, f"each hash of {what}") for item in proof]


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``proof`` shows the leaf with hash ``leaf_hash`` at ``index`` in the tree of
    ``size`` leaves whose root hash is ``root`` (RFC 9162 section 2.1.3.2).

    Returns nothing; raises InclusionError when the proof does not verify."""
    leaf = _check_hash(leaf_hash, "the leaf hash")
    root = _check_hash(root, "the root hash")
    path = _check_proof(proof, "the inclusion proof")
    if not 0 <= index < size or size >= MAX_TREE_SIZE:
        raise InclusionError(f"entry {index} is not within a tree of {size} entries")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise InclusionError("the inclusion proof has more hashes than the tree has levels")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise InclusionError("the inclusion proof has too few hashes for this tree")
    if r != root:
        raise InclusionError("the inclusion proof does not lead to the tree's root hash")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that ``proof`` shows the tree of ``new_size`` leaves with root ``new_root`` to be the
    tree of ``old_size`` leaves with root ``old_root`` with entries appended, and nothing else
    changed (RFC 9162 section 2.1.4.2).

    Every tree extends the empty tree, so for ``old_size`` 0 the proof must be empty and
    ``old_root`` is not consulted; for equal sizes the proof must be empty and the roots equal.
    Returns nothing; raises ConsistencyError when the proof does not verify."""
    path = _check_proof(proof, "the consistency proof")
    new_root = _check_hash(new_root, "the new root hash")
    if not 0 <= old_size <= new_size or new_size >= MAX_TREE_SIZE:
        raise ConsistencyError(
            f"a tree of {new_size} entries cannot extend a tree of {old_size} entries"
        )
    if new_size == 0 and new_root != EMPTY_ROOT:
        raise ConsistencyError("the root hash of the empty tree is the SHA-256 of nothing")
    if old_size == 0:
        if path:
            raise ConsistencyError("a consistency proof from the empty tree must be empty")
        return
    old_root = _check_hash(old_root, "the old root hash")
    if old_size == new_size:
        if path:
            raise ConsistencyError("a consistency proof between equal sizes must be empty")
        if old_root != new_root:
            raise ConsistencyError(
                f"two different root hashes for the same tree size {old_size}: the log forked"
            )
        return
    if not path:
        raise ConsistencyError("the consistency proof is empty")
    if old_size & (old_size - 1) == 0:
        path = [old_root, *path]
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ConsistencyError("the consistency proof has more hashes than it should")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ConsistencyError("the consistency proof has too few hashes")
    if fr != old_root:
        raise ConsistencyError(
            f"the consistency proof does not lead to the old root hash at size {old_size}"
        )
    if sr != new_root:
        raise ConsistencyError(
            f"the consistency proof does not lead to the new root hash at size {new_size}"
        )
