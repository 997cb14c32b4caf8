"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when DATABASE_URL says so."""

from __future__ import annotations

import pytest
from django.db import connection


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def postgres_only() -> None:
    if not on_postgresql():
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://... to run")
