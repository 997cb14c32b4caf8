"""Every word a person can be shown has its Welsh: the catalogue is made again from the code
and templates (as `makemessages` would, in a copy) and no message may be missing, fuzzy (a
guess from a similar one) or kept under a form the running code never asks for (a template's
"%" is doubled in the message it looks up)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


def _untranslated(catalogue: str) -> list[str]:
    missing = []
    for block in catalogue.split("\n\n"):
        if 'msgid ""\nmsgstr ""' in block or "msgid " not in block:
            continue  # the header
        where = " ".join(line for line in block.splitlines() if line.startswith("#:"))
        lines = block.splitlines()
        start = next(n for n, line in enumerate(lines) if line.startswith("msgid"))
        first = " ".join(lines[start : start + 2])
        if "#, fuzzy" in block or re.search(r'msgstr(\[\d\])? ""\s*$', block):
            missing.append(f"{first} ({where})")
    return missing


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs gettext (make system-packages)")
def test_every_message_has_its_welsh(tmp_path: Path) -> None:
    copy = tmp_path / "src"
    shutil.copytree(SRC / "redress", copy / "redress", ignore=shutil.ignore_patterns("*.mo"))
    env = dict(
        os.environ,
        PYTHONPATH=str(copy),
        DJANGO_SETTINGS_MODULE="redress.settings",
        REDRESS_DATA_DIR=str(tmp_path / "data"),
    )
    done = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "cy", "--no-obsolete", "-v", "0"],
        cwd=copy / "redress",
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    catalogue = (copy / "redress/locale/cy/LC_MESSAGES/django.po").read_text()
    assert _untranslated(catalogue) == []
