"""Gathering witnesses' cosignatures for the log's checkpoints (C2SP tlog-witness).

Placeholder behaviour until the witness client is built: with no witness configured, every
checkpoint is published at once, unwitnessed.
"""

from __future__ import annotations

from django.conf import settings

from redress.ledger.models import LogCheckpoint


def gather(checkpoint: LogCheckpoint) -> None:
    """Send ``checkpoint`` to the configured witnesses and publish it with a quorum."""
    from redress.ledger import log

    if not settings.LOG_WITNESSES or settings.LOG_QUORUM <= 0:
        log.publish(checkpoint)
