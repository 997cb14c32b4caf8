"""Vault test fixtures: a private key folder and uploads folder per test, and the test table."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from pytest_django import DjangoDbBlocker, Settings

from redress.vault.actions import clear_key_cache
from tests.vault.models import Complaint


@pytest.fixture(scope="session")
def complaint_table(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """Create the test model's table outside any transaction (SQLite needs that for DDL)."""
    with django_db_blocker.unblock():
        table = Complaint._meta.db_table
        if table not in connection.introspection.table_names():
            with connection.schema_editor() as editor:
                editor.create_model(Complaint)
    yield
    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        editor.delete_model(Complaint)


@pytest.fixture(autouse=True)
def vault_folders(settings: Settings, tmp_path: Path) -> Iterator[Path]:
    """Keys and uploads in a temporary folder; no KEK from the environment; a cold key cache."""
    settings.KEYS_DIR = tmp_path / "keys"
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.KEK = ""
    settings.KEK_PREVIOUS = []
    clear_key_cache()
    yield tmp_path
    clear_key_cache()


@pytest.fixture
def complaints(complaint_table: None, db: None) -> type[Complaint]:
    return Complaint
