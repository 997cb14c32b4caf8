"""``redress serve``: the web server (gunicorn) and the background worker, together.

The worker runs as a child process, watched from a thread of the gunicorn master: if it exits it
is started again, after a wait that doubles (1 second up to a minute) while it keeps dying soon
after starting, so a worker that cannot start does not spin. When serve stops, the worker is
asked to stop (SIGTERM), and killed if it has not within 10 seconds.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from gunicorn.app.base import BaseApplication

from redress.core.checks import refuse_unsafe_start
from redress.wsgi import application

log = logging.getLogger("redress.serve")

RESTART_FIRST = 1.0
RESTART_MOST = 60.0
# A worker that ran this long before exiting was healthy: restart it after the shortest wait.
HEALTHY_AFTER = 60.0
STOP_GRACE = 10.0


class Process(Protocol):
    """What the supervisor needs of a child process (``subprocess.Popen`` has it)."""

    def poll(self) -> int | None: ...
    def terminate(self) -> None: ...
    def kill(self) -> None: ...
    def wait(self, timeout: float | None = None) -> int: ...


class Stop(Protocol):
    """What the supervisor needs of its stop signal (``threading.Event`` has it)."""

    def wait(self, timeout: float | None = None) -> bool: ...


def start_worker() -> subprocess.Popen[bytes]:
    # Its own session: a Ctrl+C at the terminal reaches serve, which then stops the worker,
    # rather than reaching both at once (and the worker being restarted while serve stops).
    return subprocess.Popen([sys.executable, "-m", "redress.cli", "worker"], start_new_session=True)


def stop_process(process: Process, grace: float = STOP_GRACE) -> None:
    """Ask ``process`` to stop, and kill it if it has not within ``grace`` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        log.warning("serve: the worker did not stop within %.0f s; killing it", grace)
        process.kill()
        process.wait()


def supervise(
    start: Callable[[], Process],
    stop: Stop,
    *,
    poll_every: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Keep one process from ``start`` running until ``stop`` is set, then stop it.

    Waits on ``stop`` between checks, so setting it ends the supervision within ``poll_every``
    seconds, or at once during a wait before a restart.
    """
    wait = RESTART_FIRST
    process: Process | None = None
    started = clock()
    try:
        while True:
            if process is None:
                try:
                    process = start()
                except OSError as exc:
                    log.error("serve: could not start the worker (%s)", type(exc).__name__)
                    process = None
                started = clock()
            if process is not None and process.poll() is None:
                if stop.wait(poll_every):
                    return
                continue
            ran_for = clock() - started
            if ran_for >= HEALTHY_AFTER:
                wait = RESTART_FIRST
            status = process.poll() if process is not None else None
            log.warning(
                "serve: the worker exited (status %s) after %.0f s; starting it again in %.0f s",
                status,
                ran_for,
                wait,
            )
            process = None
            if stop.wait(wait):
                return
            wait = min(wait * 2, RESTART_MOST)
    finally:
        if process is not None:
            stop_process(process)


class Supervisor:
    """``supervise`` in a background thread, with a ``stop`` that waits for the worker to end."""

    def __init__(self, start: Callable[[], Process] = start_worker) -> None:
        self._pid = os.getpid()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=supervise, args=(start, self._stop), name="redress-worker-supervisor"
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        # gunicorn's workers are forks of this process and leave through the same ``finally``:
        # only the process that started the supervisor may stop it.
        if os.getpid() != self._pid:
            return
        self._stop.set()
        self._thread.join(timeout=STOP_GRACE + 5)


def default_workers(cache_backend: str) -> int:
    """Two web processes when the throttles count in a cache they share; one (with its threads)
    when each process would count on its own, so no limit is doubled by default."""
    return 1 if cache_backend.endswith("LocMemCache") else 2


def shared_counting_warning(workers: int, cache_backend: str) -> str | None:
    """What to tell the operator when the throttles' counts are split between web processes."""
    if workers < 2 or not cache_backend.endswith("LocMemCache"):
        return None
    return (
        f"serve: each of the {workers} web processes counts wrong codes and sign-ins on its own, "
        f"so a client gets up to {workers} times each limit; to count them together, set "
        "REDRESS_CACHE_BACKEND=django.core.cache.backends.redis.RedisCache and "
        "REDRESS_CACHE_LOCATION=redis://… (see docs/operations.md)"
    )


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return application


class Command(BaseCommand):
    help = "Serve Redress over HTTP with gunicorn, and run the background worker beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="web processes (default: 2 when the throttles count in a shared cache, else 1, "
            "so that each limit holds for the whole service)",
        )
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--no-worker", action="store_true", help="do not start the worker")

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_unsafe_start()
        backend = settings.CACHES["default"]["BACKEND"]
        if options["workers"] is None:
            options["workers"] = default_workers(backend)
        warning = shared_counting_warning(options["workers"], backend)
        if warning:
            log.warning(warning)
        supervisor = None
        if not options["no_worker"]:
            supervisor = Supervisor()
            supervisor.start()
        try:
            _Gunicorn(
                {
                    "bind": f"{options['host']}:{options['port']}",
                    "workers": options["workers"],
                    "threads": options["threads"],
                    # No access log: complainant requests must leave no trace of who made them.
                    "accesslog": None,
                    "errorlog": "-",
                    "loglevel": "warning",
                    "proc_name": "redress",
                }
            ).run()
        finally:
            if supervisor is not None:
                supervisor.stop()
