"""How many reports ``POST /api/reports`` takes a second, against a bare insert on the same stack.

Sets up a throwaway PostgreSQL database (``redress_bench``, dropped and made again) and data folder
(var/bench/intake), migrates it, and serves Redress with gunicorn on a free loopback port, with
``bench.bare.settings``: Redress's own settings plus one view, ``POST /bench/bare-insert``, that
runs a single raw INSERT behind the same middleware. A separate process (stdlib only: asyncio
streams, keep-alive connections) then sends reports over BENCH_CONCURRENCY connections (default 16)
for BENCH_SECONDS in all (default 60), and the same to the bare view. The two take turns in
BENCH_ROUNDS rounds (default 4; the first of each after a short warm-up), so that any drift in the
machine's speed falls on both. Each round opens new connections; each gunicorn worker takes no more
than its share of them, since one that took most of them would keep one core busy while the other
idled, and which of the two paths had that luck would decide the ratio. Latencies are those of the
201 answers, measured at the client, so they include any wait for a free server thread. Where /proc
can be read (Linux), it also prints what each report cost in CPU time: gunicorn (master and
workers), PostgreSQL (all its processes, so run nothing else against it meanwhile) and the load
generator, so a ratio can be told apart into where the time went. The goal: a report costs at most
1.8 times a bare insert, both timed in the same run, as the machine's time each takes at full load
(the bare insert's rate over intake's).

Knobs: BENCH_SECONDS, BENCH_WARMUP_SECONDS (2), BENCH_CONCURRENCY (16), BENCH_WORKERS (2),
BENCH_THREADS (gthread threads per worker, 4, as ``redress serve``; 1 means sync workers),
BENCH_WORKER_CONNECTIONS (the most connections one gthread worker takes at a time: by default
its share, BENCH_CONCURRENCY / BENCH_WORKERS, so that every round's connections are spread evenly
and the busiest worker's share of CPU, printed for each round, stays near one half), BENCH_ROUNDS,
BENCH_KEEPALIVE (1; 0 sends ``Connection: close`` so each request takes a new connection) and
BENCH_POSTGRES_URL (the maintenance database to connect to).

``BENCH_COMPARE_REF=<git revision>`` also serves that revision's code beside this checkout's, so
that two versions are compared under the same machine noise. The revision is checked out in a git
worktree under /tmp (removed afterwards) and served by a second gunicorn with the same workers,
threads and connections, under Redress's own settings (the bare view is served by this checkout
alone), from the same .venv, with PYTHONPATH pointing at the worktree's src/ (only its Python code
differs: the installed packages and the built assets are this checkout's). Each revision gets its
own database (``redress_bench`` and ``redress_bench_ref``), migrated by its own migrations, and its
own data folder. Every round runs the bare insert, then the two revisions, which go first in turn
(so use an even BENCH_ROUNDS). It prints, for each revision, reports/s, p50, p99 and the cost
against the bare insert, and this checkout's reports/s as a share of the other's (goal: at least
0.95).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
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
BIN = ROOT / ".venv" / "bin"
COMPARE_REF = os.environ.get("BENCH_COMPARE_REF", "").strip()
INTAKE_PATH = "/api/reports"
BARE_PATH = "/bench/bare-insert"
MAX_FAILURE_SHARE = 0.01
# What a report may cost, as a multiple of the bare insert timed in the same run: about what a
# minimal view that only encrypts and appends to a chained ledger costs.
COST_GOAL = 1.8
# This checkout's reports/s as a share of the other revision's, measured in the same run.
COMPARE_GOAL = 0.95

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


@dataclass
class Revision:
    """Code to serve: a checkout's root, with its own database and data folder."""

    label: str
    code: Path
    database: str
    data_dir: Path
    settings: str = "redress.settings"
    server: subprocess.Popen[bytes] | None = None
    port: int = 0

    @property
    def log(self) -> Path:
        return self.data_dir / "gunicorn.log"

    def environment(self) -> dict[str, str]:
        """The environment its commands and its server run in: its own src/ first on the path
        (the checkout root too, for this checkout's ``bench.bare``), its database and folder."""
        env = dict(os.environ)
        paths = [str(self.code / "src")]
        if self.code == ROOT:
            paths.append(str(ROOT))
        env.update(
            REDRESS_DATA_DIR=str(self.data_dir),
            DATABASE_URL=database_url(self.database),
            DJANGO_SETTINGS_MODULE=self.settings,
            PYTHONPATH=os.pathsep.join(filter(None, [*paths, env.get("PYTHONPATH")])),
        )
        return env

    def run(self, *command: str, cwd: Path | None = None) -> str:
        """A command with this revision's code; its output, or SystemExit with its errors."""
        done = subprocess.run(
            list(command),
            cwd=cwd or self.code,
            env=self.environment(),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise SystemExit(f"{self.label}: {' '.join(command)} failed:\n{done.stderr}")
        return done.stdout


def recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_bare_table(name: str) -> None:
    import psycopg

    with psycopg.connect(database_url(name), autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_bare (id bigserial PRIMARY KEY, body text NOT NULL)"
        )


def prepare(revision: Revision) -> None:
    """A fresh data folder and database, migrated by the revision's own migrations; check that
    its Python really imports ``redress`` from the revision's code."""
    shutil.rmtree(revision.data_dir, ignore_errors=True)
    revision.data_dir.mkdir(parents=True)
    recreate_database(revision.database)
    python = str(BIN / "python")
    found = revision.run(python, "-c", "import redress; print(redress.__file__)").strip()
    if not Path(found).resolve().is_relative_to((revision.code / "src").resolve()):
        raise SystemExit(f"{revision.label}: redress is imported from {found}, not its own code")
    revision.run(python, "-m", "django", "migrate", "--noinput", "-v", "0")
    print(f"{revision.label}: code from {revision.code / 'src'}, database {revision.database}")


# --- Another revision, from a git worktree ------------------------------------------------------


def git(*arguments: str) -> str:
    return subprocess.run(
        ["git", *arguments], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


def describe_checkout() -> str:
    """This checkout as ``HEAD 1a2b3c4d5e``, saying so when src/ has uncommitted changes."""
    try:
        head = git("rev-parse", "--short=10", "HEAD")
        changed = git("status", "--porcelain", "--", "src")
    except (OSError, subprocess.CalledProcessError):
        return "this checkout"
    return f"this checkout (HEAD {head}{', with changes in src/' if changed else ''})"


def check_out(ref: str) -> Revision:
    """``ref`` in a new git worktree under /tmp, with this checkout's built assets and its own
    compiled translations, so that only the Python code differs."""
    try:
        commit = git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except subprocess.CalledProcessError:
        raise SystemExit(f"BENCH_COMPARE_REF={ref} names no commit here") from None
    tree = Path(tempfile.mkdtemp(prefix="redress-bench-ref-")) / "code"
    git("worktree", "add", "--detach", str(tree), commit)
    revision = Revision(
        label=f"{ref} ({commit[:10]})",
        code=tree,
        database="redress_bench_ref",
        data_dir=ROOT / "var" / "bench" / "intake-ref",
    )
    try:
        (tree / "build").symlink_to(ROOT / "build", target_is_directory=True)
        locale = tree / "src" / "redress" / "locale"
        if locale.is_dir():
            python = str(BIN / "python")
            revision.run(python, "-m", "django", "compilemessages", "-v", "0", cwd=locale)
    except BaseException:
        remove_checkout(revision)
        raise
    return revision


def remove_checkout(revision: Revision) -> None:
    subprocess.run(
        ["git", "worktree", "remove", "--force", str(revision.code)],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    shutil.rmtree(revision.code.parent, ignore_errors=True)
    subprocess.run(["git", "worktree", "prune"], cwd=ROOT, capture_output=True, check=False)


# --- Serving -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(revision: Revision, log: object) -> None:
    workers = ["--workers", str(WORKERS)]
    if THREADS > 1:
        workers += ["--worker-class", "gthread", "--threads", str(THREADS)]
        # Each worker takes at most its share of the connections, so that the share each
        # happens to get cannot decide the round (a worker with twelve of sixteen keeps one
        # core busy and leaves the other half idle).
        workers += ["--worker-connections", str(WORKER_CONNECTIONS)]
    revision.port = free_port()
    # No --access-logfile: gunicorn's access log is off unless asked for, as in `redress serve`.
    revision.server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "redress.wsgi:application",
            "--bind",
            f"127.0.0.1:{revision.port}",
            *workers,
            "--log-level",
            "warning",
            "--error-logfile",
            "-",
            "--no-control-socket",
        ],
        cwd=revision.code,
        env=revision.environment(),
        stdout=log,  # type: ignore[arg-type]
        stderr=subprocess.STDOUT,
    )


def wait_healthy(revision: Revision) -> None:
    server = revision.server
    assert server is not None
    url = f"http://127.0.0.1:{revision.port}/healthz"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see {revision.log}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer 200 within 60 s; see {revision.log}")


def stop_server(revision: Revision) -> None:
    server = revision.server
    if server is None:
        return
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


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
        # Read while the connection is open: its backend ends when it closes.
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


@dataclass
class Load:
    """One path put under load: on which server, and what each of its rounds measured."""

    label: str
    revision: Revision
    path: str
    meter: CpuMeter | None
    rounds: list[dict[str, Any]] = field(default_factory=list)

    def run_round(self, seconds: float, *, warm: bool) -> None:
        port = self.revision.port
        self.rounds.append(run_load(port, self.path, seconds, warm=warm, meter=self.meter))

    def rates(self) -> list[float]:
        return [len(r["latencies"]) / r["elapsed"] for r in self.rounds]


def measure(bare: Load, intakes: list[Load]) -> None:
    """Put every path under load in turn, round after round, and record what they did."""
    loads = [bare, *intakes]
    rounds = max(1, ROUNDS)
    print(
        f"{SECONDS:g} s each, in {rounds} rounds taking turns, {CONCURRENCY} connections, "
        f"gunicorn {WORKERS} workers"
        + (f" x {THREADS} threads (gthread)" if THREADS > 1 else " (sync)"),
        flush=True,
    )
    for number in range(rounds):
        # Every path runs in every round, so that any drift in the machine's speed falls on
        # each: the bare insert first, then the revisions, which go first in turn, so that each
        # follows the bare insert (and the other revision) as often as the other does.
        turn = intakes if number % 2 == 0 else intakes[::-1]
        for load in [bare, *turn]:
            load.run_round(SECONDS / rounds, warm=number == 0)
    results = {load.label: _combined(load.rounds) for load in loads}
    rates, latencies = {}, {}
    for load in loads:
        rates[load.label], latencies[load.label] = summarise(load.label, results[load.label])
    for load in loads:
        print_cpu(load.label, results[load.label])
    for load in loads:
        print(f"{load.label}, each round: {', '.join(f'{r:,.1f}/s' for r in load.rates())}")

    this = intakes[0]
    intake, bare_result = results[this.label], results[bare.label]
    if intake["cpu"] and bare_result["cpu"]:
        # Beside the ratio of rates: the bare insert leaves some CPU idle, intake does not.
        record(
            "intake CPU a report",
            sum(intake["cpu"].values()),
            "ms",
            baseline=sum(bare_result["cpu"].values()),
            against="bare insert's CPU",
            higher_is_better=False,
        )
    record_intake("", rates[this.label], latencies[this.label], rates, latencies, bare)
    if len(intakes) > 1:
        other = intakes[1]
        record_intake(
            f", {COMPARE_REF[:20]}",
            rates[other.label],
            latencies[other.label],
            rates,
            latencies,
            bare,
        )
        cpu = {label: sum(r["cpu"].values()) if r["cpu"] else None for label, r in results.items()}
        print_comparison(bare, this, other, rates, latencies, cpu)


def record_intake(
    suffix: str,
    rate: float,
    own: list[float],
    rates: dict[str, float],
    latencies: dict[str, list[float]],
    bare: Load,
) -> None:
    """One revision's figures, each beside the bare insert's; the cost goal for this checkout."""
    bare_rate, bare_latencies = rates[bare.label], latencies[bare.label]
    record(
        f"intake API reports/s{suffix}",
        rate,
        "reports/s",
        baseline=bare_rate,
        against="bare insert",
    )
    for p in (50, 99):
        record(
            f"intake API p{p} latency{suffix}",
            percentile(own, p),
            "ms",
            baseline=percentile(bare_latencies, p),
            against="bare insert",
            higher_is_better=False,
        )
    # The machine's time a report takes at full load, against a bare insert's in the same run.
    record(
        f"intake cost vs bare insert{suffix}",
        1000 / rate,
        "ms",
        goal=None if suffix else COST_GOAL,
        baseline=1000 / bare_rate,
        against="bare insert",
        higher_is_better=False,
    )


def print_comparison(
    bare: Load,
    this: Load,
    other: Load,
    rates: dict[str, float],
    latencies: dict[str, list[float]],
    cpu: dict[str, float | None],
) -> None:
    """Both revisions side by side, and this checkout's reports/s as a share of the other's.

    CPU a row (all parts: web, database, load generator) moves less with other processes' load
    than the rates do, so it is shown beside them."""
    print()
    print(
        f"{'served':<44} {'reports/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'cost vs bare':>13}"
        f" {'CPU a row':>10}"
    )
    for load, name in ((this, this.revision.label), (other, other.revision.label), (bare, "")):
        own = latencies[load.label]
        cost = rates[bare.label] / rates[load.label]
        used = cpu[load.label]
        print(
            f"{name or load.label:<44.44} {rates[load.label]:>10,.1f}"
            f" {percentile(own, 50):>8.1f} {percentile(own, 99):>8.1f} {cost:>12.2f}x"
            f" {'' if used is None else f'{used:.2f} ms':>10}"
        )
    each = [mine / theirs for mine, theirs in zip(this.rates(), other.rates(), strict=True)]
    print(
        f"this checkout's reports/s over {other.revision.label}'s:"
        f" {rates[this.label] / rates[other.label]:.3f}"
        f" (each round: {', '.join(f'{ratio:.3f}' for ratio in each)})"
    )
    mine, theirs = cpu[this.label], cpu[other.label]
    if mine and theirs:
        print(f"this checkout's CPU a report over {other.revision.label}'s: {mine / theirs:.3f}")
    print()
    record(
        f"intake reports/s against {COMPARE_REF[:20]}",
        rates[this.label],
        "reports/s",
        goal=COMPARE_GOAL,
        baseline=rates[other.label],
        against=f"{other.revision.label}",
    )


def main() -> None:
    # A polite kill still stops the servers, drops the databases and removes the worktree
    # (through ``finally``).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    this = Revision(
        label=describe_checkout(),
        code=ROOT,
        database="redress_bench",
        data_dir=ROOT / "var" / "bench" / "intake",
        settings="bench.bare.settings",
    )
    revisions = [this]
    other = None
    passed = False
    try:
        if COMPARE_REF:
            other = check_out(COMPARE_REF)
            revisions.append(other)
        for revision in revisions:
            prepare(revision)
        create_bare_table(this.database)
        with contextlib.ExitStack() as logs:
            for revision in revisions:
                start_server(revision, logs.enter_context(revision.log.open("wb")))
            for revision in revisions:
                wait_healthy(revision)
            assert this.server is not None
            meter = _meter(this.server.pid)
            intakes = [Load("intake", this, INTAKE_PATH, meter)]
            if other is not None and other.server is not None:
                intakes.append(
                    Load(f"intake at {COMPARE_REF}", other, INTAKE_PATH, _meter(other.server.pid))
                )
            measure(Load("bare insert", this, BARE_PATH, meter), intakes)
        passed = True
    except BaseException:
        for revision in revisions:
            if revision.log.exists():
                tail = "\n".join(revision.log.read_text(errors="replace").splitlines()[-20:])
                print(f"--- end of {revision.log}:\n{tail}", file=sys.stderr)
        raise
    finally:
        for revision in revisions:
            stop_server(revision)
            drop_database(revision.database)
        if other is not None:
            remove_checkout(other)
        if passed:  # keep the servers' logs (and the throwaway keys) only when something failed
            for revision in revisions:
                shutil.rmtree(revision.data_dir, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--load"]:
        load_generator(sys.argv[2:])
    else:
        main()
