"""``redress worker``: run background tasks from the database queue, and periodic ones on time.

The loop outlives its tasks. A task left marked running by a worker that died or lost its
database while running it is put back in the queue: at once when that worker was on this
machine and its process is gone, otherwise once it has been running for ``STRANDED_AFTER``.
Tasks may therefore run twice, never not at all.

The loop outlives its tasks. A task that fails is logged (its kind of error only, never its
message, which may carry content) and the other tasks still run. When the database goes away
(a restart, a failover), the pass is abandoned, the broken connections are closed and the loop
waits, 1 second at first and doubling up to 30, before trying again; the first clean pass resets
the wait.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import Error, InterfaceError, OperationalError, connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from redress.core.checks import refuse_unsafe_start

log = logging.getLogger("redress.worker")

# What a database that has gone away raises: the server restarting, a dropped connection.
DATABASE_ERRORS = (OperationalError, InterfaceError)
BACKOFF_FIRST = 1.0
BACKOFF_MOST = 30.0
# No task runs this long (a sweep of a million items takes seconds): one still marked running
# after it was stranded, and goes back to the queue.
STRANDED_AFTER = dt.timedelta(minutes=15)
STRANDED_CHECK_EVERY = 60.0

# One step of a pass: a name for the log (a dotted path, never content) and the work.
Step = tuple[str, Callable[[], object]]

OK, FAILED, DATABASE_DOWN = "ok", "failed", "database down"


def close_connections() -> None:
    """Drop every open database connection, so the next query opens a fresh one."""
    for connection in connections.all(initialized_only=True):
        # Closing a connection whose server has gone can itself fail; it is dropped either way.
        with suppress(Error):
            connection.close()


class WorkerLoop:
    """The worker's passes: every-pass work, periodic tasks when due, then the queue, drained.

    ``clock`` and ``sleep`` are the real ones unless a test gives its own.
    """

    def __init__(
        self,
        *,
        every_pass: Sequence[Step],
        periodic: Sequence[tuple[Step, float]],
        drain: Step,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self.every_pass = list(every_pass)
        self.periodic = list(periodic)
        self.drain = drain
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self.last_run: dict[int, float] = {}
        self.backoff = BACKOFF_FIRST
        self.stopping = False
        self.busy = False

    def _run(self, step: Step) -> str:
        name, work = step
        self.busy = True
        try:
            work()
        except DATABASE_ERRORS as exc:
            log.warning(
                "worker: database unavailable during %s (%s); retrying in %.0f s",
                name,
                type(exc).__name__,
                self.backoff,
            )
            close_connections()
            return DATABASE_DOWN
        except Exception as exc:
            log.error("worker: %s failed (%s)", name, type(exc).__name__)
            return FAILED
        finally:
            self.busy = False
        return OK

    def one_pass(self) -> str:
        """Run one pass. Stops at the first database error: the rest would fail the same way."""
        outcome = OK
        for step in self.every_pass:
            result = self._run(step)
            if result == DATABASE_DOWN:
                return result
            if result == FAILED:
                outcome = FAILED
            if self.stopping:
                return outcome
        now = self.clock()
        for index, (step, every) in enumerate(self.periodic):
            if now - self.last_run.get(index, -every) >= every:
                result = self._run(step)
                if result == DATABASE_DOWN:
                    return result
                if result == OK:
                    self.last_run[index] = now
                else:
                    outcome = FAILED
            if self.stopping:
                return outcome
        result = self._run(self.drain)
        return result if result != OK else outcome

    def run(self, passes: int | None = None) -> None:
        """Pass after pass until stopped (or ``passes`` have run), waiting between them."""
        done = 0
        while not self.stopping and (passes is None or done < passes):
            outcome = self.one_pass()
            done += 1
            if self.stopping:
                return
            if outcome == DATABASE_DOWN:
                self.sleep(self.backoff)
                self.backoff = min(self.backoff * 2, BACKOFF_MOST)
            else:
                self.backoff = BACKOFF_FIRST
                self.sleep(self.interval)


class QueueDrainer:
    """Runs the queued tasks until none is left; ``stop`` ends it after the task under way."""

    def __init__(self, worker_id: str) -> None:
        self.worker_id = worker_id
        self.current: Worker | None = None

    def __call__(self) -> None:
        self.current = Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        )
        try:
            self.current.run()
        finally:
            self.current = None

    def stop(self) -> None:
        if self.current is not None:
            self.current.running = False


def release_stranded(worker_id: str, *, now: dt.datetime | None = None) -> int:
    """Put back in the queue the tasks a dead worker left marked running; returns how many.

    A task is stranded when the worker that claimed it last ran on this machine and its process
    no longer exists, or when it has been marked running for longer than ``STRANDED_AFTER``.
    """
    now = now or timezone.now()
    host = worker_id.rpartition("-")[0]
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING
        )
        stranded = [
            task.pk
            for task in running.only("id", "started_at", "worker_ids")
            if task.started_at is None
            or now - task.started_at > STRANDED_AFTER
            or _gone(task.worker_ids[-1] if task.worker_ids else "", host, worker_id)
        ]
        released = running.filter(pk__in=stranded).update(
            status=TaskResultStatus.READY, started_at=None
        )
    if released:
        log.warning("worker: %d stranded task(s) put back in the queue", released)
    return released


def _gone(worker_id: str, host: str, me: str) -> bool:
    """Whether ``worker_id`` (``host-pid``) was another worker on this host whose process has
    ended."""
    their_host, _, pid = worker_id.rpartition("-")
    if worker_id == me or their_host != host or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # a live process of another user
    return False


def loop_from_settings(interval: float, **kwargs: Any) -> tuple[WorkerLoop, QueueDrainer]:
    drainer = QueueDrainer(f"{socket.gethostname()}-{os.getpid()}")
    loop = WorkerLoop(
        every_pass=[(path, import_string(path)) for path in settings.EVERY_PASS],
        periodic=[
            (
                ("release stranded tasks", lambda: release_stranded(drainer.worker_id)),
                STRANDED_CHECK_EVERY,
            ),
            *(
                ((path, import_string(path).enqueue), every)
                for path, every in settings.PERIODIC_TASKS
            ),
        ],
        drain=("queue", drainer),
        interval=interval,
        **kwargs,
    )
    return loop, drainer


class Command(BaseCommand):
    help = "Run the background worker: periodic tasks (checkpoints, sweeps) and queued tasks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument(
            "--once", action="store_true", help="enqueue due periodic tasks, drain the queue, exit"
        )

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        refuse_unsafe_start()
        loop, drainer = loop_from_settings(interval)
        if once:
            outcome = loop.one_pass()
            if outcome == DATABASE_DOWN:
                raise CommandError("The database is unavailable; nothing more was done.")
            if outcome == FAILED:
                raise CommandError("A step of the pass failed; the log names it.")
            return
        _stop_on_signals(loop, drainer)
        loop.run()


def _stop_on_signals(loop: WorkerLoop, drainer: QueueDrainer) -> None:
    """SIGTERM or SIGINT: stop after the step under way (at once if waiting); a second, now."""

    def stop(signum: int, frame: FrameType | None) -> None:
        if loop.stopping or not loop.busy:
            raise SystemExit(0)
        loop.stopping = True
        drainer.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
