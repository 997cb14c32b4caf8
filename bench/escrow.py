"""What an escrow entry costs with 1,000,000 entries already held, against one raw ristretto255
scalar multiplication timed in the same run, on PostgreSQL.

Makes a throwaway database (``redress_bench_escrow``, dropped and made again, and dropped at the
end), migrates it, sets up a counsellor's key, and copies in BENCH_ESCROW_HELD held entries (default
1,000,000) in bulk, straight into the table: random pointers, identity and code digests, and random
sealed bundles as long as real ones for reports of 150 to 1,500 characters. A tenth of the measured
entries are about a respondent another person already has an entry about: that entry is planted
among the held ones, with the pointer the real key gives, so those measured entries match.

The measured entries (BENCH_ESCROW_ENTRIES, default 2,000) go through the real code path,
``escrow.actions.lodge`` with the key service in this process: blinding, the key's evaluation,
the pointer, the sealed bundle, the row, its ledger entry and the match check. In each of
BENCH_ESCROW_ROUNDS rounds (default 10) a batch of raw scalar multiplications
(``pysodium.crypto_scalarmult_ristretto255``) is timed, then a batch of entries, so that both
meet the same load. An entry's CPU is this process's and its database backend's, over the batch
(the backend's only where /proc can be read). The match check is ``lodge``'s look for other
entries at the same pointer (``escrow.actions._match``, timed as lodge calls it), and, when a
match is found, making it.

Goals, as multiples of one scalar multiplication: an entry costs at most 20 of CPU, and a match
check's p99 takes at most 50 (wall time). The second ratio moves with the machine's load more than
the first: a match check waits for PostgreSQL at each of its statements, a multiplication only for a
core.

For a quick run: ``BENCH_ESCROW_HELD=20000 BENCH_ESCROW_ENTRIES=300``.
Knobs: BENCH_ESCROW_HELD, BENCH_ESCROW_ENTRIES, BENCH_ESCROW_ROUNDS, BENCH_POSTGRES_URL.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
HELD = int(os.environ.get("BENCH_ESCROW_HELD", "1000000"))
ENTRIES = int(os.environ.get("BENCH_ESCROW_ENTRIES", "2000"))
ROUNDS = max(1, int(os.environ.get("BENCH_ESCROW_ROUNDS", "10")))
DATABASE = "redress_bench_escrow"
DATA_DIR = ROOT / "var" / "bench" / "escrow"

from bench.pg import drop_database, throwaway_database  # noqa: E402

throwaway_database(DATABASE, "escrow")

import django  # noqa: E402

django.setup()

import pysodium  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.report import percentile, record  # noqa: E402
from redress.accounts.models import User  # noqa: E402
from redress.escrow import actions, protocol  # noqa: E402
from redress.escrow.models import CounsellorKey, EscrowEntry, Match  # noqa: E402

# Goals, as multiples of one raw scalar multiplication timed in the same run.
ENTRY_CPU_GOAL = 20.0
MATCH_CHECK_P99_GOAL = 50.0
MULTIPLICATIONS = 1000  # in each round's batch
MATCHING_EVERY = 10  # one entry in ten is about someone already held by another person
WARM_UP = 20  # entries made before the measured ones
PASSPHRASE = "a counsellor's long passphrase"  # noqa: S105 - the run's throwaway key
REPORT = (
    "He cornered me in the corridor after the evening session and put his hand on my waist, "
    "then told me that if I wanted to keep my job I should be friendlier to him. He has made "
    "remarks about my clothes at most meetings since the spring. I am not ready to make a "
    "complaint on my own, but I would if I knew I was not the only one."
)
COPY_COLUMNS = (
    "pointer",
    "sealed",
    "counsellor_id",
    "identity_digest",
    "code_digest",
    "status",
    "created_at",
)


# --- The held entries ---------------------------------------------------------------------------


def sealed_overhead(key: CounsellorKey) -> int:
    """How much longer a real sealed bundle is than twice its payload (the payload is encrypted,
    then hex-encoded inside the bundle): measured on one sealed here."""
    payload = json.dumps({"report": REPORT, "contact": "someone@example.org"})
    derived = protocol.derive(os.urandom(64), 2)
    x = protocol.x_for("email:someone@example.org")
    sealed = protocol.seal_entry(payload, derived, x, bytes(key.public_key))
    return len(sealed) - 2 * len(payload)


def held_rows(
    key: CounsellorKey, planted: list[bytes], overhead: int
) -> Iterator[tuple[object, ...]]:
    """HELD rows of the table's shape: the planted pointers first, then random ones."""
    rng = random.Random(2026)
    now = timezone.now()
    for number in range(HELD):
        pointer = planted[number] if number < len(planted) else os.urandom(32)
        payload = rng.randrange(150, 1500) + len('{"report": "", "contact": ""}') + 24
        yield (
            pointer,
            os.urandom(overhead + 2 * payload),
            key.pk,
            os.urandom(32),
            os.urandom(32),
            "held",
            now - dt.timedelta(seconds=rng.randrange(0, 2 * 365 * 86400)),
        )


def copy_held(rows: Iterator[tuple[object, ...]]) -> None:
    """COPY the rows in, in PostgreSQL's binary format, with the table's own column types."""
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        cursor.execute(
            "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute"
            " WHERE attrelid = 'escrow_escrowentry'::regclass AND attnum > 0"
        )
        types = dict(cursor.fetchall())
        columns = ", ".join(COPY_COLUMNS)
        with cursor.copy(f"COPY escrow_escrowentry ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types([types[column] for column in COPY_COLUMNS])
            for row in rows:
                copy.write_row(row)
    raw.commit()


def respondent(number: int) -> str:
    """The respondent of the ``number``-th measured entry: one in MATCHING_EVERY is someone a
    held entry is already about (``P-<n>``), the rest are about nobody held yet."""
    if number % MATCHING_EVERY == 0:
        return f"P-{number // MATCHING_EVERY}"
    return f"M-{number}"


def planted_pointers() -> list[bytes]:
    """The real pointers of the respondents the matching entries are about, through the key
    service, as a first entry about each would have had."""
    planted = []
    for number in range(0, ENTRIES, MATCHING_EVERY):
        planted.append(protocol.derive(actions.phi_for(respondent(number)), 2).pointer)
    return planted


def set_up() -> None:
    call_command("migrate", verbosity=0)
    counsellor = User.objects.create(username="counsellor", display_name="Counsellor")
    key = actions.create_counsellor_key(counsellor, PASSPHRASE)
    started = time.perf_counter()
    planted = planted_pointers()
    copy_held(held_rows(key, planted, sealed_overhead(key)))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE escrow_escrowentry")
        cursor.execute("CHECKPOINT")
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('escrow_escrowentry'))")
        (size,) = cursor.fetchone()
    print(
        f"{HELD:,} entries held ({size} with indexes, {len(planted):,} of them about someone "
        f"a measured entry is about), made in {time.perf_counter() - started:.1f} s"
    )


# --- Timing -------------------------------------------------------------------------------------


class BackendCpu:
    """CPU seconds of this connection's PostgreSQL backend, from /proc; None where unreadable."""

    def __init__(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (self.pid,) = cursor.fetchone()
        self.tick = os.sysconf("SC_CLK_TCK")

    def seconds(self) -> float | None:
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / self.tick


def multiplications(count: int) -> tuple[float, float]:
    """Seconds of CPU and of wall time for one raw scalar multiplication, over ``count``."""
    scalars = [pysodium.crypto_core_ristretto255_scalar_random() for _ in range(16)]
    points = [pysodium.crypto_core_ristretto255_random() for _ in range(16)]
    multiply = pysodium.crypto_scalarmult_ristretto255
    cpu, wall = time.process_time(), time.perf_counter()
    for number in range(count):
        multiply(scalars[number % 16], points[number % 16])
    return (time.process_time() - cpu) / count, (time.perf_counter() - wall) / count


class Timed:
    """``escrow.actions._match`` as lodge calls it, with the wall time of each call kept."""

    def __init__(self, match: Callable[..., Any]) -> None:
        self.match = match
        self.seconds: list[float] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.match(*args, **kwargs)
        finally:
            self.seconds.append(time.perf_counter() - started)


def lodge(number: int, about: str | None = None) -> None:
    actions.lodge(
        respondent_identifier=about or respondent(number),
        report=REPORT,
        identity=f"email:complainant{number}@example.org",
        contact=f"complainant{number}@example.org",
    )


def measure() -> None:
    if not callable(getattr(actions, "_match", None)):
        raise SystemExit("escrow.actions._match is gone: time the match check where it went")
    timed = Timed(actions._match)
    actions._match = timed  # type: ignore[assignment]
    backend = BackendCpu()
    for number in range(WARM_UP):  # caches, key files, statements; about no one held
        lodge(ENTRIES + number, about=f"W-{number}")
    multiplications(MULTIPLICATIONS)
    timed.seconds.clear()
    mult_cpu, mult_wall, lodge_wall = [], [], []
    client_cpu = backend_cpu = 0.0
    backend_known = True
    batch = -(-ENTRIES // ROUNDS)
    for first in range(0, ENTRIES, batch):
        # A batch of multiplications, then a batch of entries: each round's load falls on both.
        cpu, wall = multiplications(MULTIPLICATIONS)
        mult_cpu.append(cpu)
        mult_wall.append(wall)
        client, server = time.process_time(), backend.seconds()
        for number in range(first, min(first + batch, ENTRIES)):
            started = time.perf_counter()
            lodge(number)
            lodge_wall.append(time.perf_counter() - started)
        client_cpu += time.process_time() - client
        after = backend.seconds()
        if server is None or after is None:
            backend_known = False
        else:
            backend_cpu += after - server
    report(mult_cpu, mult_wall, lodge_wall, timed.seconds, client_cpu, backend_cpu, backend_known)


def report(
    mult_cpu: list[float],
    mult_wall: list[float],
    lodge_wall: list[float],
    checks: list[float],
    client_cpu: float,
    backend_cpu: float,
    backend_known: bool,
) -> None:
    made = len(lodge_wall)
    one_cpu, one_wall = statistics.median(mult_cpu) * 1e6, statistics.median(mult_wall) * 1e6
    client_us, backend_us = client_cpu / made * 1e6, backend_cpu / made * 1e6
    entry_cpu = client_us + (backend_us if backend_known else 0)
    matches = Match.objects.count()
    lodged = EscrowEntry.objects.count() - HELD - WARM_UP
    checks_us = [seconds * 1e6 for seconds in checks]
    print(
        f"one scalar multiplication: {one_cpu:.1f} us CPU, {one_wall:.1f} us wall "
        f"(medians of {len(mult_cpu)} batches of {MULTIPLICATIONS:,}; batches "
        f"{min(mult_cpu) * 1e6:.1f}-{max(mult_cpu) * 1e6:.1f} us CPU)"
    )
    print(
        f"{made:,} entries made through escrow.actions.lodge ({lodged:,} new rows, "
        f"{matches:,} matches): {made / sum(lodge_wall):,.1f}/s in one process; "
        f"wall p50 {percentile(lodge_wall, 50) * 1e3:.2f} ms, p99 "
        f"{percentile(lodge_wall, 99) * 1e3:.2f} ms"
    )
    backend_text = f"{backend_us:.0f} us" if backend_known else "not readable here, left out"
    print(
        f"CPU an entry: {client_us:.0f} us in this process, database backend {backend_text}; "
        f"{entry_cpu:.0f} us = {entry_cpu / one_cpu:.1f} scalar multiplications"
    )
    print(
        f"match checks: {len(checks):,}; p50 {percentile(checks_us, 50):.0f} us, "
        f"p99 {percentile(checks_us, 99):.0f} us, largest {max(checks_us):.0f} us"
    )
    against = "ristretto255 scalar mult"
    record(
        f"escrow entry CPU, {HELD:,} held",
        entry_cpu,
        "us",
        goal=ENTRY_CPU_GOAL,
        baseline=one_cpu,
        against=against + ", CPU",
        higher_is_better=False,
    )
    record(
        f"escrow match check p99, {HELD:,} held",
        percentile(checks_us, 99),
        "us",
        goal=MATCH_CHECK_P99_GOAL,
        baseline=one_wall,
        against=against,
        higher_is_better=False,
    )
    record(
        f"escrow match check p50, {HELD:,} held",
        percentile(checks_us, 50),
        "us",
        baseline=one_wall,
        against=against,
        higher_is_better=False,
    )
    record(f"escrow entries/s, one process, {HELD:,} held", made / sum(lodge_wall), "entries/s")


def main() -> None:
    try:
        set_up()
        measure()
    finally:
        connection.close()
        drop_database(DATABASE)
        if Path(os.environ["REDRESS_DATA_DIR"]) == DATA_DIR:  # its throwaway keys
            shutil.rmtree(DATA_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
