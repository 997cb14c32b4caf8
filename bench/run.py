"""Run every benchmark in bench/ and print the table of var/bench/results.json.

``bench/run.py`` runs them all, starting from an empty results file; ``bench/run.py sweep
escrow`` runs only those, keeping the other rows. Each goal is a ratio to a baseline timed in the
same run (bench/report.py); the table shows the measured ratio beside it and whether it is met.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.report import RESULTS_FILE, goal_text  # noqa: E402

SKIP = {"run.py", "report.py", "pg.py", "__init__.py"}


def scripts(chosen: list[str]) -> list[Path]:
    every = [s for s in sorted(HERE.glob("*.py")) if s.name not in SKIP and s.name[0] != "_"]
    if not chosen:
        return every
    unknown = set(chosen) - {s.stem for s in every}
    if unknown:
        names = ", ".join(s.stem for s in every)
        raise SystemExit(f"no benchmark named {', '.join(sorted(unknown))}; there are: {names}")
    return [s for s in every if s.stem in chosen]


def table(rows: list[dict]) -> None:
    header = (
        f"{'benchmark':<46} {'value':>12} {'unit':<10} {'baseline':>12}  {'against':<30}"
        f" {'ratio':>7} {'goal':>9}  met"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        baseline = "" if row["baseline"] is None else f"{row['baseline']:,.3f}"
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.3f}"
        goal = goal_text(row["goal"], row.get("higher_is_better", True))
        met = {True: "yes", False: "NO"}.get(row["met"], "") if row["goal"] is not None else ""
        print(
            f"{row['name']:<46.46} {row['value']:>12,.3f} {row['unit']:<10} {baseline:>12}  "
            f"{row.get('against', ''):<30.30} {ratio:>7} {goal:>9}  {met}"
        )


def main(chosen: list[str]) -> int:
    chosen_scripts = scripts(chosen)
    if not chosen:
        RESULTS_FILE.unlink(missing_ok=True)
    failures = 0
    for script in chosen_scripts:
        print(f"== {script.stem}", flush=True)
        started = time.monotonic()
        result = subprocess.run([sys.executable, str(script)], check=False)
        if result.returncode:
            failures += 1
            print(f"   {script.name} failed with exit code {result.returncode}")
        print(f"   ({time.monotonic() - started:.1f} s)")
    rows = json.loads(RESULTS_FILE.read_text()) if RESULTS_FILE.exists() else []
    print()
    table(rows)
    missed = [row["name"] for row in rows if row["goal"] is not None and row["met"] is False]
    if missed:
        print(f"\n{len(missed)} goal(s) not met: {'; '.join(missed)}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
