"""Where Redress keeps its data: the database file, keys, uploads and benchmark results."""

from __future__ import annotations

import os
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parents[3]


def data_dir() -> Path:
    """The data folder: ``REDRESS_DATA_DIR``, else ``var/`` beside the checkout."""
    configured = os.environ.get("REDRESS_DATA_DIR")
    if configured:
        return Path(configured).resolve()
    if (SOURCE_ROOT / "pyproject.toml").exists():
        return SOURCE_ROOT / "var"
    return Path.cwd() / "var"


def keys_dir() -> Path:
    return data_dir() / "keys"
