"""Key rotation: move every data key's wrap to a new key-encryption key, never touching content.

``rotate()`` (``redress keys rotate``), for the key folder:

1. Under a lock file (one rotation at a time), make the new KEK in ``kek-pending/``, check it,
   and promote it into ``kek/``, where it becomes current: data keys created from now on are
   wrapped by it, and every process can already read it.
2. Re-wrap, in batches of ``batch_size``, each live data key still wrapped by an older KEK. Each
   batch is its own transaction and sets ``kek_id``; the content sealed under the data keys is
   not read or rewritten.
3. Retire each older KEK that no live data key references any more, by moving its file to
   ``kek-retired/`` (kept so that database backups taken before the rotation can still be
   restored; delete it once those backups have expired). A KEK still referenced (a data key
   written by a process that read the old current key just before promotion) stays in ``kek/``.
4. Append ``vault.kek_rotated`` to the ledger.

A crash anywhere is recovered by running the command again: a key left in ``kek-pending/`` is
promoted rather than replaced, and while older keys remain in ``kek/`` the rotation is
unfinished, so the next run continues with the same new key instead of making another.

Keys held in the environment are rotated by the operator (``REDRESS_KEK`` / ``_PREVIOUS``);
``rewrap()`` (``redress keys rewrap``) then moves the wraps to the new current key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models import Count

from redress.ledger.append import append, digest_of
from redress.ledger.events import Action
from redress.vault.actions import _rewrapped
from redress.vault.errors import VaultError
from redress.vault.keks import (
    ENV_CURRENT,
    ENV_PREVIOUS,
    Kek,
    KeyEncryptionKeys,
    RotatableKeyEncryptionKeys,
    key_encryption_keys,
)
from redress.vault.models import DataKey

DEFAULT_BATCH_SIZE = 500

ProgressCallback = Callable[[int, int], None]


class RotationRefused(VaultError):
    """The configured KEK source cannot be rotated by Redress."""


@dataclass
class RotationResult:
    kek_id: str
    resumed: bool = False
    rewrapped: int = 0
    batches: int = 0
    retired: list[str] = field(default_factory=list)
    still_referenced: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        parts = [
            f"{'Resumed rotation to' if self.resumed else 'Rotated to'} "
            f"key-encryption key {self.kek_id}: re-wrapped {self.rewrapped:,} data "
            f"key{'s' if self.rewrapped != 1 else ''} in {self.batches:,} "
            f"batch{'es' if self.batches != 1 else ''}",
            f"retired {', '.join(self.retired)}" if self.retired else "retired none",
        ]
        if self.still_referenced:
            pending = ", ".join(f"{k} ({n:,})" for k, n in sorted(self.still_referenced.items()))
            parts.append(f"still in use, run again: {pending}")
        return "; ".join(parts) + "."


@dataclass
class VaultStatus:
    source: str
    current: str
    usable: list[str]
    live_by_kek: dict[str, int]
    shredded: int

    @property
    def total(self) -> int:
        return sum(self.live_by_kek.values()) + self.shredded


def status(source: KeyEncryptionKeys | None = None) -> VaultStatus:
    """The current KEK, the KEKs that can be read, and data key counts (live per KEK, shredded).

    Read-only, except that the key folder makes its first KEK if it has none.
    """
    source = source or key_encryption_keys()
    current = source.current().id
    usable = source.active_ids()
    rows = (
        DataKey.objects.filter(shredded_at__isnull=True)
        .values("kek_id")
        .annotate(n=Count("id"))
        .order_by("kek_id")
    )
    live = {row["kek_id"]: row["n"] for row in rows}
    shredded = DataKey.objects.filter(shredded_at__isnull=False).count()
    return VaultStatus(source.describe(), current, usable, live, shredded)


def rotate(
    *,
    actor: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: ProgressCallback | None = None,
    source: KeyEncryptionKeys | None = None,
) -> RotationResult:
    """Rotate the key folder's KEK: new key, re-wrap every live data key, retire the old key.

    Guarantees: content is never decrypted or rewritten; after each committed batch every data
    key opens; an old KEK is retired only when no live data key references it; re-running after
    a crash continues with the same new key. Refuses an environment-held KEK (RotationRefused),
    a second rotation running at the same time, and a batch size below 1 (ValueError).
    """
    if batch_size < 1:
        raise ValueError("batch size must be at least 1")
    source = source or key_encryption_keys()
    if not isinstance(source, RotatableKeyEncryptionKeys):
        raise RotationRefused(
            f"The key-encryption key comes from {ENV_CURRENT}, so it is rotated by the operator, "
            f"not by Redress: generate a new 32-byte key, set {ENV_CURRENT} to it and "
            f"{ENV_PREVIOUS} to the old one, restart, then run `redress keys rewrap`. "
            f"Remove the old key from {ENV_PREVIOUS} once `redress keys status` shows no data "
            "key uses it."
        )
    with source.rotation_lock():
        target, resumed = source.begin_rotation()
        result = RotationResult(kek_id=target.id, resumed=resumed)
        _rewrap_all(source, target, batch_size, progress, result)
        for old in source.active_ids():
            if old == target.id:
                continue
            remaining = _live_count(old)
            if remaining:
                result.still_referenced[old] = remaining
            else:
                result.retired.append(old)
        # Recorded before the files move: a crash after this only leaves retiring to a re-run,
        # which records itself as resumed, so no rotation goes unrecorded.
        with transaction.atomic():
            append(
                actor=actor,
                action=Action.VAULT_KEK_ROTATED,
                obj=f"vault.kek:{target.id}",
                digest=digest_of(result.summary()),
            )
        for old in result.retired:
            source.retire(old)
    return result


def rewrap(
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: ProgressCallback | None = None,
    source: KeyEncryptionKeys | None = None,
) -> RotationResult:
    """Re-wrap every live data key not under the current KEK with it; nothing is retired.

    For keys held in the environment after the operator changed ``REDRESS_KEK``. Safe to run
    any time and to re-run after a crash. Raises VaultError naming a KEK that is needed but not
    available (for the environment: missing from ``REDRESS_KEK_PREVIOUS``).
    """
    if batch_size < 1:
        raise ValueError("batch size must be at least 1")
    source = source or key_encryption_keys()
    target = source.current()
    result = RotationResult(kek_id=target.id, resumed=False)
    _rewrap_all(source, target, batch_size, progress, result)
    return result


def _rewrap_all(
    source: KeyEncryptionKeys,
    target: Kek,
    batch_size: int,
    progress: ProgressCallback | None,
    result: RotationResult,
) -> None:
    total = _outside(target).count()
    if progress:
        progress(0, total)
    while True:
        done = _rewrap_batch(source, target, batch_size)
        if not done:
            break
        result.rewrapped += done
        result.batches += 1
        if progress:
            progress(result.rewrapped, max(total, result.rewrapped))


def _rewrap_batch(source: KeyEncryptionKeys, target: Kek, batch_size: int) -> int:
    """Re-wrap up to ``batch_size`` data keys in one transaction; the number re-wrapped."""
    with transaction.atomic():
        # Locked so a concurrent shred waits for us (and we skip what it shredded first).
        batch = list(_outside(target).select_for_update().order_by("id")[:batch_size])
        for key in batch:
            key.wrapped = _rewrapped(key, source, target)
            key.kek_id = target.id
        DataKey.objects.bulk_update(batch, ["wrapped", "kek_id"])
    return len(batch)


def _outside(target: Kek) -> models.QuerySet[DataKey]:
    return DataKey.objects.filter(shredded_at__isnull=True).exclude(kek_id=target.id)


def _live_count(kek_id: str) -> int:
    return DataKey.objects.filter(shredded_at__isnull=True, kek_id=kek_id).count()
