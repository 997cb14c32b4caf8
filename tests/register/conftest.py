"""Fixtures for the register's tests: the member a finding is about."""

from __future__ import annotations

import pytest

from redress.directory.models import Person
from tests.register.helpers import make_member


@pytest.fixture
def member() -> Person:
    return make_member()
