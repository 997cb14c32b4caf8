"""Property tests: whatever one raw-SQL edit does to a random chain, verify finds it, at the right
seq and with the right name."""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from redress.ledger.append import append, digest_of
from redress.ledger.checkpoints import make_checkpoint
from redress.ledger.encoding import entry_hash, micros
from redress.ledger.events import Action
from redress.ledger.models import Entry
from redress.ledger.verification import verify
from tests.ledger.tampering import insert_raw, move, set_column, shift_up_from, sql, swap

pytestmark = pytest.mark.django_db

examples = hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Text PostgreSQL can store (no NUL) and UTF-8 can encode (no lone surrogates).
storable_text = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
    min_size=0,
    max_size=24,
)


@contextmanager
def rolled_back() -> Iterator[None]:
    """Each Hypothesis example gets a fresh ledger: its writes are undone afterwards."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def build_chain(data: st.DataObject) -> list[Entry]:
    """A random chain of 2-8 entries, sometimes with a signed checkpoint part way along."""
    size = data.draw(st.integers(2, 8), label="entries")
    checkpoint_after = data.draw(st.none() | st.integers(1, size), label="checkpoint after")
    entries = []
    for n in range(1, size + 1):
        entries.append(
            append(
                actor=data.draw(st.sampled_from(["user:1", "token:3", "complainant", "system"])),
                action=data.draw(st.sampled_from(list(Action))),
                obj=f"case:R-{data.draw(st.integers(1000, 9999))}",
                digest=data.draw(st.sampled_from(["", digest_of(str(n))])),
            )
        )
        if n == checkpoint_after:
            make_checkpoint()
    return entries


def assert_found(seq: int, fault: str) -> None:
    result = verify()
    assert (result.ok, result.first_bad_seq, result.fault) == (False, seq, fault)
    assert result.checked == max(seq - 1, 0)


def different(draw: st.DrawFn, strategy: st.SearchStrategy[Any], current: Any) -> Any:
    return draw(strategy.filter(lambda value: value != current))


@st.composite
def new_value(draw: st.DrawFn, entry: Entry, field: str) -> Any:
    current = getattr(entry, field)
    if field in {"actor", "action", "object"}:
        return different(draw, storable_text, current)
    if field == "digest":
        choices = st.just("") | st.text("0123456789abcdef", min_size=64, max_size=64)
        return different(draw, choices | storable_text.map(lambda text: text[:64]), current)
    if field in {"prev_hash", "hash"}:
        return different(draw, st.binary(min_size=0, max_size=40), bytes(current))
    # time: anything from a microsecond to years either way
    offset = draw(st.integers(-(10**14), 10**14).filter(bool))
    return current + dt.timedelta(microseconds=offset)


FIELDS = ["time", "actor", "action", "object", "digest", "prev_hash", "hash"]


@examples
@given(data=st.data())
def test_any_changed_field_of_any_entry_is_found(data: st.DataObject) -> None:
    with rolled_back():
        entries = build_chain(data)
        seq = data.draw(st.integers(1, len(entries)), label="seq")
        field = data.draw(st.sampled_from(FIELDS), label="field")
        set_column(seq, field, data.draw(new_value(entries[seq - 1], field), label="value"))
        assert_found(seq, "changed")


@examples
@given(data=st.data())
def test_any_removed_entry_is_found(data: st.DataObject) -> None:
    with rolled_back():
        entries = build_chain(data)
        seq = data.draw(st.integers(1, len(entries)), label="seq")
        sql("DELETE FROM {t} WHERE seq = %s", [seq])
        assert_found(seq, "removed")


@examples
@given(data=st.data())
def test_any_two_swapped_entries_are_found(data: st.DataObject) -> None:
    with rolled_back():
        entries = build_chain(data)
        first, second = sorted(
            data.draw(st.lists(st.integers(1, len(entries)), min_size=2, max_size=2, unique=True))
        )
        swap(first, second)
        assert_found(first, "reordered")


@examples
@given(data=st.data())
def test_any_renumbered_entry_is_found(data: st.DataObject) -> None:
    with rolled_back():
        entries = build_chain(data)
        seq = data.draw(st.integers(1, len(entries)), label="seq")
        to = data.draw(st.integers(-5, 0) | st.integers(len(entries) + 1, len(entries) + 5))
        move(seq, to)
        # Moved below the start, the row itself is where the table first goes wrong.
        assert_found(min(seq, to), "reordered")


@examples
@given(data=st.data())
def test_any_inserted_entry_is_found(data: st.DataObject) -> None:
    with rolled_back():
        entries = build_chain(data)
        seq = data.draw(st.integers(1, len(entries) + 1), label="seq")
        forged = data.draw(st.booleans(), label="hash recomputed")
        before = entries[seq - 2] if seq > 1 else None
        time = entries[min(seq, len(entries)) - 1].time
        prev = bytes(before.hash) if before is not None else bytes(32)
        actor = data.draw(st.text(string.ascii_lowercase, min_size=1, max_size=10))
        chain_hash = (
            entry_hash(seq, micros(time), prev, actor.encode(), b"case.viewed", b"case:R-1", b"")
            if forged
            else bytes(32)
        )
        if seq <= len(entries):
            shift_up_from(seq)
        insert_raw(
            seq,
            time=time,
            actor=actor,
            action="case.viewed",
            obj="case:R-1",
            prev_hash=prev,
            hash=chain_hash,
        )
        assert_found(seq, "inserted")
