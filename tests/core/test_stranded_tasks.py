"""A task left marked running by a worker that died goes back to the queue, and then runs."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from redress.core.management.commands import worker
from redress.ledger.append import append
from redress.ledger.models import Checkpoint
from redress.ledger.tasks import checkpoint

HOST = socket.gethostname()
ME = f"{HOST}-{os.getpid()}"


def ended_worker() -> str:
    """The id a worker on this machine had, whose process has since ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return f"{HOST}-{child.pid}"


def stranded(worker_id: str, *, started: dt.datetime | None = None) -> DBTaskResult:
    """A checkpoint task, claimed by ``worker_id`` and never finished."""
    result = checkpoint.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING,
        started_at=started or timezone.now(),
        worker_ids=[worker_id],
    )
    return DBTaskResult.objects.get(pk=result.id)


def status_of(task: DBTaskResult) -> str:
    return str(DBTaskResult.objects.get(pk=task.pk).status)


@pytest.mark.django_db(transaction=True)
def test_the_next_worker_runs_a_task_its_killed_predecessor_left_running() -> None:
    append(actor="system:test", action="case.viewed", obj="case:R-STRANDED")
    task = stranded(ended_worker())
    loop, _drainer = worker.loop_from_settings(1.0, sleep=lambda _seconds: None)
    loop.run(passes=1)
    assert status_of(task) == TaskResultStatus.SUCCESSFUL
    assert Checkpoint.objects.exists()


@pytest.mark.django_db
def test_a_task_a_live_worker_is_running_is_left_alone() -> None:
    parent = f"{HOST}-{os.getppid()}"  # a live process on this machine, as another worker
    task = stranded(parent)
    assert worker.release_stranded(ME) == 0
    assert status_of(task) == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_another_machines_task_waits_until_it_has_run_too_long() -> None:
    started = timezone.now()
    task = stranded("elsewhere-4242", started=started)
    soon = started + worker.STRANDED_AFTER - dt.timedelta(seconds=1)
    assert worker.release_stranded(ME, now=soon) == 0
    assert status_of(task) == TaskResultStatus.RUNNING
    later = started + worker.STRANDED_AFTER + dt.timedelta(seconds=1)
    assert worker.release_stranded(ME, now=later) == 1
    released = DBTaskResult.objects.get(pk=task.pk)
    assert released.status == TaskResultStatus.READY
    assert released.started_at is None


@pytest.mark.django_db
def test_finished_and_queued_tasks_are_not_touched() -> None:
    queued = checkpoint.enqueue()
    done = stranded(ended_worker())
    DBTaskResult.objects.filter(pk=done.pk).update(status=TaskResultStatus.SUCCESSFUL)
    assert worker.release_stranded(ME) == 0
    assert DBTaskResult.objects.get(pk=queued.id).status == TaskResultStatus.READY
    assert status_of(done) == TaskResultStatus.SUCCESSFUL
