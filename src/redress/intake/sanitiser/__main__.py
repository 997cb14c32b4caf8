"""``python -B -m redress.intake.sanitiser KIND ...``: the child process; see ``child``."""

from __future__ import annotations

import sys

from redress.intake.sanitiser.child import main

if __name__ == "__main__":
    sys.exit(main())
