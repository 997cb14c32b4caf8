"""``redress worker --once`` runs the periodic tasks: a checkpoint is signed, drafts expire."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from redress.ledger.append import append
from redress.ledger.models import Checkpoint

pytestmark = pytest.mark.django_db(transaction=True)


def test_worker_once_runs_the_periodic_tasks() -> None:
    append(actor="system:test", action="case.viewed", obj="case:R-TEST")
    call_command("worker", "--once")
    assert Checkpoint.objects.count() == 1
