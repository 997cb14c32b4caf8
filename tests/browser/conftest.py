"""Playwright for Python driving Debian's Chromium. Never downloads a browser.

Where Chromium is missing the browser tests skip with the reason, unless
REDRESS_REQUIRE_BROWSER=1 (set by CI), where a missing browser fails the run instead.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from redress.intake.steps import STEPS

CHROMIUM = Path(os.environ.get("REDRESS_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]

# Playwright's sync API runs an event loop in this thread; the Django test database is used
# from the same thread by fixtures, which Django would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _unavailable(reason: str) -> None:
    if os.environ.get("REDRESS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required here but cannot run: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a pinned dev dependency
        _unavailable("playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A page with JavaScript on (as most visitors have)."""
    context = chromium.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture
def page_without_js(chromium: Any) -> Iterator[Any]:
    """A page with JavaScript off, as in Tor Browser's safest mode."""
    context = chromium.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


@pytest.fixture
def axe_page(chromium: Any) -> Iterator[Any]:
    """A page that can run axe-core: the only context where our CSP is bypassed, for the audit."""
    context = chromium.new_context(bypass_csp=True)
    yield context.new_page()
    context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the current page and return its violations (empty means none found)."""
    if not AXE.exists():
        _unavailable(f"axe-core is missing at {AXE} (run npm ci)")
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result
    ]


def assert_no_axe_violations(page: Any) -> None:
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=2)


# The report wizard's steps, in order, as their paths under /report/ name them.
WIZARD_STEPS = [step.slug for step in STEPS]
