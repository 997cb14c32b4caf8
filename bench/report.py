"""How every benchmark reports: a row printed, and an object added to var/bench/results.json.

Each result has ``benchmark`` (the script), ``name``, ``value``, ``unit``, ``baseline``, ``against``
(what the baseline is), ``ratio``, ``goal``, ``higher_is_better`` and ``met``. ``ratio`` is value /
baseline: how the product compares with the bare operation it builds on. The machine's speed drifts
by up to two times between runs, so a goal is never an absolute figure: it is a bound on the ratio,
and the baseline is timed in the same run as the value. A row without a baseline is a figure to
read, with no goal.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from pathlib import Path

# One results file for every benchmark, whatever data folder a benchmark gives its own server.
RESULTS_FILE = Path(
    os.environ.get(
        "REDRESS_BENCH_RESULTS",
        Path(__file__).resolve().parents[1] / "var" / "bench" / "results.json",
    )
)


# The benchmark writing rows: its first row replaces every row it wrote in an earlier run, so
# that rows named after a run's size or revision do not pile up.
SCRIPT = Path(sys.argv[0]).stem
_earlier_rows_dropped = False


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def goal_text(goal: float | None, higher_is_better: bool) -> str:
    """``<= 1.8x`` or ``>= 0.25x``; empty without a goal."""
    if goal is None:
        return ""
    return f"{'>=' if higher_is_better else '<='} {goal:g}x"


def record(
    name: str,
    value: float,
    unit: str,
    *,
    goal: float | None = None,
    baseline: float | None = None,
    against: str = "",
    higher_is_better: bool = True,
) -> dict[str, object]:
    """Print one figure and add it to the results file (replacing an older figure of that name).

    ``baseline`` is the bare operation's figure in the same unit, timed in the same run, and
    ``against`` names it. ``goal`` bounds value / baseline: at least ``goal`` when higher is
    better, at most ``goal`` otherwise. A goal needs a baseline."""
    global _earlier_rows_dropped
    if goal is not None and not baseline:
        raise ValueError(f"{name}: a goal is a ratio to a baseline timed in the same run")
    ratio = (value / baseline) if baseline else None
    met: bool | None = None
    if goal is not None and ratio is not None:
        met = ratio >= goal if higher_is_better else ratio <= goal
    row: dict[str, object] = {
        "benchmark": SCRIPT,
        "name": name,
        "value": round(value, 4),
        "unit": unit,
        "baseline": None if baseline is None else round(baseline, 4),
        "against": against,
        "ratio": None if ratio is None else round(ratio, 4),
        "goal": goal,
        "higher_is_better": higher_is_better,
        "met": met,
    }
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    try:
        existing = json.loads(RESULTS_FILE.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        existing = []
    if not _earlier_rows_dropped:
        existing = [r for r in existing if r.get("benchmark") != SCRIPT]
        _earlier_rows_dropped = True
    existing = [r for r in existing if r.get("name") != name]
    existing.append(row)
    RESULTS_FILE.write_text(json.dumps(existing, indent=2) + "\n")
    line = f"{name}: {value:,.3f} {unit}"
    if baseline is not None and ratio is not None:
        line += f"; {against or 'baseline'} {baseline:,.3f} {unit}; ratio {ratio:.3f}"
    if goal is not None:
        line += f"; goal {goal_text(goal, higher_is_better)}: {'met' if met else 'NOT MET'}"
    print(line, flush=True)
    return row
