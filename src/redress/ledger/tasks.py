"""Background work for the ledger: signing checkpoints.

The window: entries appended after the newest checkpoint are protected only by the next one.
Until it is signed, someone able to write to the database could rewrite those entries (and the
head row) consistently, and ``verify`` could not tell. A checkpoint is due once
``CHECKPOINT_EVERY_ENTRIES`` entries have accumulated or ``CHECKPOINT_INTERVAL_SECONDS`` have
passed with at least one new entry, so the window is at most about a minute or a thousand entries
while a worker runs.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from redress.ledger import log
from redress.ledger.checkpoints import make_checkpoint
from redress.ledger.models import Checkpoint, Head
from redress.ledger.verification import record_verification, verify

CHECKPOINT_INTERVAL_SECONDS = 60
CHECKPOINT_EVERY_ENTRIES = 1000


def checkpoint_due() -> bool:
    """Whether a checkpoint should be signed now: there are new entries, and either none has been
    signed yet, ``CHECKPOINT_EVERY_ENTRIES`` have accumulated, or the newest checkpoint is at least
    ``CHECKPOINT_INTERVAL_SECONDS`` old. Reads only."""
    head_seq = Head.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    latest = Checkpoint.objects.order_by("-seq").values_list("seq", "time").first()
    if latest is None:
        return head_seq > 0
    latest_seq, latest_time = latest
    pending = head_seq - latest_seq
    if pending <= 0:
        return False
    if pending >= CHECKPOINT_EVERY_ENTRIES:
        return True
    return timezone.now() - latest_time >= dt.timedelta(seconds=CHECKPOINT_INTERVAL_SECONDS)


@task()
def checkpoint() -> int | None:
    """Sign a checkpoint over the current head; returns its seq, or None when nothing was new.

    Raises ``LedgerBrokenError`` (the task fails, visibly) rather than sign a chain that does not
    verify.
    """
    made = make_checkpoint()
    return None if made is None else made.seq


@task()
def verify_chain() -> bool:
    """Verify the whole chain and keep the outcome for oversight (hourly, by the worker)."""
    result = verify()
    record_verification(result)
    return result.ok


@task()
def log_checkpoint() -> int | None:
    """Sign a checkpoint of the published log when it has grown, and gather cosignatures for
    it (every ``LOG_CHECKPOINT_SECONDS``, by the worker); returns its size, or None."""
    made = log.make_checkpoint()
    return None if made is None else made.size
