"""The vault's public API: data keys, sealing and opening content, and crypto-shredding.

Envelope encryption: each subject (a case, an escrow entry) has its own random 256-bit data key,
stored only wrapped by a key-encryption key (KEK) that lives outside the database
(``redress.vault.keks``). Content is sealed with XChaCha20-Poly1305 under the data key, with
associated data naming the data key and a *purpose* (for model fields ``app_label.Model.field``),
so ciphertext copied to another subject, field or file does not open.

Sealed layout: ``version (1 byte) || data key id (16) || nonce (24) || ciphertext || tag (16)``.
The ciphertext is as long as the plaintext: lengths are not hidden.

Unwrapped data keys are kept in a small in-process LRU for a minute so that reading many fields
of one case unwraps once; shredding evicts. Python cannot wipe ``bytes``, so the cache bounds how
long key material stays reachable in memory rather than promising it is erased.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict

from django.db import transaction
from django.utils import timezone

from redress.ledger.append import append, digest_of
from redress.ledger.events import Action
from redress.vault import crypto
from redress.vault.errors import Shredded, VaultError
from redress.vault.keks import Kek, KeyEncryptionKeys, key_encryption_keys
from redress.vault.models import DataKey

__all__ = [
    "Shredded",
    "VaultError",
    "clear_key_cache",
    "new_data_key",
    "open_sealed",
    "seal",
    "shred",
]

SEALED_VERSION = 1
_HEADER_BYTES = 1 + 16
MAX_PURPOSE_LENGTH = 200
MAX_SUBJECT_LENGTH = 200


class _DataKeyCache:
    """A small, thread-safe LRU of unwrapped data keys with a time limit on each entry."""

    def __init__(self, max_entries: int = 256, ttl_seconds: float = 60.0) -> None:
        self.max_entries = max_entries
        self.ttl_seconds = ttl_seconds
        self._entries: OrderedDict[uuid.UUID, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key_id: uuid.UUID) -> bytes | None:
        with self._lock:
            entry = self._entries.get(key_id)
            if entry is None:
                return None
            expires, material = entry
            if expires < time.monotonic():
                del self._entries[key_id]
                return None
            self._entries.move_to_end(key_id)
            return material

    def put(self, key_id: uuid.UUID, material: bytes) -> None:
        with self._lock:
            self._entries[key_id] = (time.monotonic() + self.ttl_seconds, material)
            self._entries.move_to_end(key_id)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def evict(self, key_id: uuid.UUID) -> None:
        with self._lock:
            self._entries.pop(key_id, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __contains__(self, key_id: object) -> bool:
        with self._lock:
            return key_id in self._entries


_cache = _DataKeyCache()


def clear_key_cache() -> None:
    """Forget every unwrapped data key held in this process (the next read unwraps again)."""
    _cache.clear()


def new_data_key(subject: str, *, save: bool = True) -> DataKey:
    """Create, wrap with the current KEK and save a fresh random data key for ``subject``.

    ``subject`` is a reference such as ``"case:42"``, never a person's name. The plaintext key
    never reaches the database; the wrap is bound to the new row's id and the KEK's id.
    With ``save=False`` (as Django's ``form.save(commit=False)``) the row is left for the caller
    to write together with the content sealed under it, as a new case is written in one
    statement; content may be sealed at once and opens once the row is written.
    Refuses an empty or over-long subject (ValueError).
    """
    if not subject.strip() or len(subject) > MAX_SUBJECT_LENGTH:
        raise ValueError(f"a data key needs a subject of 1 to {MAX_SUBJECT_LENGTH} characters")
    kek = key_encryption_keys().current()
    material = crypto.random_key()
    key = DataKey(id=uuid.uuid4(), subject=subject, kek_id=kek.id)
    key.wrapped = _wrap(material, key.id, kek)
    if save:
        key.save(force_insert=True)
    _cache.put(key.id, material)
    return key


def seal(key: DataKey, plaintext: bytes, *, purpose: str) -> bytes:
    """Encrypt ``plaintext`` under ``key`` for ``purpose``; opens only with the same pair.

    Every call uses a fresh random nonce, so sealing the same bytes twice gives different
    output. Refuses a shredded key (Shredded), an unsaved or damaged key (VaultError) and an
    empty purpose (ValueError).
    """
    _check_purpose(purpose)
    material = _material(key)
    header = bytes([SEALED_VERSION]) + key.id.bytes
    return header + crypto.encrypt(material, bytes(plaintext), _content_ad(key.id, purpose))


def open_sealed(key: DataKey, sealed: bytes, *, purpose: str) -> bytes:
    """The plaintext that ``seal(key, ..., purpose=purpose)`` produced.

    Raises Shredded when the key was shredded (checked before anything else), and VaultError
    when ``sealed`` is not a sealed value, was sealed under another data key, was sealed for
    another purpose, or was altered in any bit.
    """
    _check_purpose(purpose)
    material = _material(key)
    raw = bytes(sealed)
    if len(raw) < _HEADER_BYTES or raw[0] != SEALED_VERSION:
        raise VaultError("not a value sealed by this vault")
    if raw[1:_HEADER_BYTES] != key.id.bytes:
        raise VaultError("sealed under a different data key")
    return crypto.decrypt(
        material, raw[_HEADER_BYTES:], _content_ad(key.id, purpose), what="sealed content"
    )


def shred(key: DataKey, *, actor: str, reason: str) -> None:
    """Destroy ``key`` so everything sealed under it is unrecoverable, even from old backups.

    In one transaction: the wrapped key is overwritten with nothing, ``shredded_at`` is set and
    the ledger gets a ``vault.key_shredded`` entry (object ``vault.datakey:<id>``, digest of
    the reason). The in-memory cache is evicted now and again on commit. ``key`` itself is
    updated too. Shredding an already shredded key changes nothing and writes no second entry.
    Refuses an empty actor or reason (ValueError). Backups taken earlier still hold the wrapped
    key, so they become unreadable only once the KEK they need is gone as well.
    """
    if not actor.strip():
        raise ValueError("shredding needs the actor who ordered it")
    if not reason.strip():
        raise ValueError("shredding needs a reason")
    with transaction.atomic():
        locked = DataKey.objects.select_for_update().get(pk=key.pk)
        if locked.shredded_at is None:
            locked.wrapped = b""
            locked.shredded_at = timezone.now()
            locked.save(update_fields=["wrapped", "shredded_at"])
            append(
                actor=actor,
                action=Action.VAULT_KEY_SHREDDED,
                obj=f"vault.datakey:{locked.id}",
                digest=digest_of(reason),
            )
        _cache.evict(locked.id)
        # A read in another thread between now and commit may cache the key again.
        transaction.on_commit(lambda: _cache.evict(locked.id))
    key.wrapped = locked.wrapped
    key.shredded_at = locked.shredded_at


def _check_purpose(purpose: str) -> None:
    if not purpose or len(purpose) > MAX_PURPOSE_LENGTH:
        raise ValueError(f"a purpose of 1 to {MAX_PURPOSE_LENGTH} characters is required")


def _content_ad(key_id: uuid.UUID, purpose: str) -> bytes:
    return crypto.associated_data("content", key_id.bytes, purpose)


def _wrap_ad(key_id: uuid.UUID, kek_id: str) -> bytes:
    return crypto.associated_data("wrap", key_id.bytes, kek_id)


def _wrap(material: bytes, key_id: uuid.UUID, kek: Kek) -> bytes:
    return crypto.encrypt(kek.secret, material, _wrap_ad(key_id, kek.id))


def _unwrap(key: DataKey, source: KeyEncryptionKeys) -> bytes:
    kek = source.get(key.kek_id)
    return crypto.decrypt(
        kek.secret, bytes(key.wrapped), _wrap_ad(key.id, kek.id), what="wrapped data key"
    )


def _material(key: DataKey) -> bytes:
    """The unwrapped data key, from the cache or by unwrapping with its KEK."""
    if key.shredded_at is not None:
        raise Shredded()
    if not isinstance(key.id, uuid.UUID) or (key._state.adding and key.id not in _cache):
        # An unsaved key seals only when new_data_key made it, to be written with the content.
        raise VaultError("the data key has not been saved; create keys with new_data_key()")
    if not key.wrapped:
        raise VaultError(f"data key {key.id} has no key material but is not marked shredded")
    material = _cache.get(key.id)
    if material is None:
        material = _unwrap(key, key_encryption_keys())
        _cache.put(key.id, material)
    return material


def _rewrapped(key: DataKey, source: KeyEncryptionKeys, target: Kek) -> bytes:
    """``key``'s wrap under ``target``, unwrapped with ``source`` (never through the cache)."""
    return _wrap(_unwrap(key, source), key.id, target)
