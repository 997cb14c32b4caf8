"""The sequencer mode: acts write pending entries without the head lock; batches chain them.

Nothing committed is lost, the chain never forks or gaps, and entries are chained right after
their act commits (or by the worker's next pass).
"""

from __future__ import annotations

import multiprocessing

import pytest
from django.db import connection, transaction
from django.test import override_settings

from redress.ledger.models import Entry, Pending
from redress.ledger.services import append, chained, sequence_pending, verify

pytestmark = pytest.mark.django_db(transaction=True)


@override_settings(LEDGER_SEQUENCER=True)
def test_entry_is_chained_when_the_act_commits() -> None:
    with transaction.atomic():
        pending = append(actor="user:1", action="case.viewed", obj="case:R-1")
        assert isinstance(pending, Pending)
        assert not Entry.objects.exists()  # not before commit
    entry = Entry.objects.get()
    assert (entry.seq, entry.object) == (1, "case:R-1")
    assert chained(pending) == entry
    assert not Pending.objects.exists()
    assert verify().ok


@override_settings(LEDGER_SEQUENCER=True)
def test_a_rolled_back_act_leaves_nothing() -> None:
    def failing_act() -> None:
        with transaction.atomic():
            append(actor="user:1", action="case.viewed", obj="case:R-1")
            raise RuntimeError("the act failed")

    with pytest.raises(RuntimeError):
        failing_act()
    assert not Pending.objects.exists()
    assert not Entry.objects.exists()


def test_pending_entries_left_by_a_crash_are_chained_by_the_next_pass() -> None:
    from django.utils import timezone

    for n in range(5):
        Pending.objects.create(
            time=timezone.now(), actor="complainant", action="case.received", object=f"case:R-{n}"
        )
    append(actor="user:1", action="case.viewed", obj="case:R-9")  # the synchronous path still works
    assert sequence_pending() == 5
    assert list(Entry.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 7))
    assert sequence_pending() == 0
    assert verify().ok


def _appender(count: int) -> None:
    connection.close()
    with override_settings(LEDGER_SEQUENCER=True):
        for n in range(count):
            with transaction.atomic():
                append(actor="user:2", action="case.viewed", obj=f"case:R-{n}")
    connection.close()


def test_concurrent_processes_never_fork_or_gap_the_chain() -> None:
    connection.close()
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_appender, args=(40,)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    sequence_pending()
    seqs = list(Entry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 161))
    assert not Pending.objects.exists()
    assert verify().ok


def test_verify_command_mentions_entries_waiting_to_be_chained() -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    append(actor="user:1", action="case.viewed", obj="case:R-1")
    Pending.objects.create(
        time=timezone.now(), actor="complainant", action="case.received", object="case:R-2"
    )
    out = StringIO()
    call_command("ledger", "verify", stdout=out)
    assert "Ledger intact: 1 entries checked" in out.getvalue()
    assert "1 committed entries are waiting to be chained" in out.getvalue()
