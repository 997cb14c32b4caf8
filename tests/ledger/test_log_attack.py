"""The attack the published log answers: an insider with write access to the database deletes
the checkpoints, changes entries, recomputes the chain, the head and the log's tree. The
database then agrees with itself; only a checkpoint kept outside it can tell."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from redress.ledger import log, merkle, tlog
from redress.ledger.append import append
from redress.ledger.encoding import entry_hash, log_entry, micros
from redress.ledger.events import Action
from redress.ledger.models import Checkpoint, Entry, Head, LogCheckpoint, TreeHash, tree_position

pytestmark = pytest.mark.django_db(transaction=True)


def _fill(count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        append(actor=f"user:{n % 4}", action=Action.CASE_VIEWED, obj=f"case:R-{n:04d}")


def _rewrite_history(first: int, count: int) -> None:
    """Change the actor of ``count`` entries from seq ``first``, reseal the chain from there,
    move the head, and rebuild the log's tree, all consistently."""
    with transaction.atomic():
        LogCheckpoint.objects.all().delete()
        Checkpoint.objects.all().delete()
        entries = list(Entry.objects.order_by("seq"))
        prev = bytes(entries[first - 2].hash) if first > 1 else bytes(32)
        for entry in entries[first - 1 :]:
            if entry.seq < first + count:
                entry.actor = "user:nobody"
            entry.prev_hash = prev
            entry.hash = entry_hash(
                entry.seq,
                micros(entry.time),
                prev,
                entry.actor.encode(),
                entry.action.encode(),
                entry.object.encode(),
                entry.digest.encode(),
            )
            entry.save(update_fields=["actor", "prev_hash", "hash"])
            prev = bytes(entry.hash)
        Head.objects.filter(pk=1).update(hash=prev)
        _rebuild_tree()


def _rebuild_tree() -> None:
    TreeHash.objects.all().delete()
    nodes = merkle.TreeBuilder().extend(
        tlog.leaf_hash(log_entry(bytes(entry.salt), bytes(entry.hash)))
        for entry in Entry.objects.order_by("seq")
    )
    TreeHash.objects.bulk_create(
        TreeHash(position=tree_position(level, index), hash=value) for level, index, value in nodes
    )


def _verify(*args: str) -> tuple[int, str]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("ledger", "verify", "--workers", "1", *args, stdout=out)
    except SystemExit as stop:
        return int(stop.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_a_kept_checkpoint_catches_a_consistently_rewritten_history(tmp_path: Path) -> None:
    _fill(54)
    call_command("ledger", "checkpoint")
    published = log.make_checkpoint()
    assert published is not None
    kept = tmp_path / "checkpoint.txt"
    kept.write_text(published.signed_note())
    _fill(6, start=54)
    assert _verify("--checkpoint", str(kept))[0] == 0

    _rewrite_history(first=20, count=4)

    # The database agrees with itself: without an outside checkpoint nothing is found.
    code, out = _verify()
    assert code == 0, out
    # The checkpoint kept outside names the root of the first 54 entries, which has changed.
    code, out = _verify("--checkpoint", str(kept))
    assert code == 1
    assert "the first 54 entries no longer have the root hash" in out
    assert "checkpoint.txt" in out


def test_a_checkpoint_larger_than_the_log_means_entries_were_removed(tmp_path: Path) -> None:
    _fill(10)
    made = log.make_checkpoint()
    assert made is not None
    kept = tmp_path / "checkpoint.txt"
    kept.write_text(made.signed_note())
    with transaction.atomic():
        LogCheckpoint.objects.all().delete()
        Entry.objects.filter(seq__gt=7).delete()
        last = Entry.objects.get(seq=7)
        Head.objects.filter(pk=1).update(seq=7, hash=bytes(last.hash))
        _rebuild_tree()
    code, out = _verify("--checkpoint", str(kept))
    assert code == 1
    assert "covers 10 entries but the log holds only" in out


def test_a_checkpoint_not_signed_by_this_log_is_refused(tmp_path: Path) -> None:
    from nacl.signing import SigningKey

    _fill(3)
    forged = tlog.sign_note(
        tlog.Checkpoint(origin=log.origin(), size=3, root=log.root(3)).text(),
        [tlog.NoteSigner(log.origin(), SigningKey.generate())],
    )
    kept = tmp_path / "forged.txt"
    kept.write_text(forged)
    code, out = _verify("--checkpoint", str(kept))
    assert code == 1
    assert "does not verify" in out


def test_a_checkpoint_signed_before_a_key_rotation_still_counts(
    tmp_path: Path, settings: object
) -> None:
    from nacl.signing import SigningKey

    from redress.ledger.keys import signing_key

    _fill(5)
    made = log.make_checkpoint()
    assert made is not None
    kept = tmp_path / "checkpoint.txt"
    kept.write_text(made.signed_note())
    retired = signing_key().verify_key.encode().hex()
    settings.LEDGER_SIGNING_KEY = SigningKey.generate().encode().hex()  # type: ignore[attr-defined]
    assert _verify("--checkpoint", str(kept))[0] == 1  # the old key is no longer trusted
    settings.LEDGER_TRUSTED_KEYS = [retired]  # type: ignore[attr-defined]
    code, out = _verify("--checkpoint", str(kept))
    assert code == 0, out
