"""Appending on either database: the chain's hashes are the canonical encoding's, whoever
computes them (PostgreSQL appends in a server-side function, SQLite in Python)."""

from __future__ import annotations

import datetime as dt

import pytest

from redress.ledger.encoding import entry_hash, micros
from redress.ledger.models import Entry
from redress.ledger.services import append, verify

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_server_hashes_multibyte_text_as_the_verifier_does() -> None:
    # Lengths in the encoding are bytes, not characters: a Welsh ŵ is two bytes of UTF-8.
    entry = append(actor="user:Ŵ", action="case.viewed", obj="case:ŵŷ—✓")
    assert isinstance(entry, Entry)
    stored = Entry.objects.get(seq=entry.seq)
    expected = entry_hash(
        stored.seq,
        micros(stored.time),
        bytes(stored.prev_hash),
        b"user:\xc5\xb4",
        b"case.viewed",
        "case:ŵŷ—✓".encode(),
        b"",
    )
    assert bytes(stored.hash) == expected
    assert verify().ok


def test_times_never_run_backwards_along_the_chain() -> None:
    for n in range(20):
        append(actor="system", action="test.tick", obj=f"tick:{n}")
    times = list(Entry.objects.order_by("seq").values_list("time", flat=True))
    assert times == sorted(times)
    assert times[-1] - times[0] < dt.timedelta(minutes=1)
