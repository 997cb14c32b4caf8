"""Fixtures for the ledger tests: a known signing key, and key files kept out of var/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

TEST_SEED = "1f" * 32


@pytest.fixture(autouse=True)
def signing_key(settings: Any, tmp_path: Path) -> str:
    """Every test signs with a fixed key from the settings and keeps key files in tmp_path."""
    settings.LEDGER_SIGNING_KEY = TEST_SEED
    settings.LEDGER_TRUSTED_KEYS = []
    settings.KEYS_DIR = tmp_path / "keys"
    return TEST_SEED
