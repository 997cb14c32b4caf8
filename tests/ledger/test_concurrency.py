"""Several processes appending (and checkpointing) at once never fork the chain or leave a gap.

Runs on PostgreSQL (row lock on the head) and on SQLite (the database write lock): both queue
writers, in different ways. The children are forked with the parent's connection closed, so each
opens its own.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import random
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction

from redress.ledger import verification
from redress.ledger.append import append
from redress.ledger.checkpoints import make_checkpoint
from redress.ledger.models import Checkpoint, Entry
from redress.ledger.verification import verify
from tests.ledger.tampering import set_column, swap

APPENDERS = 4
PER_APPENDER = 25


def in_child(work: Callable[..., None], *args: Any) -> None:
    """Run ``work`` in a forked child with its own connection; exit 1 on any error."""
    try:
        work(*args)
    except BaseException:
        traceback.print_exc()
        os._exit(1)
    finally:
        connection.close()


def appender(worker: int, go: Any) -> None:
    go.wait()
    for n in range(PER_APPENDER):
        # The caller's own transaction: some work first, then the append as its last step.
        with transaction.atomic():
            Entry.objects.filter(actor=f"worker:{worker}").count()
            time.sleep(random.random() / 500)
            append(actor=f"worker:{worker}", action="case.viewed", obj=f"case:R-{worker}-{n}")
        # Requests arrive apart; without a pause SQLite lets the same writer straight back in.
        time.sleep(random.random() / 200)


def checkpointer(go: Any, stop: Any) -> None:
    go.wait()
    while not stop.is_set():
        make_checkpoint()
        time.sleep(0.005)


@pytest.mark.django_db(transaction=True)
def test_concurrent_appenders_keep_one_gapless_chain() -> None:
    context = multiprocessing.get_context("fork")
    go, stop = context.Event(), context.Event()
    connection.close()
    appenders = [
        context.Process(target=in_child, args=(appender, worker, go)) for worker in range(APPENDERS)
    ]
    signer = context.Process(target=in_child, args=(checkpointer, go, stop))
    for process in [*appenders, signer]:
        process.start()
    go.set()
    for process in appenders:
        process.join(timeout=90)
    stop.set()
    signer.join(timeout=30)

    assert [process.exitcode for process in [*appenders, signer]] == [0] * (APPENDERS + 1)
    total = APPENDERS * PER_APPENDER
    seqs = list(Entry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    per_worker = Counter(Entry.objects.values_list("actor", flat=True))
    assert per_worker == {f"worker:{worker}": PER_APPENDER for worker in range(APPENDERS)}
    # The appenders really did take turns, rather than one finishing before the next began.
    actors = list(Entry.objects.order_by("seq").values_list("actor", flat=True))
    assert sum(a != b for a, b in itertools.pairwise(actors)) > APPENDERS
    # No fork: every prev_hash is used exactly once.
    prevs = list(Entry.objects.values_list("prev_hash", flat=True))
    assert len({bytes(prev) for prev in prevs}) == total
    result = verify()
    assert (result.ok, result.checked) == (True, total)
    assert Checkpoint.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_parallel_verify_agrees_with_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verification, "PARALLEL_MIN_ENTRIES", 1)
    monkeypatch.setattr(verification, "BATCH_SIZE", 7)
    ran: list[int] = []
    real = verification._walk_in_parallel

    def recording(*args: Any) -> Any:
        ran.append(args[-1])
        return real(*args)

    monkeypatch.setattr(verification, "_walk_in_parallel", recording)
    for n in range(60):
        append(actor="user:1", action="case.viewed", obj=f"case:R-{n}")
        if n % 20 == 19:
            make_checkpoint()

    seen: list[int] = []

    class Recorder:
        def update(self, done: int) -> None:
            seen.append(done)

    # Forking is refused while other threads run (a browser session earlier in the same test
    # run leaves some); the verdicts must agree either way.
    forking = threading.active_count() == 1
    assert verify(Recorder(), workers=3).checked == 60
    assert ran == ([3] if forking else [])
    assert seen == [] or seen[-1] <= 60

    for tamper, expected in [
        (lambda: set_column(45, "digest", "0" * 64), (45, "changed")),
        (lambda: swap(21, 38), (21, "reordered")),
    ]:
        tamper()
        one = verify(workers=1)
        many = verify(workers=3)
        assert (many.ok, many.first_bad_seq, many.fault, many.checked) == (
            one.ok,
            one.first_bad_seq,
            one.fault,
            one.checked,
        )
        assert (one.first_bad_seq, one.fault) == expected
