"""How long a log checkpoint takes with two witnesses on this machine (goal: at most 200 ms).

Starts two witnesses (``python -m redress.witness serve``, each with a temporary data folder,
on free loopback ports, cosigning this run's log), points Redress at them through
REDRESS_LOG_WITNESSES and REDRESS_LOG_QUORUM=2, builds a throwaway SQLite ledger under
var/bench/, and then, BENCH_CHECKPOINT_ROUNDS times (default 30), appends
BENCH_CHECKPOINT_ENTRIES entries (default 20) and times ``ledger.log.make_checkpoint()``: signing
the checkpoint, sending it to both witnesses with a consistency proof and publishing it with
their cosignatures. Each published checkpoint is then checked to carry both cosignatures.

The baseline, timed in the same run before the witnessed rounds, is the same checkpoint with no
witness configured (signed and published at once). The issue's goal is an absolute one, 200 ms
for the median checkpoint with two local witnesses, so it is printed beside the table's row
rather than as a ratio; the row's ratio says what the witnesses add.

The witnesses run in processes of their own, as an outside body's would; the time includes both
HTTP round trips and each witness's durable write (SQLite, synchronous=FULL) before it answers.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from nacl.signing import SigningKey

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from redress.ledger import tlog  # noqa: E402  (Django-free)

DB_FILE = ROOT / "var" / "bench" / "log-checkpoint.sqlite3"
DATA_DIR = ROOT / "var" / "bench" / "log-checkpoint"
ORIGIN = "bench.redress.invalid/log"
SEED = os.urandom(32)
ROUNDS = int(os.environ.get("BENCH_CHECKPOINT_ROUNDS", "30"))
ENTRIES = int(os.environ.get("BENCH_CHECKPOINT_ENTRIES", "20"))
BUDGET_MS = 200.0


class LocalWitness:
    """A witness process on a free loopback port, with its own temporary data folder."""

    def __init__(self, number: int, log_vkey: str) -> None:
        self.data = Path(tempfile.mkdtemp(prefix=f"redress-bench-witness-{number}-"))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "REDRESS"))}
        env["PYTHONPATH"] = str(ROOT / "src")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "redress.witness",
                "serve",
                "--data",
                str(self.data),
                "--name",
                f"bench.witness.invalid/{number}",
                "--listen",
                "127.0.0.1:0",
                "--log",
                log_vkey,
            ],
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.process.stderr is not None
        self.url = ""
        seen: list[str] = []
        while not self.url:
            line = self.process.stderr.readline()
            if not line:
                raise SystemExit(f"witness {number} did not start:\n{''.join(seen)}")
            seen.append(line)
            found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
            if found:
                self.url = found.group(1)
        self.log = seen
        # Keep reading what it logs, so that its pipe never fills.
        threading.Thread(target=self._drain, daemon=True).start()
        with urllib.request.urlopen(f"{self.url}/vkey", timeout=5) as response:  # noqa: S310
            self.vkey = response.read().decode().strip()

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.data, ignore_errors=True)


def main() -> int:
    log_vkey = tlog.NoteSigner(ORIGIN, SigningKey(SEED)).vkey
    witnesses = [LocalWitness(n, log_vkey) for n in (1, 2)]
    try:
        # Settings are read from the environment at import: configure before Django starts.
        os.environ["DATABASE_URL"] = f"sqlite:///{DB_FILE}"
        os.environ["REDRESS_DATA_DIR"] = str(DATA_DIR)
        os.environ["REDRESS_LEDGER_SIGNING_KEY"] = SEED.hex()
        os.environ["REDRESS_LOG_ORIGIN"] = ORIGIN
        os.environ["REDRESS_LOG_WITNESSES"] = json.dumps(
            [{"url": w.url, "vkey": w.vkey} for w in witnesses]
        )
        os.environ["REDRESS_LOG_QUORUM"] = "2"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redress.settings")
        return measure(witnesses, log_vkey)
    finally:
        for witness in witnesses:
            witness.stop()
        # The database and data folder are throwaway: a rerun builds them again.
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DB_FILE}{suffix}").unlink(missing_ok=True)
        shutil.rmtree(DATA_DIR, ignore_errors=True)


def measure(witnesses: list[LocalWitness], log_vkey: str) -> int:
    import django

    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB_FILE}{suffix}").unlink(missing_ok=True)
    DB_FILE.parent.mkdir(parents=True, exist_ok=True)
    django.setup()

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import override_settings

    from bench.report import percentile, record
    from redress.ledger import log
    from redress.ledger.append import append
    from redress.ledger.events import Action

    call_command("migrate", "ledger", verbosity=0, skip_checks=True)
    if log.vkey() != log_vkey:
        raise SystemExit("the log's key is not the one the witnesses were given")
    witness_keys = [tlog.parse_vkey(w.vkey) for w in witnesses]
    counter = 0

    def grow() -> None:
        nonlocal counter
        with transaction.atomic():
            for _ in range(ENTRIES):
                counter += 1
                append(actor="user:1", action=Action.CASE_VIEWED, obj=f"case:R-{counter}")

    def checkpoint_ms() -> tuple[float, int]:
        grow()
        started = time.perf_counter()
        made = log.make_checkpoint()
        elapsed = (time.perf_counter() - started) * 1000
        if made is None:
            raise SystemExit("make_checkpoint() made no checkpoint although the log grew")
        return elapsed, made.size

    try:
        with override_settings(LOG_WITNESSES=[], LOG_QUORUM=0):
            bare = [checkpoint_ms()[0] for _ in range(ROUNDS)]
        witnessed: list[float] = []
        for round_ in range(ROUNDS + 1):
            elapsed, size = checkpoint_ms()
            published = log.published()
            if published is None or published.size != size:
                raise SystemExit(
                    f"the checkpoint of size {size} was not published with two witnesses: "
                    "is the witness client (redress.ledger.witnesses.gather) in place yet?"
                )
            tlog.verify_checkpoint(
                published.signed_note(), log.verifier(), witness_keys, quorum=2, origin=ORIGIN
            )
            if round_:  # the first round introduces the log to the witnesses: not timed
                witnessed.append(elapsed)
    finally:
        connection.close()

    median = statistics.median(witnessed)
    print(
        f"{ROUNDS} checkpoints of {ENTRIES} new entries each; with two local witnesses: median "
        f"{median:.1f} ms, p99 {percentile(witnessed, 99):.1f} ms, max {max(witnessed):.1f} ms; "
        f"with none: median {statistics.median(bare):.1f} ms"
    )
    record(
        "log checkpoint, two local witnesses, median",
        median,
        "ms",
        baseline=statistics.median(bare),
        against="checkpoint with no witness",
        higher_is_better=False,
    )
    record(
        "log checkpoint, two local witnesses, p99",
        percentile(witnessed, 99),
        "ms",
        baseline=percentile(bare, 99),
        against="checkpoint with no witness",
        higher_is_better=False,
    )
    met = median <= BUDGET_MS
    print(f"goal (issue 18): a checkpoint with two local witnesses in at most {BUDGET_MS:.0f} ms")
    print(f"median {median:.1f} ms: {'met' if met else 'NOT MET'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
