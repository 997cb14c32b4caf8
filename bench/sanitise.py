"""How long the upload sanitiser takes to clean each kind of file, and how large it is.

For each kind it parses (JPEG, PNG, PDF, DOCX, MP3, WAV, Ogg, M4A) it cleans one tagged sample,
built in memory by the tests' own sample makers (``tests/intake``), BENCH_ROUNDS times (default
15) two ways: ``sanitise()`` called in this process (the parsing and rewriting alone), and
``sandbox.clean()`` (the whole upload path: a fresh limited child process per file, its imports
included). It prints the median of each, in milliseconds, and the sanitiser package's size in
lines. These are figures to read, with no goal: they are compared before and after a change to
the sanitiser (docs/operations.md keeps them).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from tests.intake import samples  # noqa: E402
from tests.intake import test_audio_metadata as audio  # noqa: E402

from bench.report import median, record  # noqa: E402
from redress.intake import sandbox  # noqa: E402
from redress.intake.sanitiser import sanitise  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
SANITISER = ROOT / "src" / "redress" / "intake" / "sanitiser"

SAMPLES: dict[str, Callable[[], bytes]] = {
    "jpeg": lambda: samples.jpeg(size=(640, 480)),
    "png": samples.png,
    "pdf": lambda: samples.pdf(pages=5),
    "docx": samples.docx,
    "mp3": audio.tagged_mp3,
    "wav": audio.tagged_wav,
    "ogg": audio.ogg_file,
    "m4a": lambda: audio.tagged_m4a()[0],
}


def _median_milliseconds(action: Callable[[], object]) -> float:
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return median(times)


def main() -> None:
    lines = sum(len(path.read_text().splitlines()) for path in SANITISER.rglob("*.py"))
    record("sanitiser package size", lines, "lines")
    for kind, make in SAMPLES.items():
        data = make()
        in_process = _median_milliseconds(partial(sanitise, kind, data, keep_original=False))
        sandboxed = _median_milliseconds(partial(sandbox.clean, data))
        record(f"sanitise {kind} ({len(data):,} bytes), in process", in_process, "ms")
        record(f"sanitise {kind}, in the sandboxed child", sandboxed, "ms")


if __name__ == "__main__":
    main()
