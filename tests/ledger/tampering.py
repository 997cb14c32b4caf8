"""Raw-SQL tampering, as someone with write access to the database (but not the key) could do."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection

from redress.ledger.models import Entry


def table() -> str:
    return connection.ops.quote_name(Entry._meta.db_table)


def column(name: str) -> str:
    return connection.ops.quote_name(name)


def sql(statement: str, params: list[Any] | tuple[Any, ...] = ()) -> None:
    """Run raw SQL against the ledger table: ``{t}`` is the table, as an attacker would see it."""
    with connection.cursor() as cursor:
        cursor.execute(statement.format(t=table()), list(params))


def move(seq: int, to: int) -> None:
    sql("UPDATE {t} SET seq = %s WHERE seq = %s", [to, seq])


def swap(first: int, second: int) -> None:
    parking = -(10**9)
    move(first, parking)
    move(second, first)
    move(parking, second)


def shift_up_from(seq: int) -> None:
    """Renumber entries seq.. up by one, in two steps so no unique check trips half way."""
    sql("UPDATE {t} SET seq = -(seq + 1) WHERE seq >= %s", [seq])
    sql("UPDATE {t} SET seq = -seq WHERE seq < 0")


def stored(value: Any) -> Any:
    """A value as Django would write it (SQLite keeps datetimes as naive UTC text)."""
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def set_column(seq: int, name: str, value: Any) -> None:
    sql(f"UPDATE {{t}} SET {column(name)} = %s WHERE seq = %s", [stored(value), seq])


def insert_raw(
    seq: int,
    *,
    time: Any,
    actor: str = "user:99",
    action: str = "case.viewed",
    obj: str = "case:R-9999",
    digest: str = "",
    prev_hash: bytes = bytes(32),
    hash: bytes = bytes(32),
    salt: bytes = bytes(32),
) -> None:
    sql(
        "INSERT INTO {t} (seq, time, actor, action, object, digest, prev_hash, hash, salt) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [seq, stored(time), actor, action, obj, digest, prev_hash, hash, salt],
    )
