"""How many full tiles of the published log ``redress serve`` answers a second, beside /healthz.

Sets up a throwaway PostgreSQL database (``redress_bench_log_tiles``, dropped and made again)
and data folder (var/bench/log-tiles), migrates it, appends BENCH_LOG_TILES x 256 entries to the
ledger (default 8 full tiles) through the one append, and signs a checkpoint (no witnesses, so it
is published at once). It then serves Redress with gunicorn on a free loopback port, started as the
intake benchmark starts it (bench/intake_api.py: BENCH_WORKERS workers of BENCH_THREADS gthread
threads, as ``redress serve``, no access log), and a separate process (stdlib only: asyncio
streams, keep-alive connections) fetches, over BENCH_CONCURRENCY connections:

- ``/healthz``: the baseline, the same middleware and one ``SELECT 1``;
- ``/log/tile/0/<N>``: the full level-0 tiles in turn (8,192 bytes each);
- ``/log/tile/entries/<N>``: the full entry bundles in turn (8,704 bytes each).

They take turns in BENCH_ROUNDS rounds (default 4; the first after a short warm-up), for
BENCH_SECONDS in all each (default 30), so that any drift in the machine's speed falls on each.
Only 200 answers of the right length count. The goal: a full tile costs at most 1.25 times a
health check, as tiles/s over /healthz's requests/s in the same run (at least 0.8). The issue
asks for at least 2,000 full tiles a second from ``redress serve``; that figure is printed
beside, as it depends on the machine.

Knobs: BENCH_SECONDS, BENCH_WARMUP_SECONDS (2), BENCH_ROUNDS (4), BENCH_CONCURRENCY (16),
BENCH_WORKERS (2), BENCH_THREADS (4), BENCH_WORKER_CONNECTIONS, BENCH_LOG_TILES (8) and
BENCH_POSTGRES_URL (the maintenance database to connect to).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.intake_api import (  # noqa: E402
    BIN,
    CONCURRENCY,
    ROUNDS,
    THREADS,
    WARMUP_SECONDS,
    WORKERS,
    Revision,
    _exchange,
    describe_checkout,
    drop_database,
    prepare,
    start_server,
    stop_server,
    wait_healthy,
)
from bench.report import percentile, record  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "30"))
TILES = int(os.environ.get("BENCH_LOG_TILES", "8"))
MAX_FAILURE_SHARE = 0.01
# A full tile costs at most 1.25 health checks: tiles/s at least 0.8 of /healthz's requests/s.
GOAL = 0.8
# The figure, on its reference machine.
TILES_A_SECOND = 2_000
HEALTH = "/healthz"


def tile_index(n: int) -> str:
    """A tile index as tlog-tiles writes it: groups of three digits, all but the last after x."""
    groups = [f"{n % 1000:03d}"]
    while n >= 1000:
        n //= 1000
        groups.append(f"x{n % 1000:03d}")
    return "/".join(reversed(groups))


# --- Filling the log: run in the benchmark's environment -------------------------------------


def fill(count: int) -> None:
    """``log_tiles.py --fill COUNT``: append COUNT entries and publish a checkpoint of them."""
    import django

    django.setup()
    from redress.ledger import log
    from redress.ledger.append import append
    from redress.ledger.events import Action

    for n in range(count):
        append(actor=f"user:{n % 50}", action=Action.CASE_VIEWED, obj=f"case:R-{n:08d}")
    made = log.make_checkpoint()
    if made is None or not made.published:
        raise SystemExit("the checkpoint was not published (are witnesses configured?)")
    print(made.size)


# --- The load generator: a separate process, standard library only -------------------------


class Tally:
    """What one phase of load saw: latencies (ms) of the right answers, a count per status."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.statuses: dict[str, int] = {}
        self.first_error: str | None = None

    def add(self, status: int, body: bytes, length: int | None, seconds: float) -> None:
        right = status == 200 and (length is None or len(body) == length)
        key = str(status) if status != 200 or right else "200 of the wrong length"
        self.statuses[key] = self.statuses.get(key, 0) + 1
        if right:
            self.latencies.append(seconds * 1000)
        elif self.first_error is None:
            self.first_error = f"{status}: {body[:500].decode('utf-8', 'replace')}"


async def _client(
    host: str,
    port: int,
    requests: list[bytes],
    length: int | None,
    offset: int,
    deadline: float,
    tally: Tally,
) -> None:
    reader = writer = None
    turn = offset
    while time.perf_counter() < deadline:
        request = requests[turn % len(requests)]
        turn += 1
        started = time.perf_counter()
        try:
            if reader is None or writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            status, body, keep = await _exchange(reader, writer, request)
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            status, body, keep = 0, repr(error).encode(), False
        tally.add(status, body, length, time.perf_counter() - started)
        if not keep and writer is not None:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def _load(
    host: str, port: int, paths: list[str], length: int | None, seconds: float, concurrency: int
) -> dict:
    requests = [f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode() for path in paths]
    tally = Tally()
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(_client(host, port, requests, length, n * 7, deadline, tally) for n in range(concurrency))
    )
    return {"elapsed": time.perf_counter() - started, **vars(tally)}


def load_generator(argv: list[str]) -> None:
    """``log_tiles.py --load HOST PORT WARMUP SECONDS CONCURRENCY LENGTH PATH...``: JSON out.
    LENGTH is the body's length every answer must have, or 0 for any."""
    host, port = argv[0], int(argv[1])
    warmup, seconds, concurrency = float(argv[2]), float(argv[3]), int(argv[4])
    length = int(argv[5]) or None
    paths = argv[6:]
    if warmup > 0:
        asyncio.run(_load(host, port, paths, length, warmup, concurrency))
    print(json.dumps(asyncio.run(_load(host, port, paths, length, seconds, concurrency))))


# --- The benchmark ---------------------------------------------------------------------------


class Phase:
    """One kind of request put under load, and what each of its rounds measured."""

    def __init__(self, label: str, paths: list[str], length: int | None) -> None:
        self.label = label
        self.paths = paths
        self.length = length
        self.rounds: list[dict] = []

    def run_round(self, port: int, seconds: float, *, warm: bool) -> None:
        arguments = [
            "127.0.0.1",
            str(port),
            str(WARMUP_SECONDS if warm else 0),
            str(seconds),
            str(CONCURRENCY),
            str(self.length or 0),
            *self.paths,
        ]
        result = subprocess.run(
            [sys.executable, __file__, "--load", *arguments],
            check=False,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise SystemExit(f"the load generator failed ({result.returncode}):\n{result.stderr}")
        self.rounds.append(json.loads(result.stdout))

    def summary(self) -> tuple[float, list[float]]:
        """Requests a second and latencies over all rounds; SystemExit when too many failed."""
        elapsed = sum(r["elapsed"] for r in self.rounds)
        latencies = [latency for r in self.rounds for latency in r["latencies"]]
        statuses: dict[str, int] = {}
        for r in self.rounds:
            for status, count in r["statuses"].items():
                statuses[status] = statuses.get(status, 0) + count
        total = sum(statuses.values())
        failed = total - len(latencies)
        rate = len(latencies) / elapsed
        each = ", ".join(f"{len(r['latencies']) / r['elapsed']:,.0f}/s" for r in self.rounds)
        print(
            f"{self.label}: {len(latencies):,} in {elapsed:.1f} s = {rate:,.1f}/s "
            f"(each round: {each}); p50 {percentile(latencies, 50):.2f} ms, "
            f"p99 {percentile(latencies, 99):.2f} ms; {failed:,} of {total:,} failed {statuses}"
        )
        if total == 0 or failed / total > MAX_FAILURE_SHARE:
            first = next((r["first_error"] for r in self.rounds if r["first_error"]), None)
            print(f"first error from {self.label}: {first}", file=sys.stderr)
            raise SystemExit(f"{self.label}: more than {MAX_FAILURE_SHARE:.0%} of requests failed")
        return rate, latencies


def measure(port: int, tiles: int) -> None:
    health = Phase("/healthz", [HEALTH], None)
    tile = Phase("full tiles", [f"/log/tile/0/{tile_index(n)}" for n in range(tiles)], 256 * 32)
    bundle = Phase(
        "full entry bundles", [f"/log/tile/entries/{tile_index(n)}" for n in range(tiles)], 256 * 34
    )
    phases = [health, tile, bundle]
    rounds = max(1, ROUNDS)
    print(
        f"{SECONDS:g} s each, in {rounds} rounds taking turns, {CONCURRENCY} connections, "
        f"gunicorn {WORKERS} workers"
        + (f" x {THREADS} threads (gthread)" if THREADS > 1 else " (sync)")
        + f"; {tiles} full tiles",
        flush=True,
    )
    for number in range(rounds):
        # The baseline first, then the log's two kinds of tile in turn.
        turn = phases[1:] if number % 2 == 0 else phases[:0:-1]
        for phase in [health, *turn]:
            phase.run_round(port, SECONDS / rounds, warm=number == 0)
    health_rate, health_latencies = health.summary()
    rates = {}
    for phase, name in ((tile, "log full tiles/s"), (bundle, "log full entry bundles/s")):
        rates[name], latencies = phase.summary()
        record(
            name,
            rates[name],
            "requests/s",
            goal=GOAL if phase is tile else None,
            baseline=health_rate,
            against="/healthz, same server and run",
        )
        record(
            f"{name[:-2]} p99 latency",
            percentile(latencies, 99),
            "ms",
            baseline=percentile(health_latencies, 99),
            against="/healthz, same server and run",
            higher_is_better=False,
        )
    verdict = "met" if rates["log full tiles/s"] >= TILES_A_SECOND else "not met"
    print(f"the issue's {TILES_A_SECOND:,} full tiles a second, on this machine: {verdict}")


def main() -> None:
    # A polite kill still stops the server and drops the database (through ``finally``).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # No witnesses: the checkpoint the tiles are served under is published at once.
    os.environ.update(REDRESS_LOG_WITNESSES="[]", REDRESS_LOG_QUORUM="0")
    this = Revision(
        label=describe_checkout(),
        code=ROOT,
        database="redress_bench_log_tiles",
        data_dir=ROOT / "var" / "bench" / "log-tiles",
    )
    passed = False
    try:
        prepare(this)
        started = time.perf_counter()
        size = this.run(str(BIN / "python"), __file__, "--fill", str(TILES * 256)).strip()
        print(
            f"log filled: {size} entries, checkpoint published, in "
            f"{time.perf_counter() - started:.1f} s"
        )
        with this.log.open("wb") as server_log:
            start_server(this, server_log)
            wait_healthy(this)
            measure(this.port, TILES)
        passed = True
    except BaseException:
        if this.log.exists():
            tail = "\n".join(this.log.read_text(errors="replace").splitlines()[-20:])
            print(f"--- end of {this.log}:\n{tail}", file=sys.stderr)
        raise
    finally:
        stop_server(this)
        drop_database(this.database)
        if passed:  # keep the server's log (and the throwaway keys) only when something failed
            shutil.rmtree(this.data_dir, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--load"]:
        load_generator(sys.argv[2:])
    elif sys.argv[1:2] == ["--fill"]:
        fill(int(sys.argv[2]))
    else:
        main()
