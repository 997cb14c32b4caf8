"""No client address or user agent is stored or logged, on any route."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.77"
AGENT = "MarkerBrowser/9.9 (distinctive)"


def dump_every_table() -> str:
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        chunks.append(bytes(value).decode("latin-1"))
                    else:
                        chunks.append(str(value))
    return "\n".join(chunks)


def test_requests_leave_no_address_or_user_agent_in_logs_or_tables(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache.clear()
    client = Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT, HTTP_X_FORWARDED_FOR=ADDRESS)
    caplog.set_level(logging.DEBUG)
    for path in ["/", "/privacy", "/no-such-page", "/staff/", "/api/token", "/healthz"]:
        client.get(path)
    client.post("/staff/sign-in", {"username": "someone", "password": "wrong"})
    client.get("/language/cy?next=/")
    logged = "\n".join(f"{record.getMessage()} {record.__dict__!r}" for record in caplog.records)
    stored = dump_every_table()
    for marker in (ADDRESS, "MarkerBrowser"):
        assert marker not in logged
        assert marker not in stored
