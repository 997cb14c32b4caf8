"""How every benchmark reports: a row printed, and an object added to var/bench/results.json.

Each result has ``name``, ``value``, ``unit``, ``baseline``, ``ratio``, ``goal`` and ``met``.
``ratio`` is value / baseline (how the product compares with the bare operation it builds on).
"""

from __future__ import annotations

import json
import os
import statistics
from pathlib import Path

# One results file for every benchmark, whatever data folder a benchmark gives its own server.
RESULTS_FILE = Path(
    os.environ.get(
        "REDRESS_BENCH_RESULTS",
        Path(__file__).resolve().parents[1] / "var" / "bench" / "results.json",
    )
)


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def record(
    name: str,
    value: float,
    unit: str,
    *,
    goal: float | None,
    baseline: float | None = None,
    higher_is_better: bool = True,
) -> dict[str, object]:
    """Print one figure and add it to the results file (replacing an older figure of that name)."""
    ratio = (value / baseline) if baseline else None
    met = True if goal is None else (value >= goal if higher_is_better else value <= goal)
    row: dict[str, object] = {
        "name": name,
        "value": round(value, 4),
        "unit": unit,
        "baseline": None if baseline is None else round(baseline, 4),
        "ratio": None if ratio is None else round(ratio, 4),
        "goal": goal,
        "met": met,
    }
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    try:
        existing = json.loads(RESULTS_FILE.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        existing = []
    existing = [r for r in existing if r.get("name") != name]
    existing.append(row)
    RESULTS_FILE.write_text(json.dumps(existing, indent=2) + "\n")
    direction = ">=" if higher_is_better else "<="
    goal_text = "" if goal is None else f"goal {direction} {goal:,}"
    base_text = "" if baseline is None else f"baseline {baseline:,.2f} ratio {ratio:.3f}"
    verdict = "met" if met else "NOT MET"
    print(f"{name:<44} {value:>14,.3f} {unit:<10} {base_text:<36} {goal_text:<18} {verdict}")
    return row
