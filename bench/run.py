"""Run every benchmark in bench/ and print the table of var/bench/results.json."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.report import RESULTS_FILE  # noqa: E402

SKIP = {"run.py", "report.py", "__init__.py"}


def main() -> int:
    failures = 0
    for script in sorted(HERE.glob("*.py")):
        if script.name in SKIP or script.name.startswith("_"):
            continue
        print(f"== {script.stem}", flush=True)
        started = time.monotonic()
        result = subprocess.run([sys.executable, str(script)], check=False)
        if result.returncode:
            failures += 1
            print(f"   {script.name} failed with exit code {result.returncode}")
        print(f"   ({time.monotonic() - started:.1f} s)")
    rows = json.loads(RESULTS_FILE.read_text()) if RESULTS_FILE.exists() else []
    print()
    header = (
        f"{'benchmark':<44} {'value':>14} {'unit':<12} {'baseline':>14} {'ratio':>8} "
        f"{'goal':>12}  met"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        baseline = "" if row["baseline"] is None else f"{row['baseline']:,.2f}"
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.3f}"
        goal = "" if row["goal"] is None else f"{row['goal']:,}"
        print(
            f"{row['name']:<44} {row['value']:>14,.3f} {row['unit']:<12} {baseline:>14} "
            f"{ratio:>8} {goal:>12}  {'yes' if row['met'] else 'NO'}"
        )
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
