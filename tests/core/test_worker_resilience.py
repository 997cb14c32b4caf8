"""The worker outlives a database restart and a failing task; serve keeps a worker running."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from collections.abc import Callable

import pytest
from django.core.management import CommandError, call_command
from django.db import InterfaceError, OperationalError
from django.test import override_settings

from redress.core.management.commands import serve, worker
from redress.ledger.append import append
from redress.ledger.models import Checkpoint

SECRET = "He said it in the lift"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Recorder:
    """A step that counts its calls and raises the errors it is given, one per call, first."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)


def make_loop(
    *, every: Recorder, periodic: Recorder, drain: Recorder, clock: FakeClock
) -> tuple[worker.WorkerLoop, list[float]]:
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    loop = worker.WorkerLoop(
        every_pass=[("tests.every", every)],
        periodic=[(("tests.periodic", periodic), 60)],
        drain=("queue", drain),
        interval=1.0,
        clock=clock,
        sleep=sleep,
    )
    return loop, slept


@pytest.fixture
def closed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(worker, "close_connections", lambda: calls.append(1))
    return calls


def test_a_database_error_once_does_not_stop_the_loop(
    closed: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    every = Recorder(OperationalError(f"server closed the connection: {SECRET}"))
    periodic, drain = Recorder(), Recorder()
    loop, slept = make_loop(every=every, periodic=periodic, drain=drain, clock=FakeClock())
    with caplog.at_level(logging.INFO, logger="redress.worker"):
        loop.run(passes=4)
    assert every.calls == 4
    # The failed pass stopped at the error; the three after it ran everything.
    assert drain.calls == 3
    assert periodic.calls == 1  # due once: every 60 s, and only 4 s passed
    assert closed == [1]
    assert slept == [1.0, 1.0, 1.0, 1.0]  # the back-off, then the ordinary interval
    lines = [r for r in caplog.records if r.name == "redress.worker"]
    assert len(lines) == 1
    assert "OperationalError" in lines[0].getMessage()
    assert SECRET not in caplog.text
    assert lines[0].exc_info is None


def test_the_back_off_doubles_up_to_30_seconds_and_resets_after_a_clean_pass(
    closed: list[int],
) -> None:
    down = [OperationalError("gone") for _ in range(6)] + [InterfaceError("closed")]
    every = Recorder(*down)
    loop, slept = make_loop(every=every, periodic=Recorder(), drain=Recorder(), clock=FakeClock())
    loop.run(passes=9)
    assert slept == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 1.0, 1.0]
    assert len(closed) == 7
    assert loop.backoff == worker.BACKOFF_FIRST


def test_a_failing_task_is_logged_and_the_others_still_run(
    closed: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    every = Recorder(ValueError(SECRET), ValueError(SECRET))
    periodic, drain = Recorder(RuntimeError(SECRET)), Recorder()
    clock = FakeClock()
    loop, slept = make_loop(every=every, periodic=periodic, drain=drain, clock=clock)
    with caplog.at_level(logging.INFO, logger="redress.worker"):
        loop.run(passes=3)
    assert every.calls == 3
    assert drain.calls == 3
    # A periodic task that failed is tried again on the next pass, not a period later.
    assert periodic.calls == 2
    assert closed == []
    assert slept == [1.0, 1.0, 1.0]
    messages = [r.getMessage() for r in caplog.records if r.name == "redress.worker"]
    assert messages == [
        "worker: tests.every failed (ValueError)",
        "worker: tests.periodic failed (RuntimeError)",
        "worker: tests.every failed (ValueError)",
    ]
    assert SECRET not in caplog.text


_flaky = Recorder()


def flaky_every_pass() -> None:
    _flaky()


@pytest.mark.django_db(transaction=True)
def test_the_real_loop_rides_out_a_database_error_and_does_its_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The command's own loop: the first pass meets a dropped database, the second signs."""
    _flaky.errors = [OperationalError("the database system is shutting down")]
    _flaky.calls = 0
    slept: list[float] = []
    append(actor="system:test", action="case.viewed", obj="case:R-TEST")
    with override_settings(EVERY_PASS=["tests.core.test_worker_resilience.flaky_every_pass"]):
        loop, _drainer = worker.loop_from_settings(1.0, sleep=slept.append)
        loop.run(passes=2)
    assert _flaky.calls == 2
    assert slept == [1.0, 1.0]
    assert Checkpoint.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_once_reports_a_failed_pass() -> None:
    append(actor="system:test", action="case.viewed", obj="case:R-TEST")
    _flaky.errors = [OperationalError("gone")]
    with (
        override_settings(EVERY_PASS=["tests.core.test_worker_resilience.flaky_every_pass"]),
        pytest.raises(CommandError, match="database is unavailable"),
    ):
        call_command("worker", "--once")
    assert not Checkpoint.objects.exists()  # the pass stopped at the database error
    _flaky.errors = [KeyError("x")]
    with (
        override_settings(EVERY_PASS=["tests.core.test_worker_resilience.flaky_every_pass"]),
        pytest.raises(CommandError, match="failed"),
    ):
        call_command("worker", "--once")
    # The failed step did not keep the rest of the pass from running.
    assert Checkpoint.objects.count() == 1


# serve: the supervision loop, driven with fake processes and a fake stop signal.


class FakeProcess:
    def __init__(self, lives: int, *, stubborn: bool = False) -> None:
        self.lives = lives  # polls answered "still running" before it exits
        self.stubborn = stubborn
        self.returncode: int | None = None
        self.terminated = self.killed = False

    def poll(self) -> int | None:
        if self.returncode is None and self.lives <= 0:
            self.returncode = 1
        self.lives -= 1
        return self.returncode

    def terminate(self) -> None:
        self.terminated = True
        if not self.stubborn:
            self.returncode = -15

    def kill(self) -> None:
        self.killed = True
        self.returncode = -9

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            raise subprocess.TimeoutExpired("worker", timeout or 0)
        return self.returncode


class FakeStop:
    """Answers "not yet" ``rounds`` times, then "stop"; each wait moves the fake clock on."""

    def __init__(self, rounds: int, clock: FakeClock) -> None:
        self.rounds = rounds
        self.clock = clock
        self.waits: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        self.clock.now += timeout or 0
        self.rounds -= 1
        return self.rounds < 0


def starter(*processes: FakeProcess) -> tuple[Callable[[], FakeProcess], list[FakeProcess]]:
    queue, started = list(processes), []

    def start() -> FakeProcess:
        process = queue.pop(0)
        started.append(process)
        return process

    return start, started


def test_serve_restarts_a_worker_that_exits_and_stops_the_last_one() -> None:
    clock = FakeClock()
    start, started = starter(FakeProcess(lives=1), FakeProcess(lives=100))
    stop = FakeStop(rounds=5, clock=clock)
    serve.supervise(start, stop, poll_every=1.0, clock=clock)
    assert len(started) == 2
    first, second = started
    assert first.returncode == 1
    assert not first.terminated
    # One poll of the first worker, then the wait before starting it again, then polls.
    assert stop.waits == [1.0, serve.RESTART_FIRST, 1.0, 1.0, 1.0, 1.0]
    assert second.terminated
    assert not second.killed


def test_a_worker_that_dies_at_once_is_restarted_ever_more_slowly() -> None:
    clock = FakeClock()
    start, started = starter(*(FakeProcess(lives=0) for _ in range(9)))
    stop = FakeStop(rounds=7, clock=clock)
    serve.supervise(start, stop, clock=clock)
    assert stop.waits == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    assert len(started) == 8


def test_a_worker_that_ran_a_while_is_restarted_quickly_again() -> None:
    clock = FakeClock()
    start, started = starter(
        FakeProcess(lives=0), FakeProcess(lives=0), FakeProcess(lives=100), FakeProcess(lives=5)
    )
    # Two quick deaths (waits 1, 2), then one that lives 100 polls: the wait is back to 1.
    stop = FakeStop(rounds=2 + 100 + 1 + 1, clock=clock)
    serve.supervise(start, stop, poll_every=1.0, clock=clock)
    assert stop.waits[:2] == [1.0, 2.0]
    assert stop.waits[102] == serve.RESTART_FIRST
    assert len(started) == 4
    assert started[3].terminated


def test_a_worker_that_will_not_stop_is_killed() -> None:
    process = FakeProcess(lives=100, stubborn=True)
    serve.stop_process(process, grace=0.01)
    assert process.terminated
    assert process.killed


def test_the_supervisor_stops_a_real_worker_process_cleanly() -> None:
    processes: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        processes.append(process)
        return process

    supervisor = serve.Supervisor(start)
    supervisor.start()
    deadline = time.monotonic() + 10
    while not processes and time.monotonic() < deadline:
        time.sleep(0.01)
    began = time.monotonic()
    supervisor.stop()
    assert time.monotonic() - began < 5
    assert len(processes) == 1
    assert processes[0].returncode is not None
