"""The ledger's canonical encodings: what is hashed for an entry, and signed for a checkpoint.

Entry encoding, version 1 (all integers big-endian)::

    header  = u8 version (=1) | i64 seq | i64 time_us
              | u32 len(prev_hash) | u32 len(actor) | u32 len(action) | u32 len(object)
              | u32 len(digest)
    payload = prev_hash | actor | action | object | digest
    hash    = SHA-256(header | payload)

``time_us`` is the entry's time as integer microseconds since 1970-01-01T00:00:00Z; ``prev_hash``
is the 32 raw bytes of the previous entry's hash (32 zero bytes before the first entry); the text
fields are UTF-8 and ``digest`` is the ASCII hex text exactly as stored (empty when absent). Every
variable-length part has its length in the fixed-size header, so no two different entries share an
encoding, and the whole encoding is one ``struct.pack`` and one ``bytes.join``: cheap to recompute
in a tight loop.

Checkpoint message, version 1::

    b"redress-ledger-checkpoint-v1" | i64 seq | i64 time_us | 32-byte hash

It is what the Ed25519 signature covers, so anyone holding an exported checkpoint and the public key
can check it with any Ed25519 implementation.

Log entry, version 1: what the published transparency log holds for each ledger entry::

    log_entry = SHA-256(b"redress-log-entry-v1" | salt | hash)

``salt`` is the entry's own 32 secret random bytes and ``hash`` its chain hash (which covers
every field and, through ``prev_hash``, all history). The log reveals only that an entry exists:
without the salt nobody can confirm a guess about it. Its RFC 6962 leaf hash is
SHA-256(0x00 | log_entry).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import struct

ENCODING_VERSION = 1
HASH_SIZE = 32
GENESIS_HASH = bytes(HASH_SIZE)
HEADER = struct.Struct(">BqqIIIII")
CHECKPOINT_TAG = b"redress-ledger-checkpoint-v1"
CHECKPOINT_HEADER = struct.Struct(">qq")
LOG_ENTRY_TAG = b"redress-log-entry-v1"
SALT_SIZE = 32

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
ONE_MICROSECOND = dt.timedelta(microseconds=1)


def micros(moment: dt.datetime) -> int:
    """Integer microseconds since the Unix epoch; refuses naive datetimes (ValueError)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("ledger times must be timezone-aware")
    return (moment - EPOCH) // ONE_MICROSECOND


def from_micros(time_us: int) -> dt.datetime:
    """The aware UTC datetime for integer microseconds since the Unix epoch."""
    return EPOCH + dt.timedelta(microseconds=time_us)


def encode_entry(
    seq: int,
    time_us: int,
    prev_hash: bytes,
    actor: bytes,
    action: bytes,
    obj: bytes,
    digest: bytes,
) -> bytes:
    """The canonical bytes of one entry (see the module docstring)."""
    header = HEADER.pack(
        ENCODING_VERSION,
        seq,
        time_us,
        len(prev_hash),
        len(actor),
        len(action),
        len(obj),
        len(digest),
    )
    return b"".join((header, prev_hash, actor, action, obj, digest))


def entry_hash(
    seq: int,
    time_us: int,
    prev_hash: bytes,
    actor: bytes,
    action: bytes,
    obj: bytes,
    digest: bytes,
) -> bytes:
    """SHA-256 of the canonical encoding: the 32-byte hash stored with the entry."""
    return hashlib.sha256(
        encode_entry(seq, time_us, prev_hash, actor, action, obj, digest)
    ).digest()


def checkpoint_message(seq: int, time_us: int, chain_hash: bytes) -> bytes:
    """The bytes an Ed25519 checkpoint signature covers."""
    return CHECKPOINT_TAG + CHECKPOINT_HEADER.pack(seq, time_us) + chain_hash


def log_entry(salt: bytes, chain_hash: bytes) -> bytes:
    """The 32-byte digest the published log holds for the entry with ``salt`` and ``chain_hash``."""
    return hashlib.sha256(LOG_ENTRY_TAG + salt + chain_hash).digest()
