"""How long one pass of the deadline sweep takes over 1,000,000 open items on PostgreSQL.

Makes a throwaway database (``redress_bench_sweep``), migrates it and generates in SQL 200,000
cases with 1,000,000 open deadline items (BENCH_SWEEP_ITEMS): about 10% past due, 3% past their
escalation date, 5% paused, the rest not yet due, plus 500,000 items already met or cancelled.
Each case has a caseworker assigned, so overdue items are told to a person. Then times
``redress.cases.sweep.sweep()`` three times, putting the items back between runs (then a
CHECKPOINT, so a pass does not pay for writing out the reset's pages), each pass followed by a
bare UPDATE of the same overdue rows, and reports the medians. The goal: a pass costs at most
1.2 times the bare UPDATE timed in the same run.

Knobs: BENCH_SWEEP_ITEMS, BENCH_POSTGRES_URL (the maintenance database to connect to).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
ITEMS = int(os.environ.get("BENCH_SWEEP_ITEMS", "1000000"))

from bench.pg import throwaway_database  # noqa: E402

throwaway_database("redress_bench_sweep", "sweep")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.report import record  # noqa: E402
from redress.cases.sweep import sweep  # noqa: E402

TODAY = dt.date(2026, 11, 25)
# A pass's time as a multiple of a bare UPDATE of the rows it marks, timed in the same run.
GOAL = 1.2
GENERATE = """
INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email,
    is_staff, is_active, date_joined, display_name, is_demo)
SELECT '!', false, 'cw' || g, '', '', '', false, true, now(), 'Caseworker ' || g, false
FROM generate_series(1, 50) g;

INSERT INTO vault_datakey (id, subject, wrapped, kek_id, created_at)
SELECT md5(g::text)::uuid, 'bench', '\\x00'::bytea, 'bench', now()
FROM generate_series(1, %(cases)s) g;

INSERT INTO cases_case (reference, data_key_id, stage, category, identity, received_at,
    decision, sanction, stage_changed_at)
SELECT 'S-' || g, md5(g::text)::uuid, 'investigation', 'bullying', 'named', now(), '', '', now()
FROM generate_series(1, %(cases)s) g;

INSERT INTO cases_assignment (case_id, user_id, role, assigned_at)
SELECT c.id, (SELECT min(id) FROM accounts_user) + c.id %% 50, 'caseworker', now()
FROM cases_case c;

-- Open items: g %% 100 decides the state: 0-9 past due, 10-12 past escalation, 13-17 paused.
INSERT INTO cases_deadline (case_id, kind, owner_role, subject, started_on, due_on,
    escalate_on, paused_remaining, overdue_at)
SELECT (SELECT min(id) FROM cases_case) + g %% %(cases)s, 'feedback', 'caseworker', '',
    date %(today)s - 30,
    CASE WHEN g %% 100 < 10 THEN date %(today)s - 2
         WHEN g %% 100 < 13 THEN date %(today)s - 12
         ELSE date %(today)s + (g %% 40) END,
    CASE WHEN g %% 100 < 10 THEN date %(today)s + 5
         WHEN g %% 100 < 13 THEN date %(today)s - 5
         ELSE date %(today)s + (g %% 40) + 7 END,
    CASE WHEN g %% 100 BETWEEN 13 AND 17 THEN 4 END,
    CASE WHEN g %% 100 BETWEEN 10 AND 12 THEN now() - interval '10 days' END
FROM generate_series(1, %(items)s) g;

-- Closed items, which the sweep must not touch.
INSERT INTO cases_deadline (case_id, kind, owner_role, subject, started_on, due_on,
    escalate_on, met_at)
SELECT (SELECT min(id) FROM cases_case) + g %% %(cases)s, 'acknowledge', 'caseworker', '',
    date %(today)s - 60, date %(today)s - 50, date %(today)s - 43, now() - interval '55 days'
FROM generate_series(1, %(items)s / 2) g;
ANALYZE;
"""
RESET = """
UPDATE cases_deadline SET overdue_at = NULL WHERE overdue_at >= now() - interval '1 day';
UPDATE cases_deadline SET escalated_at = NULL WHERE escalated_at IS NOT NULL;

DELETE FROM ledger_entry; UPDATE ledger_head SET seq = 0;
VACUUM ANALYZE cases_deadline;
CHECKPOINT;
"""


def main() -> None:
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(GENERATE, {"cases": ITEMS // 5, "items": ITEMS, "today": TODAY.isoformat()})
    print(f"generated {ITEMS:,} open items in {time.perf_counter() - started:.1f} s")
    timings, bare, results = [], [], []
    for _ in range(3):
        connection.close()
        with connection.cursor() as cursor:
            for statement in RESET.split(";"):
                if statement.strip():
                    cursor.execute(statement)
        began = time.perf_counter()
        result = sweep(today=TODAY)
        timings.append(time.perf_counter() - began)
        results.append(result)
        with connection.cursor() as cursor:
            began = time.perf_counter()
            cursor.execute(
                "UPDATE cases_deadline SET overdue_at = overdue_at WHERE overdue_at IS NOT NULL"
                " AND met_at IS NULL AND cancelled_at IS NULL AND paused_remaining IS NULL"
            )
            bare.append(time.perf_counter() - began)
    print(f"overdue {results[-1].overdue:,}, escalated {results[-1].escalated:,}")
    print("sweep runs:", ", ".join(f"{t:.2f} s" for t in timings))
    print("bare UPDATE runs:", ", ".join(f"{t:.2f} s" for t in bare))
    record(
        f"deadline sweep, {ITEMS:,} open items",
        statistics.median(timings),
        "s",
        goal=GOAL,
        baseline=statistics.median(bare),
        against="bare UPDATE, same rows",
        higher_is_better=False,
    )


if __name__ == "__main__":
    main()
