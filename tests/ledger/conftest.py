"""Fixtures for the ledger tests: a known signing key, and key files kept out of var/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

TEST_SEED = "1f" * 32


@pytest.fixture(autouse=True)
def signing_key(monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> str:
    """Every test signs with a fixed key from the environment and keeps key files in tmp_path."""
    monkeypatch.setenv("REDRESS_LEDGER_SIGNING_KEY", TEST_SEED)
    monkeypatch.delenv("REDRESS_LEDGER_TRUSTED_KEYS", raising=False)
    settings.KEYS_DIR = tmp_path / "keys"
    return TEST_SEED
