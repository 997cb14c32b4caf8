"""How many reports ``POST /api/reports`` takes a second, against a bare insert on the same stack.

Sets up a throwaway PostgreSQL database (``redress_bench``, dropped and made again) and data
folder (var/bench/intake), migrates it, and serves Redress with gunicorn on a free loopback port,
with ``bench.bare.settings``: Redress's own settings plus one view, ``POST /bench/bare-insert``,
that runs a single raw INSERT behind the same middleware. A separate process (stdlib only:
asyncio streams, keep-alive connections) then sends reports over BENCH_CONCURRENCY connections
(default 16) for BENCH_SECONDS in all (default 60), and the same to the bare view. The two take
turns in BENCH_ROUNDS rounds (default 4; the first of each after a short warm-up), so that
any drift in the machine's speed falls on both. Each round opens new connections; each gunicorn
worker takes no more than its share of them, since one that took most of them would keep one
core busy while the other idled, and which of the two paths had that luck would decide the
ratio. Latencies are those of the 201 answers, measured at the client, so they include any wait
for a free server thread. Where /proc can be read (Linux), it also prints what each report cost in
CPU time: gunicorn (master and workers), PostgreSQL (all its processes, so run nothing else
against it meanwhile) and the load generator, so a ratio can be told apart into where the time
went. The goal: a report costs at most 1.8 times a bare insert, both timed in the same run, as the
machine's time each takes at full load (the bare insert's rate over intake's).

Knobs: BENCH_SECONDS, BENCH_WARMUP_SECONDS (2), BENCH_CONCURRENCY (16), BENCH_WORKERS (2),
BENCH_THREADS (gthread threads per worker, 4, as ``redress serve``; 1 means sync workers),
BENCH_WORKER_CONNECTIONS (the most connections one gthread worker takes at a time: by default
its share, BENCH_CONCURRENCY / BENCH_WORKERS, so that every round's connections are spread evenly
and the busiest worker's share of CPU, printed for each round, stays near one half), BENCH_ROUNDS,
BENCH_KEEPALIVE (1; 0 sends ``Connection: close`` so each request takes a new connection) and
BENCH_POSTGRES_URL (the maintenance database to connect to).
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import percentile, record  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
WARMUP_SECONDS = float(os.environ.get("BENCH_WARMUP_SECONDS", "2"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "4"))
WORKER_CONNECTIONS = int(
    os.environ.get("BENCH_WORKER_CONNECTIONS", str(-(-CONCURRENCY // max(1, WORKERS))))
)
ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = "redress_bench"
DATA_DIR = ROOT / "var" / "bench" / "intake"
SERVER_LOG = DATA_DIR / "gunicorn.log"
BIN = ROOT / ".venv" / "bin"
INTAKE_PATH = "/api/reports"
BARE_PATH = "/bench/bare-insert"
MAX_FAILURE_SHARE = 0.01
# What a report may cost, as a multiple of the bare insert timed in the same run: about what a
# minimal view that only encrypts and appends to a chained ledger costs.
COST_GOAL = 1.8

NARRATIVE = (
    "My line manager has shouted at me in front of the team at three weekly meetings in a row, "
    "calling my work useless and saying I should think about whether I belong here. After I "
    "raised it informally he moved my desk away from the team, stopped inviting me to planning "
    "sessions and gave the project I had led for a year to a new starter. Two colleagues saw the "
    "meetings and told me afterwards they were shocked. I have been signed off sick for a week "
    "with anxiety and I am frightened of going back. I want it to stop and to be treated fairly."
)
REPORT = {
    "category": "bullying",
    "what_happened": NARRATIVE,
    "identity": "anonymous",
    "respondent_description": "A manager",
}


# --- The load generator: a separate process, standard library only -------------------------


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes, bool]:
    """Send one request; return the status, the body and whether the server keeps the line."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    version, status = lines[0].split(" ", 2)[:2]
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip().lower()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
        keep = headers.get("connection") != "close" and version == "HTTP/1.1"
    else:
        body = await reader.read()
        keep = False
    return int(status), body, keep


class Tally:
    """What one phase of load saw: 201 latencies (ms), a count per status, the first failure."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.statuses: dict[str, int] = {}
        self.first_error: str | None = None

    def add(self, status: int, body: bytes, seconds: float) -> None:
        self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
        if status == 201:
            self.latencies.append(seconds * 1000)
        elif self.first_error is None:
            self.first_error = f"{status}: {body[:2000].decode('utf-8', 'replace')}"


async def _client(host: str, port: int, request: bytes, deadline: float, tally: Tally) -> None:
    reader = writer = None
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            if reader is None or writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            status, body, keep = await _exchange(reader, writer, request)
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            status, body, keep = 0, repr(error).encode(), False
        tally.add(status, body, time.perf_counter() - started)
        if not keep and writer is not None:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def _load(host: str, port: int, path: str, seconds: float, concurrency: int) -> dict:
    body = json.dumps(REPORT).encode()
    close = "" if os.environ.get("BENCH_KEEPALIVE", "1") == "1" else "Connection: close\r\n"
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Accept: application/json\r\nContent-Length: {len(body)}\r\n{close}\r\n"
    ).encode() + body
    tally = Tally()
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(_client(host, port, request, deadline, tally) for _ in range(concurrency))
    )
    return {"elapsed": time.perf_counter() - started, **vars(tally)}


def load_generator(argv: list[str]) -> None:
    """``intake_api.py --load HOST PORT PATH WARMUP SECONDS CONCURRENCY``: JSON on stdout."""
    host, port, path = argv[0], int(argv[1]), argv[2]
    warmup, seconds, concurrency = float(argv[3]), float(argv[4]), int(argv[5])
    if warmup > 0:
        asyncio.run(_load(host, port, path, warmup, concurrency))
    print(json.dumps(asyncio.run(_load(host, port, path, seconds, concurrency))))


# --- The benchmark ---------------------------------------------------------------------------


def database_url(name: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def drop_database() -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def create_bare_table() -> None:
    import psycopg

    with psycopg.connect(database_url(DB_NAME), autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_bare (id bigserial PRIMARY KEY, body text NOT NULL)"
        )


def server_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        REDRESS_DATA_DIR=str(DATA_DIR),
        DATABASE_URL=database_url(DB_NAME),
        DJANGO_SETTINGS_MODULE="bench.bare.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, log: object) -> subprocess.Popen[bytes]:
    workers = ["--workers", str(WORKERS)]
    if THREADS > 1:
        workers += ["--worker-class", "gthread", "--threads", str(THREADS)]
        # Each worker takes at most its share of the connections, so that the share each
        # happens to get cannot decide the round (a worker with twelve of sixteen keeps one
        # core busy and leaves the other half idle).
        workers += ["--worker-connections", str(WORKER_CONNECTIONS)]
    # No --access-logfile: gunicorn's access log is off unless asked for, as in `redress serve`.
    return subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "redress.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            *workers,
            "--log-level",
            "warning",
            "--error-logfile",
            "-",
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=server_environment(),
        stdout=log,  # type: ignore[arg-type]
        stderr=subprocess.STDOUT,
    )


def wait_healthy(server: subprocess.Popen[bytes], port: int) -> None:
    url = f"http://127.0.0.1:{port}/healthz"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see {SERVER_LOG}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer 200 within 60 s; see {SERVER_LOG}")


# --- CPU time, from /proc ---------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _children_of(root: int) -> dict[int, float]:
    """CPU seconds of each live child of ``root`` (gunicorn's workers, PostgreSQL's backends)."""
    spent = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            child = _stat(int(name))
            if child is not None and int(child[1]) == root:
                spent[int(name)] = (int(child[11]) + int(child[12])) / _TICK
    return spent


def _tree_cpu(root: int) -> float:
    """CPU seconds of ``root``, of its live children, and of the children it has reaped.

    A child that ends between two readings (a database connection recycled, CONN_MAX_AGE) is
    counted all the same: once its parent has reaped it, its time is in the parent's.
    """
    own = _stat(root)
    if own is None:
        return 0.0
    ticks = sum(int(own[i]) for i in (11, 12, 13, 14))  # utime, stime, cutime, cstime
    return ticks / _TICK + sum(_children_of(root).values())


def _postmaster_pid() -> int:
    """PostgreSQL's main process: the parent of the backend serving a connection."""
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
    backend = _stat(int(row[0])) if row else None
    if backend is None:
        raise OSError("PostgreSQL's processes cannot be read here")
    return int(backend[1])


class CpuMeter:
    """CPU seconds spent by gunicorn (its master and workers) and by PostgreSQL (every process
    of the server: backends, and the WAL writer, checkpointer and autovacuum that their writes
    set to work), read from /proc, so only where the server runs on this machine."""

    def __init__(self, server_pid: int) -> None:
        self.roots = {"web": server_pid, "database": _postmaster_pid()}

    def snapshot(self) -> dict[str, float]:
        return {part: _tree_cpu(root) for part, root in self.roots.items()}

    def workers(self) -> dict[int, float]:
        return _children_of(self.roots["web"])

    @staticmethod
    def busiest_share(before: dict[int, float], after: dict[int, float]) -> float | None:
        """The busiest worker's share of the workers' CPU between two readings."""
        spent = [after[pid] - before[pid] for pid in after if pid in before]
        return max(spent) / sum(spent) if spent and sum(spent) > 0 else None

    @staticmethod
    def spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
        return {part: after[part] - before[part] for part in after}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _meter(server_pid: int) -> CpuMeter | None:
    try:
        return CpuMeter(server_pid)
    except OSError as unreadable:  # no /proc, or PostgreSQL on another machine
        print(f"CPU a row is not measured: {unreadable}")
        return None


def run_load(
    port: int, path: str, seconds: float, *, warm: bool, meter: CpuMeter | None = None
) -> dict:
    warmup = WARMUP_SECONDS if warm else 0
    arguments = [str(port), path, str(warmup), str(seconds), str(CONCURRENCY)]
    # The warm-up runs inside the load generator, so its CPU is counted with the round's.
    before = meter.snapshot() if meter and not warm else None
    workers_before = meter.workers() if meter else {}
    load_before = _children_cpu()
    result = subprocess.run(
        [sys.executable, __file__, "--load", "127.0.0.1", *arguments],
        check=False,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(f"the load generator failed ({result.returncode}):\n{result.stderr}")
    measured = dict(json.loads(result.stdout))
    if meter is not None:
        measured["busiest"] = CpuMeter.busiest_share(workers_before, meter.workers())
    if meter is not None and before is not None:
        measured["cpu"] = {
            **CpuMeter.spent(before, meter.snapshot()),
            "load generator": _children_cpu() - load_before,
        }
    return measured


def _combined(rounds: list[dict]) -> dict:
    """One phase's rounds as one result: their latencies, statuses and time added up."""
    statuses: dict[str, int] = {}
    for result in rounds:
        for status, count in result["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    return {
        "elapsed": sum(result["elapsed"] for result in rounds),
        "latencies": [latency for result in rounds for latency in result["latencies"]],
        "statuses": statuses,
        "first_error": next((r["first_error"] for r in rounds if r["first_error"]), None),
        "cpu": _cpu_of([r for r in rounds if "cpu" in r]),
        "busiest": [r["busiest"] for r in rounds if r.get("busiest") is not None],
    }


def _cpu_of(rounds: list[dict[str, Any]]) -> dict[str, float] | None:
    """CPU milliseconds a created row cost each part, over the rounds that were measured."""
    created = sum(len(r["latencies"]) for r in rounds)
    if not rounds or not created:
        return None
    parts = rounds[0]["cpu"].keys()
    return {part: sum(r["cpu"][part] for r in rounds) / created * 1000 for part in parts}


def print_cpu(label: str, result: dict[str, Any]) -> None:
    cpu = result["cpu"]
    if cpu:
        shares = ", ".join(f"{part} {ms:.2f} ms" for part, ms in cpu.items())
        print(f"{label}: CPU a row: {shares}; {sum(cpu.values()):.2f} ms in all")
    if result["busiest"] and WORKERS > 1:
        rounds = ", ".join(f"{share:.0%}" for share in result["busiest"])
        print(f"{label}: the busiest worker's share of web CPU, each round: {rounds}")


def summarise(label: str, result: dict) -> tuple[float, list[float]]:
    latencies: list[float] = result["latencies"]
    statuses: dict[str, int] = result["statuses"]
    total = sum(statuses.values())
    failed = total - statuses.get("201", 0)
    rate = len(latencies) / result["elapsed"]
    print(
        f"{label}: {len(latencies):,} created in {result['elapsed']:.1f} s = {rate:,.1f}/s; "
        f"p50 {percentile(latencies, 50):.1f} ms, p99 {percentile(latencies, 99):.1f} ms; "
        f"{failed:,} of {total:,} failed {statuses}"
    )
    if total == 0 or failed / total > MAX_FAILURE_SHARE:
        print(f"first error from {label}: {result['first_error']}", file=sys.stderr)
        raise SystemExit(f"{label}: more than {MAX_FAILURE_SHARE:.0%} of requests failed")
    return rate, latencies


def measure(port: int, meter: CpuMeter | None = None) -> None:
    rounds = max(1, ROUNDS)
    print(
        f"{SECONDS:g} s each, in {rounds} alternating rounds, {CONCURRENCY} connections, "
        f"gunicorn {WORKERS} workers"
        + (f" x {THREADS} threads (gthread)" if THREADS > 1 else " (sync)"),
        flush=True,
    )
    intake_rounds, bare_rounds = [], []
    for number in range(rounds):
        # The two paths take turns, so that any drift in the machine's speed falls on both.
        first_round = number == 0
        each = SECONDS / rounds
        bare_rounds.append(run_load(port, BARE_PATH, each, warm=first_round, meter=meter))
        intake_rounds.append(run_load(port, INTAKE_PATH, each, warm=first_round, meter=meter))
    intake, bare = _combined(intake_rounds), _combined(bare_rounds)
    intake_rate, latencies = summarise("intake", intake)
    bare_rate, bare_latencies = summarise("bare insert", bare)
    print_cpu("intake", intake)
    print_cpu("bare insert", bare)
    if intake["cpu"] and bare["cpu"]:
        # Beside the ratio of rates: the bare insert leaves some CPU idle, intake does not.
        record(
            "intake CPU a report",
            sum(intake["cpu"].values()),
            "ms",
            baseline=sum(bare["cpu"].values()),
            against="bare insert's CPU",
            higher_is_better=False,
        )
    record(
        "intake API reports/s", intake_rate, "reports/s", baseline=bare_rate, against="bare insert"
    )
    for p in (50, 99):
        record(
            f"intake API p{p} latency",
            percentile(latencies, p),
            "ms",
            baseline=percentile(bare_latencies, p),
            against="bare insert",
            higher_is_better=False,
        )
    # The machine's time a report takes at full load, against a bare insert's in the same run.
    record(
        "intake cost vs bare insert",
        1000 / intake_rate,
        "ms",
        goal=COST_GOAL,
        baseline=1000 / bare_rate,
        against="bare insert",
        higher_is_better=False,
    )


def main() -> None:
    # A polite kill still stops the server and drops the database (through ``finally``).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    shutil.rmtree(DATA_DIR, ignore_errors=True)
    DATA_DIR.mkdir(parents=True)
    recreate_database()
    server = None
    passed = False
    try:
        subprocess.run(
            [str(BIN / "redress"), "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=server_environment(),
            check=True,
        )
        create_bare_table()
        port = free_port()
        with SERVER_LOG.open("wb") as log:
            server = start_server(port, log)
            wait_healthy(server, port)
            measure(port, _meter(server.pid))
        passed = True
    except BaseException:
        if SERVER_LOG.exists():
            tail = "\n".join(SERVER_LOG.read_text(errors="replace").splitlines()[-20:])
            print(f"--- end of {SERVER_LOG}:\n{tail}", file=sys.stderr)
        raise
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        drop_database()
        if passed:  # keep the server's log (and the throwaway keys) only when something failed
            shutil.rmtree(DATA_DIR, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--load"]:
        load_generator(sys.argv[2:])
    else:
        main()
