"""The cost of appending to the ledger under concurrent load, on PostgreSQL.

Several processes each run short transactions for BENCH_APPEND_SECONDS (default 10): either one
``ledger.append`` (which takes the head-row lock, so appenders queue for it) or, as the baseline,
one plain INSERT into an unlocked table. Reports appends/s beside bare
inserts/s and the p99 latency of an append transaction. If the head were the bottleneck,
throughput would flatten and p99 would grow with the number of processes: this measures that.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
DATABASE = "redress_bench_append"
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
os.environ["REDRESS_DATA_DIR"] = str(ROOT / "var" / "bench" / "append")
os.environ["REDRESS_LEDGER_SIGNING_KEY"] = os.urandom(32).hex()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redress.settings")

import psycopg  # noqa: E402

from bench.report import percentile, record  # noqa: E402

SECONDS = float(os.environ.get("BENCH_APPEND_SECONDS", "10"))
WORKERS = int(os.environ.get("BENCH_APPEND_WORKERS", "8"))


def recreate_database() -> None:
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        db.execute(f"CREATE DATABASE {DATABASE}")


def work(kind: str, until: float, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    import django

    django.setup()
    from django.db import connection, transaction

    from redress.ledger.append import append
    from redress.ledger.events import Action

    latencies: list[float] = []
    n = 0
    while time.monotonic() < until:
        started = time.perf_counter()
        with transaction.atomic():
            if kind == "append":
                append(actor="user:1", action=Action.CASE_VIEWED, obj=f"case:R-{os.getpid()}-{n}")
            else:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "INSERT INTO bench_bare (actor, action, object) VALUES (%s, %s, %s)",
                        ["user:1", "case.viewed", f"case:R-{os.getpid()}-{n}"],
                    )
        latencies.append((time.perf_counter() - started) * 1000)
        n += 1
    out.put(latencies)


def run(kind: str) -> tuple[float, list[float]]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    until = time.monotonic() + 2 + SECONDS  # two seconds for the workers to start
    procs = [context.Process(target=work, args=(kind, until, queue)) for _ in range(WORKERS)]
    for proc in procs:
        proc.start()
    latencies: list[float] = []
    for _ in procs:
        latencies.extend(queue.get())
    for proc in procs:
        proc.join()
    return len(latencies) / SECONDS, latencies


def main() -> int:
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_bare (id bigserial PRIMARY KEY, actor text, action text,"
            " object text, at timestamptz DEFAULT now())"
        )
    connection.close()
    try:
        bare_rate, bare_lat = run("bare")
        append_rate, append_lat = run("append")
        from redress.ledger.verification import verify

        result = verify()
        assert result.ok, result
        print(f"{WORKERS} processes, {SECONDS:.0f} s each; chain of {result.checked:,} verified")
        record(
            "ledger appends/s under load (PostgreSQL)",
            append_rate,
            "entries/s",
            goal=None,
            baseline=bare_rate,
        )
        record(
            "ledger append transaction p99",
            percentile(append_lat, 99),
            "ms",
            goal=None,
            baseline=percentile(bare_lat, 99),
            higher_is_better=False,
        )
    finally:
        connection.close()
        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
        ) as db:
            db.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
