"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when DATABASE_URL says so."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import translation


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _fresh_counters() -> None:
    """Every test starts with empty in-memory throttles: failed sign-ins or codes in one test
    must not lock out the accounts of the next one run by the same worker."""
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language_after() -> Iterator[None]:
    """A test that asks for a page in Welsh leaves Welsh active in its thread; the next test
    run by the same worker must start in the default language, whatever order they run in."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def postgres_only() -> None:
    if not on_postgresql():
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://... to run")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's event loop and live server threads must not be running
    while other tests fork processes (the ledger's concurrency tests do)."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
