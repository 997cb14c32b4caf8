"""Where Redress keeps its data: the database file, keys, uploads and benchmark results."""

from __future__ import annotations

from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parents[3]

# True while the ``redress`` command runs a command that only uses a data folder made before
# (core/datafolder.py): the settings then make no folder and no key file, so a mistyped
# REDRESS_DATA_DIR leaves nothing behind.
EXISTING_ONLY = False


def data_dir(configured: str | None) -> Path:
    """The data folder: ``configured`` (settings.py passes ``REDRESS_DATA_DIR``), else ``var/``
    beside the checkout. Everything else reads ``settings.DATA_DIR``."""
    if configured:
        return Path(configured).resolve()
    if (SOURCE_ROOT / "pyproject.toml").exists():
        return SOURCE_ROOT / "var"
    return Path.cwd() / "var"


def site_url(host: str, port: int) -> str:
    """The address of a server on ``host`` and ``port``, as a browser would open it: an IPv6
    address is put in brackets."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"
