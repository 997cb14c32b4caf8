"""``python -m redress.witness``: the same as ``redress witness``."""

from __future__ import annotations

import sys

from redress.witness.cli import main

if __name__ == "__main__":
    sys.exit(main())
