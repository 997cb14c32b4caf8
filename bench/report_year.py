"""How long the full yearly transparency report takes over 1,000,000 cases on PostgreSQL.

Makes a throwaway PostgreSQL database (``redress_bench_report``, dropped and made again),
migrates it, and generates in SQL (generate_series, no Python loops) BENCH_REPORT_CASES cases
(default 1,000,000) received through 2025 with a realistic spread of category, respondent,
identity, stage and outcome, and their acknowledgement and assessment deadlines (about 2.6
million items, most met). Then times ``redress.reports.figures.compute`` for 2025 three times, each
followed by a bare ``SELECT count(*)`` of the year's cases, and reports the medians. The goal: the
report costs at most 12 times that count, timed in the same run. It also prints the report's
queries, slowest first, with each one's share of the time, so that what to make cheaper (or
which scans to fold together) can be read off.

Knobs: BENCH_REPORT_CASES, BENCH_POSTGRES_URL (the maintenance database to connect to).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
CASES = int(os.environ.get("BENCH_REPORT_CASES", "1000000"))

from bench.pg import throwaway_database  # noqa: E402

throwaway_database("redress_bench_report", "report")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.report import record  # noqa: E402
from redress.reports.figures import compute  # noqa: E402
from redress.reports.periods import year  # noqa: E402

# The report's time as a multiple of a bare count of the year's cases, timed in the same run.
GOAL = 12.0

GENERATE = """
INSERT INTO directory_person (identifier, name, kind, role_title, constituency, email)
SELECT 'P-' || g, 'Person ' || g, CASE WHEN g %% 3 = 0 THEN 'member' ELSE 'staff' END, '', '', ''
FROM generate_series(1, 500) g;

INSERT INTO vault_datakey (id, subject, wrapped, kek_id, created_at)
SELECT md5(g::text)::uuid, 'bench', '\\x00'::bytea, 'bench', now()
FROM generate_series(1, %(cases)s) g;

INSERT INTO cases_case (reference, data_key_id, stage, category, identity, respondent_id,
    received_at, decision, decided_at, sanction, stage_changed_at, acknowledged_at, assessed_at)
SELECT 'B-' || g, md5(g::text)::uuid,
    (ARRAY['received','acknowledged','assessed','investigation','findings','decision',
           'appeal_window','closed','closed','closed'])[1 + g %% 10],
    (ARRAY['bullying','harassment','sexual_misconduct','other'])[1 + (g * 7) %% 4],
    (ARRAY['named','confidential','anonymous'])[1 + (g * 13) %% 3],
    CASE WHEN g %% 9 = 0 THEN NULL ELSE (SELECT min(id) FROM directory_person) + g %% 500 END,
    timestamptz '2025-01-01 00:00:00+00' + (g %% 364) * interval '1 day'
        + (g %% 86000) * interval '1 second',
    CASE WHEN g %% 10 >= 5 THEN (ARRAY['upheld','partly_upheld','not_upheld'])[1 + g %% 3]
         ELSE '' END,
    CASE WHEN g %% 10 >= 5 THEN timestamptz '2025-01-01 00:00:00+00'
         + (g %% 364) * interval '1 day' + (30 + g %% 60) * interval '1 day' END,
    '',
    now(),
    CASE WHEN g %% 10 >= 1 THEN timestamptz '2025-01-01 00:00:00+00'
         + (g %% 364) * interval '1 day' + (g %% 9) * interval '1 day' END,
    CASE WHEN g %% 10 >= 2 THEN timestamptz '2025-01-01 00:00:00+00'
         + (g %% 364) * interval '1 day' + (g %% 25) * interval '1 day' END
FROM generate_series(1, %(cases)s) g;

INSERT INTO cases_deadline (case_id, kind, owner_role, subject, started_on, due_on,
    escalate_on, met_at)
SELECT c.id, k.kind, 'caseworker', '', c.received_at::date,
    c.received_at::date + k.days, c.received_at::date + k.days + 7,
    CASE WHEN c.id %% 10 = 0 THEN NULL
         ELSE c.received_at + ((c.id %% (k.days + 3)) * interval '1 day') END
FROM cases_case c
CROSS JOIN (VALUES ('acknowledge', 7), ('assess', 21)) AS k(kind, days);

INSERT INTO cases_deadline (case_id, kind, owner_role, subject, started_on, due_on,
    escalate_on, met_at)
SELECT c.id, 'investigation', 'investigator', '', c.received_at::date + 21,
    c.received_at::date + 105, c.received_at::date + 112,
    CASE WHEN c.id %% 4 = 0 THEN NULL ELSE c.received_at + interval '90 days' END
FROM cases_case c WHERE c.id %% 10 >= 3;
ANALYZE;
"""


def main() -> None:
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(GENERATE, {"cases": CASES})
    print(f"generated {CASES:,} cases in {time.perf_counter() - started:.1f} s")
    start, end = year(2025)
    timings, bare, queries = [], [], []
    for _ in range(3):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            figures = compute(start, end)
            timings.append(time.perf_counter() - began)
        queries.append(captured.captured_queries)
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM cases_case WHERE received_at >= %s AND received_at < %s",
                [start, end],
            )
            cursor.fetchone()
        bare.append(time.perf_counter() - began)
    print(f"grand total published: {figures.table('received').published.grid[-1][-1]}")
    print("report runs:", ", ".join(f"{t:.2f} s" for t in timings))
    print("bare count runs:", ", ".join(f"{t:.3f} s" for t in bare))
    median_run = timings.index(statistics.median(timings))
    print_queries(queries[median_run], timings[median_run], statistics.median(bare))
    record(
        f"yearly report, {CASES:,} cases",
        statistics.median(timings),
        "s",
        goal=GOAL,
        baseline=statistics.median(bare),
        against="bare count of the year",
        higher_is_better=False,
    )


def print_queries(queries: list[dict[str, str]], total: float, count: float) -> None:
    """The report's queries in its median run, slowest first: seconds, share, and as many bare
    counts as each one costs, with the start of its SQL."""
    timed = sorted(queries, key=lambda query: float(query["time"]), reverse=True)
    print(f"{len(timed)} queries; slowest first (seconds, share of the report, bare counts):")
    for query in timed[:8]:
        seconds = float(query["time"])
        share, counts = seconds / total, seconds / count
        print(f"  {seconds:6.3f} s {share:4.0%} {counts:5.1f}x  {shape(query['sql'])}")
    rest = total - sum(float(query["time"]) for query in timed)
    print(f"  {rest:6.3f} s {rest / total:4.0%}         outside the database (Python, Django)")


def shape(sql: str) -> str:
    """The start of a query and its FROM clause, on one line."""
    flat = " ".join(sql.split())
    at = flat.find(" FROM ")
    if at < 0 or at < 60:
        return flat[:150]
    return f"{flat[:60]} ...{flat[at : at + 90]}"


if __name__ == "__main__":
    main()
