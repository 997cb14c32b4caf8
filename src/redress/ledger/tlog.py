"""The ledger as a transparency log: formats, proofs and checks, with no Django and no Redress.

This one file needs only the Python standard library and PyNaCl, so it can be handed on its own
to anyone who wants to check Redress's log without trusting Redress: a complainant or their
adviser, an assurance board, a union, a newspaper running a witness. It implements, to the letter:

- RFC 6962 / RFC 9162 section 2.1: the Merkle tree's hashing and the checking of inclusion and
  consistency proofs (`leaf_hash`, `node_hash`, `verify_inclusion`, `verify_consistency`);
- c2sp.org/signed-note: key IDs, verifier keys ("vkeys"), signed notes with several signatures,
  signing and verifying (`Verifier`, `parse_vkey`, `NoteSigner`, `Note`, `parse_note`,
  `verify_note`, `sign_note`);
- c2sp.org/tlog-checkpoint: the checkpoint's text (`Checkpoint`, `parse_checkpoint`,
  `verify_checkpoint`, with a quorum of witness cosignatures);
- c2sp.org/tlog-cosignature, version `cosignature/v1` (Ed25519): `CosignatureSigner`,
  `cosignature_message`, `witness_verifier`, `cosignature_timestamp`;
- c2sp.org/tlog-proof, `c2sp.org/tlog-proof@v1` (`TlogProof`, `parse_tlog_proof`,
  `verify_tlog_proof`);

What a verifier does not need is beside it, built on it: the witness protocol in `tlog_witness`
and the tiles a log serves in `tlog_tiles`.

Every malformed or false input raises a `TlogError` (or a subclass) whose message is a plain
sentence fit to show to whoever sent the input; its ``status`` is the HTTP status a server should
answer with (400 malformed, 403 not signed by a known key, 404 unknown log, 409 conflict, 413 too
large, 422 a proof that does not verify).

Coordinates. A *complete subtree* is the subtree of 2**level leaves starting at leaf
``index * 2**level``; its hash is MTH of those leaves. Level 0 holds the leaf hashes.

The acknowledgement file
------------------------

A complainant's acknowledgement is a JSON object (UTF-8):

    {
      "kind": "redress-acknowledgement",
      "version": 2,
      "case": "K7QX-2M4P",
      "received_at": "2025-03-01T10:15:00.123456Z",
      "statement": "<signed note: see Statement>",
      "tlog_proof": "<c2sp.org/tlog-proof@v1 text>",
      "latest": {
        "tlog_proof": "<c2sp.org/tlog-proof@v1 text against a later checkpoint>",
        "consistency": ["<base64 hash>", "..."]
      }
    }

- ``statement`` is a signed note, signed by the log's key, whose text binds the log's origin,
  the case reference, the time the report was received and the 32-byte digest that is the
  report's entry in the log (see `Statement`). It is the authoritative record; ``case`` and
  ``received_at`` are copies for people to read, and must agree with it.
- ``tlog_proof`` proves that the digest is in the log: its ``extra`` line carries the digest (the
  log entry itself, whose leaf hash is SHA-256(0x00 || digest)), then the entry's index, the
  inclusion proof and the checkpoint with its witnesses' cosignatures. It is ``null`` or absent
  while the report waits for the next checkpoint.
- ``latest`` is optional: a proof for the same entry at the same index against a later
  checkpoint, and the consistency proof from the size of ``tlog_proof``'s checkpoint to the later
  one, showing the log grew only by appending since.

The digest reveals nothing of the report: the log's entries are salted digests whose salt is
never published.

Checking an acknowledgement from the command line
-------------------------------------------------

    python tlog.py verify ACK.json --vkey LOG_VKEY [--witness-vkey VKEY ...] [--quorum K]

``--vkey`` is the log's verifier key (as published at ``/log/vkey``) or a file holding it; give it
more than once to accept a retired key as well. ``--witness-vkey`` names a witness you trust;
``--quorum`` is how many of them must have cosigned (all of those named, unless said otherwise).
Exit status 0: every check passed; 1: refused (the reason is printed); 2: the command was used
wrongly or the file could not be read.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nacl.exceptions import CryptoError
from nacl.signing import SigningKey, VerifyKey

__all__ = [
    "COSIGNATURE_V1",
    "ED25519",
    "EMPTY_ROOT",
    "MAX_NOTE_BYTES",
    "MAX_SIGNATURES",
    "TLOG_PROOF_HEADER",
    "Checkpoint",
    "ConsistencyError",
    "CosignatureSigner",
    "InclusionError",
    "MalformedError",
    "Note",
    "NoteSigner",
    "ProofError",
    "QuorumError",
    "Signature",
    "SignatureError",
    "Statement",
    "TlogError",
    "TlogProof",
    "TooLarge",
    "UnknownLog",
    "VerifiedAcknowledgement",
    "VerifiedCheckpoint",
    "VerifiedProof",
    "VerifiedSignature",
    "Verifier",
    "WitnessConflict",
    "cosignature_message",
    "cosignature_timestamp",
    "format_vkey",
    "key_id",
    "leaf_hash",
    "main",
    "node_hash",
    "parse_checkpoint",
    "parse_note",
    "parse_statement",
    "parse_tlog_proof",
    "parse_vkey",
    "sign_note",
    "verify_acknowledgement",
    "verify_checkpoint",
    "verify_consistency",
    "verify_inclusion",
    "verify_note",
    "verify_statement",
    "verify_tlog_proof",
    "witness_verifier",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH of the empty tree: SHA-256 of nothing (RFC 6962 section 2.1)."""

MAX_TREE_SIZE = 1 << 64
"""Tree sizes and indexes are unsigned 64-bit numbers; anything larger is refused."""

MAX_PROOF_HASHES = 64
"""No inclusion or consistency proof in a tree of fewer than 2**64 leaves is longer."""

# Signed notes (c2sp.org/signed-note).
ED25519 = 0x01
"""Signature type of plain Ed25519 note signatures."""
COSIGNATURE_V1 = 0x04
"""Signature type of timestamped Ed25519 witness cosignatures (c2sp.org/tlog-cosignature)."""
MAX_SIGNATURES = 100
"""Most signature lines a note may carry; the specification requires accepting at least 16."""
MAX_NOTE_BYTES = 256 * 1024
"""Largest note accepted: room for 16 post-quantum signatures of nearly 5 kB, and more."""
SIGNATURE_PREFIX = "\u2014 "  # em dash, space
TIMESTAMP_LIMIT = (1 << 63) - 1
"""A cosignature's timestamp must not exceed 2**63 - 1."""

# Proofs (c2sp.org/tlog-proof).
TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1"
MAX_TLOG_PROOF_BYTES = MAX_NOTE_BYTES + 4096

# The complainant's acknowledgement.
STATEMENT_HEADER = "redress-acknowledgement/v1"
ACKNOWLEDGEMENT_KIND = "redress-acknowledgement"
ACKNOWLEDGEMENT_VERSION = 2
MAX_ACKNOWLEDGEMENT_BYTES = 4 * MAX_TLOG_PROOF_BYTES


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


# ----------------------------------------------------------------------------------------------
# Signed notes (c2sp.org/signed-note)


def _check_key_name(name: str) -> str:
    """Key names are non-empty, with no Unicode spaces, no plus sign and no control characters."""
    if not isinstance(name, str) or not name:
        raise MalformedError("a key name must not be empty")
    for ch in name:
        if ch.isspace() or ch == "+" or ch < " ":
            raise MalformedError(f"the key name {name!r} has a space, a plus sign or a control")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedError(f"the key name {name!r} is not valid UTF-8") from None
    return name


def key_id(name: str, sig_type: int, public_key: bytes) -> bytes:
    """The 4-byte key ID: SHA-256(key name || 0x0A || signature type || public key)[:4]."""
    _check_key_name(name)
    if not 0 <= sig_type <= 0xFF:
        raise MalformedError("a signature type is one byte")
    return hashlib.sha256(name.encode() + b"\n" + bytes([sig_type]) + public_key).digest()[:4]


def format_vkey(name: str, sig_type: int, public_key: bytes) -> str:
    """A verifier key's text: ``<name>+<key ID hex>+<base64(type || public key)>``."""
    key = _b64(bytes([sig_type]) + public_key)
    return f"{name}+{key_id(name, sig_type, public_key).hex()}+{key}"


def cosignature_message(checkpoint_text: str | bytes, timestamp: int) -> bytes:
    """The bytes a `cosignature/v1` Ed25519 cosignature signs: the header line, the time line and
    the checkpoint's note text (its final newline included, its signature lines not)."""
    if not 0 <= timestamp <= TIMESTAMP_LIMIT:
        raise MalformedError("a cosignature's timestamp must be between 0 and 2**63 - 1")
    body = checkpoint_text.encode() if isinstance(checkpoint_text, str) else checkpoint_text
    return b"cosignature/v1\ntime %d\n" % timestamp + body


@dataclass(frozen=True)
class Verifier:
    """A public key trusted to sign notes: its name, signature type and 32-byte Ed25519 key.

    ``sig_type`` is `ED25519` (0x01) for plain note signatures, such as a log's on its
    checkpoints, or `COSIGNATURE_V1` (0x04) for a witness's timestamped cosignatures. A signature
    line is this key's when both its name and its key ID match."""

    name: str
    sig_type: int
    public_key: bytes
    key_id: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _check_key_name(self.name)
        if self.sig_type not in (ED25519, COSIGNATURE_V1):
            raise MalformedError(
                f"signature type 0x{self.sig_type:02x} is not supported: "
                "only Ed25519 (0x01) and Ed25519 cosignatures (0x04)"
            )
        if not isinstance(self.public_key, bytes) or len(self.public_key) != 32:
            raise MalformedError("an Ed25519 public key is 32 bytes")
        object.__setattr__(self, "key_id", key_id(self.name, self.sig_type, self.public_key))

    @property
    def vkey(self) -> str:
        """This key in the verifier key text format."""
        return format_vkey(self.name, self.sig_type, self.public_key)

    @property
    def is_cosigner(self) -> bool:
        return self.sig_type == COSIGNATURE_V1

    def verify(self, text: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (the bytes after the key ID) is this key's over note ``text``."""
        if self.sig_type == COSIGNATURE_V1:
            if len(signature) != 72:
                return False
            timestamp = int.from_bytes(signature[:8], "big")
            if timestamp > TIMESTAMP_LIMIT:
                return False
            message, raw = cosignature_message(text, timestamp), signature[8:]
        else:
            message, raw = text, signature
        if len(raw) != 64:
            return False
        try:
            VerifyKey(self.public_key).verify(message, raw)
        except (CryptoError, ValueError, TypeError):
            return False
        return True


def parse_vkey(text: str) -> Verifier:
    """Read a verifier key, ``<name>+<key ID hex>+<base64(type || public key)>``.

    The key ID must be 8 hex digits and match the one computed from the name and key; the type
    must be Ed25519 (0x01) or an Ed25519 cosigner (0x04)."""
    if not isinstance(text, str):
        raise MalformedError("a verifier key is text")
    text = text.strip()
    name, sep1, rest = text.partition("+")
    id_hex, sep2, key64 = rest.partition("+")
    if not sep1 or not sep2:
        raise MalformedError("a verifier key reads <name>+<key ID>+<key>")
    _check_key_name(name)
    if not re.fullmatch(r"[0-9a-fA-F]{8}", id_hex):
        raise MalformedError("a verifier key's key ID must be 8 hex digits")
    raw = _b64decode(key64, "the verifier key's public key")
    if len(raw) < 2:
        raise MalformedError("the verifier key holds no public key")
    verifier = Verifier(name, raw[0], raw[1:])
    if verifier.key_id.hex() != id_hex.lower():
        raise MalformedError(
            f"the verifier key's key ID {id_hex} does not match its name and key "
            f"(it should be {verifier.key_id.hex()})"
        )
    return verifier


def witness_verifier(vkey: str | Verifier) -> Verifier:
    """A witness's cosignature key from its verifier key.

    The witness's key is normally given with signature type 0x04; a plain Ed25519 key (0x01) of
    the same name is taken as that witness's cosignature key, with the 0x04 key ID."""
    verifier = parse_vkey(vkey) if isinstance(vkey, str) else vkey
    if verifier.sig_type == COSIGNATURE_V1:
        return verifier
    return Verifier(verifier.name, COSIGNATURE_V1, verifier.public_key)


@dataclass(frozen=True)
class Signature:
    """One signature line of a note: the key's name, its 4-byte key ID and the signature bytes
    that follow the key ID (for a cosignature, the 8-byte timestamp and the 64-byte signature)."""

    name: str
    key_id: bytes
    data: bytes

    @property
    def line(self) -> str:
        """The signature line, newline included."""
        return f"{SIGNATURE_PREFIX}{self.name} {_b64(self.key_id + self.data)}\n"


@dataclass(frozen=True)
class VerifiedSignature:
    """A signature that verified, with the key that made it; ``timestamp`` for cosignatures."""

    signature: Signature
    verifier: Verifier
    timestamp: int | None = None


@dataclass(frozen=True)
class Note:
    """A signed note: its text (ending in a newline) and its signature lines, in order."""

    text: str
    signatures: tuple[Signature, ...]

    def format(self) -> str:
        """The note as text: the text, a blank line, and one line per signature."""
        return self.text + "\n" + "".join(sig.line for sig in self.signatures)

    def with_signatures(self, signatures: Iterable[Signature]) -> Note:
        """This note with more signatures after its own, leaving out exact repeats."""
        combined = list(self.signatures)
        for sig in signatures:
            if sig not in combined:
                combined.append(sig)
        return Note(self.text, tuple(combined))


def _parse_signature_line(line: str) -> Signature:
    if not line.startswith(SIGNATURE_PREFIX):
        raise MalformedError("each signature line must begin with an em dash and a space")
    name, space, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
    if not space:
        raise MalformedError("a signature line reads: em dash, space, key name, space, signature")
    _check_key_name(name)
    raw = _b64decode(encoded, f"the signature of {name}")
    if len(raw) < 5:
        raise MalformedError(f"the signature of {name} is too short")
    return Signature(name, raw[:4], raw[4:])


def parse_note(data: str | bytes, *, limit: int = MAX_NOTE_BYTES) -> Note:
    """Read a signed note (UTF-8 bytes or text), without checking any signature.

    The text is separated from the signatures by the note's last empty line; there must be at
    least one signature line and at most `MAX_SIGNATURES`."""
    text = _decode_text(data, "the note", limit)
    if not text.endswith("\n"):
        raise MalformedError("a note must end with a newline")
    split = text.rfind("\n\n")
    if split < 0:
        raise MalformedError("a note has no blank line between its text and its signatures")
    body, block = text[: split + 1], text[split + 2 :]
    if not block:
        raise MalformedError("the note has no signatures")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise TooLarge(f"the note has more than {MAX_SIGNATURES} signatures")
    return Note(body, tuple(_parse_signature_line(line) for line in lines))


def _as_note(note: Note | str | bytes) -> Note:
    return note if isinstance(note, Note) else parse_note(note)


def _verifier_index(verifiers: Iterable[Verifier]) -> dict[tuple[str, bytes], Verifier]:
    index: dict[tuple[str, bytes], Verifier] = {}
    for verifier in verifiers:
        slot = (verifier.name, verifier.key_id)
        if slot in index and index[slot] != verifier:
            raise TlogError(
                f"two different keys share the name {verifier.name} and key ID "
                f"{verifier.key_id.hex()}: remove one"
            )
        index[slot] = verifier
    return index


def verify_note(note: Note | str | bytes, verifiers: Iterable[Verifier]) -> list[VerifiedSignature]:
    """The note's signatures by the given keys, each checked.

    Signatures whose name and key ID do not both match a given key are ignored. Raises
    SignatureError when a matching signature is false (the whole note is then refused), or when
    no signature matches."""
    parsed = _as_note(note)
    index = _verifier_index(verifiers)
    text = parsed.text.encode()
    verified: list[VerifiedSignature] = []
    for sig in parsed.signatures:
        verifier = index.get((sig.name, sig.key_id))
        if verifier is None:
            continue
        if not verifier.verify(text, sig.data):
            raise SignatureError(f"the signature by {sig.name} (key {sig.key_id.hex()}) is false")
        timestamp = cosignature_timestamp(sig) if verifier.is_cosigner else None
        verified.append(VerifiedSignature(sig, verifier, timestamp))
    if not verified:
        raise SignatureError("the note is not signed by any of the keys it was checked against")
    return verified


class NoteSigner:
    """Signs notes with an Ed25519 key under a key name (signature type 0x01)."""

    def __init__(self, name: str, key: SigningKey) -> None:
        self.name = _check_key_name(name)
        self.key = key
        self.verifier = Verifier(name, ED25519, bytes(key.verify_key.encode()))

    @property
    def vkey(self) -> str:
        return self.verifier.vkey

    def sign(self, text: str | bytes) -> Signature:
        """This key's signature over a note's text."""
        body = text.encode() if isinstance(text, str) else bytes(text)
        return Signature(self.name, self.verifier.key_id, bytes(self.key.sign(body).signature))


class CosignatureSigner:
    """Makes a witness's `cosignature/v1` cosignatures with its Ed25519 key (type 0x04)."""

    def __init__(self, name: str, key: SigningKey) -> None:
        self.name = _check_key_name(name)
        self.key = key
        self.verifier = Verifier(name, COSIGNATURE_V1, bytes(key.verify_key.encode()))

    @property
    def vkey(self) -> str:
        return self.verifier.vkey

    def cosign(self, checkpoint_text: str | bytes, timestamp: int) -> Signature:
        """The cosignature over a checkpoint's note text, made at ``timestamp`` (POSIX seconds)."""
        message = cosignature_message(checkpoint_text, timestamp)
        signed = bytes(self.key.sign(message).signature)
        return Signature(self.name, self.verifier.key_id, timestamp.to_bytes(8, "big") + signed)


def _check_note_text(text: str) -> str:
    _decode_text(text, "the note text", MAX_NOTE_BYTES)
    if not text.endswith("\n"):
        raise MalformedError("a note's text must end with a newline")
    return text


def sign_note(text: str, signers: Iterable[NoteSigner]) -> str:
    """A signed note of ``text`` (which ends with a newline) signed by each of ``signers``."""
    _check_note_text(text)
    signatures = tuple(signer.sign(text) for signer in signers)
    if not signatures:
        raise TlogError("a note needs at least one signature")
    return Note(text, signatures).format()


def cosignature_timestamp(signature: Signature) -> int:
    """The time (POSIX seconds) at which a `cosignature/v1` cosignature says it was made."""
    if len(signature.data) != 72:
        raise MalformedError(f"the cosignature by {signature.name} is not 8 + 64 bytes")
    timestamp = int.from_bytes(signature.data[:8], "big")
    if timestamp > TIMESTAMP_LIMIT:
        raise MalformedError(f"the cosignature by {signature.name} has an impossible timestamp")
    return timestamp


# ----------------------------------------------------------------------------------------------
# Checkpoints (c2sp.org/tlog-checkpoint)


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint's note text: the log's origin, the tree size, the root hash and any
    extension lines (opaque, non-empty; their use is not recommended)."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or any(ch < " " for ch in self.origin):
            raise MalformedError("a checkpoint's origin must be one non-empty line")
        if not 0 <= self.size < MAX_TREE_SIZE:
            raise MalformedError("a checkpoint's tree size must be between 0 and 2**64 - 1")
        _check_hash(self.root, "a checkpoint's root hash")
        for line in self.extensions:
            if not line or any(ch < " " for ch in line):
                raise MalformedError("a checkpoint's extension lines must be non-empty lines")

    def text(self) -> str:
        """The note text to sign."""
        lines = [self.origin, str(self.size), _b64(self.root), *self.extensions]
        return "".join(line + "\n" for line in lines)


def parse_checkpoint(text: str) -> Checkpoint:
    """Read a checkpoint from a note's text (not the whole signed note: see `verify_checkpoint`)."""
    text = _decode_text(text, "the checkpoint", MAX_NOTE_BYTES)
    if not text.endswith("\n"):
        raise MalformedError("a checkpoint's text must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise MalformedError("a checkpoint has at least three lines: origin, tree size, root hash")
    if any(not line for line in lines):
        raise MalformedError("a checkpoint's lines must not be empty")
    size = _parse_uint(lines[1], "the checkpoint's tree size")
    root = _b64decode(lines[2], "the checkpoint's root hash")
    if len(root) != HASH_SIZE:
        raise MalformedError("the checkpoint's root hash is not 32 bytes")
    return Checkpoint(lines[0], size, root, tuple(lines[3:]))


@dataclass(frozen=True)
class VerifiedCheckpoint:
    """A checkpoint whose log signature, and the cosignatures counted, have been checked."""

    checkpoint: Checkpoint
    note: Note
    log_signatures: tuple[VerifiedSignature, ...]
    cosignatures: tuple[VerifiedSignature, ...]

    @property
    def witnesses(self) -> tuple[str, ...]:
        """The names of the witnesses whose cosignatures verified, each once, in note order."""
        return tuple(dict.fromkeys(sig.verifier.name for sig in self.cosignatures))


def _as_list(keys: Verifier | Iterable[Verifier]) -> list[Verifier]:
    return [keys] if isinstance(keys, Verifier) else list(keys)


def verify_checkpoint(
    note: Note | str | bytes,
    log: Verifier | Iterable[Verifier],
    witnesses: Iterable[Verifier] = (),
    quorum: int = 0,
    *,
    origin: str | None = None,
) -> VerifiedCheckpoint:
    """Check a signed checkpoint: signed by one of the log's keys ``log`` (type 0x01; give the
    retired keys too, to accept checkpoints they signed), and cosigned by at least ``quorum`` of
    ``witnesses`` (type 0x04; counted by name, so one witness counts once).

    The origin must be ``origin`` when given, else the name of the log key that signed. Other
    signatures are ignored; a false signature by any of these keys refuses the whole note."""
    parsed = _as_note(note)
    log_keys = _as_list(log)
    witness_keys = [witness_verifier(w) for w in witnesses]
    if not log_keys:
        raise TlogError("no log key was given to check the checkpoint against")
    if any(key.sig_type != ED25519 for key in log_keys):
        raise TlogError("a log's key must be an Ed25519 note key (type 0x01)")
    if quorum < 0 or quorum > len({w.name for w in witness_keys}):
        raise TlogError(
            f"a quorum of {quorum} cannot be met by the {len(witness_keys)} witness keys given"
        )
    verified = verify_note(parsed, [*log_keys, *witness_keys])
    log_sigs = tuple(sig for sig in verified if not sig.verifier.is_cosigner)
    cosigs = tuple(sig for sig in verified if sig.verifier.is_cosigner)
    if not log_sigs:
        raise SignatureError("the checkpoint is not signed by the log's key")
    checkpoint = parse_checkpoint(parsed.text)
    expected = {origin} if origin is not None else {sig.verifier.name for sig in log_sigs}
    if checkpoint.origin not in expected:
        raise UnknownLog(f"the checkpoint is for the log {checkpoint.origin!r}, not this log")
    result = VerifiedCheckpoint(checkpoint, parsed, log_sigs, cosigs)
    if len(result.witnesses) < quorum:
        named = ", ".join(result.witnesses) or "none"
        raise QuorumError(
            f"the checkpoint is cosigned by {len(result.witnesses)} of the witnesses named "
            f"({named}), fewer than the {quorum} required"
        )
    return result


# ----------------------------------------------------------------------------------------------
# Proofs (c2sp.org/tlog-proof)


@dataclass(frozen=True)
class TlogProof:
    """A `c2sp.org/tlog-proof@v1` proof: the entry's index, its inclusion proof (from the
    leaf's sibling up to the root's child), the checkpoint (a signed note, verbatim) and
    optional extra data (for Redress, the 32-byte digest that is the entry)."""

    index: int
    hashes: tuple[bytes, ...]
    checkpoint: str
    extra: bytes | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.index < MAX_TREE_SIZE:
            raise MalformedError("a proof's index must be between 0 and 2**64 - 1")

    def format(self) -> str:
        """The proof as text (its file extension should be ``.tlog-proof``)."""
        lines = [TLOG_PROOF_HEADER]
        if self.extra is not None:
            if not self.extra:
                raise MalformedError("the extra data of a proof must not be empty")
            lines.append(f"extra {_b64(self.extra)}")
        lines.append(f"index {self.index}")
        lines.extend(_b64(_check_hash(h, "a proof hash")) for h in self.hashes)
        return "".join(line + "\n" for line in lines) + "\n" + self.checkpoint


def parse_tlog_proof(data: str | bytes) -> TlogProof:
    """Read a `c2sp.org/tlog-proof@v1` proof, without checking it (see `verify_tlog_proof`)."""
    text = _decode_text(data, "the proof", MAX_TLOG_PROOF_BYTES)
    head, sep, checkpoint = text.partition("\n\n")
    if not sep:
        raise MalformedError("the proof has no empty line before its checkpoint")
    lines = head.split("\n")
    if lines[0] != TLOG_PROOF_HEADER:
        raise MalformedError(f"a proof must begin with the line {TLOG_PROOF_HEADER}")
    position = 1
    extra = None
    if position < len(lines) and lines[position].startswith("extra "):
        extra = _b64decode(lines[position][6:], "the proof's extra data")
        if not extra:
            raise MalformedError("the proof's extra line is empty")
        position += 1
    if position >= len(lines) or not lines[position].startswith("index "):
        raise MalformedError("the proof has no 'index' line")
    index = _parse_uint(lines[position][6:], "the proof's index")
    hashes = lines[position + 1 :]
    if len(hashes) > MAX_PROOF_HASHES:
        raise MalformedError(f"the proof has more than {MAX_PROOF_HASHES} hashes")
    proof = []
    for line in hashes:
        value = _b64decode(line, "an inclusion proof line")
        if len(value) != HASH_SIZE:
            raise MalformedError("an inclusion proof line is not a 32-byte hash")
        proof.append(value)
    parse_note(checkpoint)
    return TlogProof(index, tuple(proof), checkpoint, extra)


@dataclass(frozen=True)
class VerifiedProof:
    """A proof that verified: the entry at ``index`` is in the checkpoint's tree."""

    proof: TlogProof
    entry: bytes
    checkpoint: VerifiedCheckpoint

    @property
    def index(self) -> int:
        return self.proof.index


def verify_tlog_proof(
    proof: TlogProof | str | bytes,
    log: Verifier | Iterable[Verifier],
    witnesses: Iterable[Verifier] = (),
    quorum: int = 0,
    *,
    entry: bytes | None = None,
    origin: str | None = None,
) -> VerifiedProof:
    """Check a proof: its checkpoint as `verify_checkpoint` does, then that the entry (``entry``
    when given, else the proof's extra data) is at the proof's index in the checkpoint's tree.

    When both ``entry`` and extra data are present they must be equal."""
    parsed = proof if isinstance(proof, TlogProof) else parse_tlog_proof(proof)
    checked = verify_checkpoint(parsed.checkpoint, log, witnesses, quorum, origin=origin)
    if entry is None:
        entry = parsed.extra
    elif parsed.extra is not None and parsed.extra != entry:
        raise InclusionError("the proof's extra data is not the entry it was checked for")
    if entry is None:
        raise InclusionError("the proof does not say which entry it is for")
    cp = checked.checkpoint
    verify_inclusion(leaf_hash(entry), parsed.index, cp.size, parsed.hashes, cp.root)
    return VerifiedProof(parsed, entry, checked)


# ----------------------------------------------------------------------------------------------
# The complainant's acknowledgement


@dataclass(frozen=True)
class Statement:
    """What the log's key signs when a report is received: the log's origin, the case
    reference, the time received and the report's 32-byte entry in the log. As note text:

        redress-acknowledgement/v1
        origin <the log's origin>
        case <case reference>
        received <time received>
        entry <base64 of the 32-byte entry>

    Its second line is not a number, so no statement can be taken for a checkpoint."""

    origin: str
    case: str
    received: str
    entry: bytes

    def __post_init__(self) -> None:
        for what, value in (("origin", self.origin), ("case", self.case)):
            if not value or any(ch < " " or ch.isspace() for ch in value):
                raise MalformedError(f"the statement's {what} must be one word")
        if not self.received or any(ch < " " for ch in self.received):
            raise MalformedError("the statement's time received must be one line")
        _check_hash(self.entry, "the statement's entry")

    def text(self) -> str:
        return (
            f"{STATEMENT_HEADER}\norigin {self.origin}\ncase {self.case}\n"
            f"received {self.received}\nentry {_b64(self.entry)}\n"
        )

    def sign(self, signer: NoteSigner) -> str:
        """The statement as a note signed by the log's key."""
        return sign_note(self.text(), [signer])


def parse_statement(text: str) -> Statement:
    """Read a statement's note text."""
    lines = text.split("\n")
    if len(lines) != 6 or lines[0] != STATEMENT_HEADER or lines[5]:
        raise MalformedError(f"a statement is the line {STATEMENT_HEADER} and four fields")
    values = []
    for line, key in zip(lines[1:5], ("origin", "case", "received", "entry"), strict=True):
        if not line.startswith(key + " "):
            raise MalformedError(f"the statement has no {key!r} line where it should")
        values.append(line[len(key) + 1 :])
    entry = _b64decode(values[3], "the statement's entry")
    statement = Statement(values[0], values[1], values[2], entry)
    if statement.text() != text:
        raise MalformedError("the statement is not written in its one canonical form")
    return statement


def verify_statement(note: Note | str | bytes, log: Verifier | Iterable[Verifier]) -> Statement:
    """A statement signed by one of the log's keys, whose origin is that key's name."""
    parsed = _as_note(note)
    keys = _as_list(log)
    verified = verify_note(parsed, keys)
    statement = parse_statement(parsed.text)
    if statement.origin not in {sig.verifier.name for sig in verified}:
        raise SignatureError(f"the statement is about the log {statement.origin!r}, not this log")
    return statement


@dataclass(frozen=True)
class VerifiedAcknowledgement:
    """An acknowledgement whose statement and proofs all verified."""

    statement: Statement
    proof: VerifiedProof
    latest: VerifiedProof | None


def _ack_field(ack: Mapping[str, Any], key: str, kind: type) -> Any:
    value = ack.get(key)
    if not isinstance(value, kind):
        raise MalformedError(f"the acknowledgement's {key!r} is missing or not a {kind.__name__}")
    return value


ACKNOWLEDGEMENT_FIELDS = frozenset(
    {"kind", "version", "case", "received_at", "statement", "tlog_proof", "latest"}
)
LATEST_FIELDS = frozenset({"tlog_proof", "consistency"})


def _only_fields(value: Mapping[str, Any], known: frozenset[str], what: str) -> None:
    unknown = sorted(str(key) for key in value if key not in known)
    if unknown:
        raise MalformedError(f"{what} has a field the format does not have: {unknown[0]!r}")


def verify_acknowledgement(
    ack: Mapping[str, Any] | str | bytes,
    log: Verifier | Iterable[Verifier],
    witnesses: Iterable[Verifier] = (),
    quorum: int = 0,
) -> VerifiedAcknowledgement:
    """Check a complainant's acknowledgement (the JSON object described in this module's
    documentation): the statement is signed by the log; the proof shows the statement's entry in
    a checkpoint of that log cosigned by ``quorum`` of ``witnesses``; and, when present, the
    later proof shows the same entry at the same index in a later checkpoint that extends the
    first by appending only."""
    if isinstance(ack, str | bytes):
        raw = ack.encode() if isinstance(ack, str) else ack
        if len(raw) > MAX_ACKNOWLEDGEMENT_BYTES:
            raise TooLarge("the acknowledgement file is too large")
        try:
            ack = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise MalformedError("the acknowledgement is not valid JSON") from None
    if not isinstance(ack, Mapping):
        raise MalformedError("the acknowledgement is not a JSON object")
    if ack.get("kind") != ACKNOWLEDGEMENT_KIND or ack.get("version") != ACKNOWLEDGEMENT_VERSION:
        raise MalformedError(
            f"this is not a Redress acknowledgement of version {ACKNOWLEDGEMENT_VERSION}"
        )
    # A field the format does not have is refused, not ignored: one changed byte in a field's
    # name must not silently drop what that field says.
    _only_fields(ack, ACKNOWLEDGEMENT_FIELDS, "the acknowledgement")
    if isinstance(ack.get("latest"), Mapping):
        _only_fields(ack["latest"], LATEST_FIELDS, "the acknowledgement's later proof")
    log_keys = _as_list(log)
    witness_keys = [witness_verifier(w) for w in witnesses]
    statement = verify_statement(_ack_field(ack, "statement", str), log_keys)
    for key, value in (("case", statement.case), ("received_at", statement.received)):
        if key in ack and ack[key] != value:
            raise MalformedError(f"the acknowledgement's {key!r} differs from its signed statement")
    if ack.get("tlog_proof") is None:
        raise InclusionError(
            "the statement is genuine, but the file holds no proof that the report is in the "
            "log yet: fetch the proof from the Check your report page"
        )
    proof = verify_tlog_proof(
        _ack_field(ack, "tlog_proof", str),
        log_keys,
        witness_keys,
        quorum,
        entry=statement.entry,
        origin=statement.origin,
    )
    latest_proof = None
    if ack.get("latest") is not None:
        later = _ack_field(ack, "latest", Mapping)
        latest_proof = verify_tlog_proof(
            _ack_field(later, "tlog_proof", str),
            log_keys,
            witness_keys,
            quorum,
            entry=statement.entry,
            origin=statement.origin,
        )
        if latest_proof.index != proof.index:
            raise InclusionError("the later proof puts the report at a different place in the log")
        lines = _ack_field(later, "consistency", list)
        if len(lines) > MAX_PROOF_HASHES or not all(isinstance(line, str) for line in lines):
            raise MalformedError("the consistency proof is not a short list of base64 hashes")
        hashes = [
            _check_hash(_b64decode(line, "a consistency hash"), "each consistency hash")
            for line in lines
        ]
        old, new = proof.checkpoint.checkpoint, latest_proof.checkpoint.checkpoint
        verify_consistency(old.size, new.size, old.root, new.root, hashes)
    return VerifiedAcknowledgement(statement, proof, latest_proof)


def _describe_checkpoint(checked: VerifiedCheckpoint, quorum: int) -> str:
    count = len(checked.witnesses)
    if count:
        names = ", ".join(checked.witnesses)
        plural = "witness" if count == 1 else "witnesses"
        return f"cosigned by {count} {plural} ({names}), {quorum} required"
    return "signed by the log alone: no witness cosignature was checked"


def _read_vkey(value: str) -> str:
    if os.path.isfile(value):
        with open(value, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    return line.strip()
        return ""
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """The standalone verifier: ``python tlog.py verify ACK.json --vkey ...``."""
    parser = argparse.ArgumentParser(
        prog="tlog.py",
        description="Check a Redress acknowledgement against the log's and witnesses' keys.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="check an acknowledgement file")
    verify.add_argument("file", help="the acknowledgement (JSON) to check")
    verify.add_argument(
        "--vkey",
        action="append",
        required=True,
        help="the log's verifier key, or a file holding it (repeat to accept a retired key)",
    )
    verify.add_argument(
        "--witness-vkey",
        action="append",
        default=[],
        help="a witness's verifier key, or a file holding it (repeat for each witness)",
    )
    verify.add_argument(
        "--quorum",
        type=int,
        default=None,
        help="how many of the witnesses named must have cosigned (default: all of them)",
    )
    args = parser.parse_args(argv)
    try:
        with open(args.file, "rb") as handle:
            data = handle.read(MAX_ACKNOWLEDGEMENT_BYTES + 1)
    except OSError as problem:
        print(f"Cannot read {args.file}: {problem.strerror or problem}", file=sys.stderr)
        return 2
    try:
        log_keys = [parse_vkey(_read_vkey(value)) for value in args.vkey]
        witness_keys = [witness_verifier(_read_vkey(value)) for value in args.witness_vkey]
    except (TlogError, OSError) as problem:
        print(f"A key given is not usable: {problem}", file=sys.stderr)
        return 2
    quorum = len({w.name for w in witness_keys}) if args.quorum is None else args.quorum
    try:
        result = verify_acknowledgement(data, log_keys, witness_keys, quorum)
    except TlogError as problem:
        print(f"Refused: {problem}", file=sys.stderr)
        return 1
    statement, proof = result.statement, result.proof
    checkpoint = proof.checkpoint.checkpoint
    print(
        f"Genuine: case {statement.case}, received {statement.received}, "
        f"signed by the log {statement.origin}."
    )
    print(
        f"In the log: entry {proof.index} of the {checkpoint.size} in its checkpoint, "
        f"{_describe_checkpoint(proof.checkpoint, quorum)}."
    )
    if result.latest is not None:
        later = result.latest.checkpoint
        print(
            f"Still there: the log's later checkpoint of {later.checkpoint.size} entries holds "
            f"it at the same place and extends the first by appending only, "
            f"{_describe_checkpoint(later, quorum)}."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
