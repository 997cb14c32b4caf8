"""Several new rows written to PostgreSQL in one statement, so one round trip and one commit.

An act that makes a handful of rows (a report: its data key, case, deadlines, receipt and
ledger entry) spends most of its time waiting on round trips when each row is its own INSERT
inside BEGIN ... COMMIT. PostgreSQL runs data-modifying common table expressions as one
statement, atomically, so the same rows can go in one call::

    statement = OneStatement()
    statement.insert("new_key", [key])
    statement.insert("new_case", [case], returning="id")
    deadlines = [Deadline(case_id=statement.ref("new_case"), ...), ...]
    statement.insert("new_deadlines", deadlines)
    row = statement.run("SELECT (SELECT id FROM new_case)")

Each value becomes what ``save()`` would send: the field's ``pre_save`` and then its
``get_db_prep_save``, so every field converts (and every encrypted field seals) exactly as it
would there. For Django's plain fields holding a value already of their own type (a ``str`` in
a ``CharField``, an aware ``datetime`` in a ``DateTimeField``), those two calls give the value
back unchanged on PostgreSQL, so it is taken straight from the instance: a report writes some
fifty columns, and the calls were a sixth of its cost.
``ref(name)`` is the id a previous part returned, for a foreign key. Outside a transaction the
statement is its own; inside one, it joins it. What this does not do: send signals, or run
``save()`` overrides; use it only for models that have neither.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any, NamedTuple

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.utils import CursorWrapper
from django.db.models.expressions import RawSQL
from psycopg.types import numeric

_NAME_OK = frozenset("abcdefghijklmnopqrstuvwxyz_")
# What a direct conversion gives for a value it does not take: the field's own methods decide.
_OTHER = object()


class OneStatement:
    """Collects INSERTs as common table expressions and runs them with a final SELECT."""

    def __init__(self, using: str = DEFAULT_DB_ALIAS) -> None:
        self.connection = connections[using]
        if self.connection.vendor != "postgresql":
            raise NotImplementedError("one-statement writes need PostgreSQL")
        self._parts: list[str] = []
        self._params: list[Any] = []
        self._written: list[tuple[str, list[models.Model], str | None]] = []

    def ref(self, name: str, column: str = "id") -> RawSQL:
        """The ``column`` that part ``name`` returned, as a value for another part's field."""
        return _reference(name, column)

    def insert(
        self, name: str, objs: Sequence[models.Model], *, returning: str | None = None
    ) -> None:
        """Add ``objs`` (new instances of one model) as the part ``name``.

        With ``returning``, the part returns that column (one row for one object), for ``ref``
        and for the instances once the statement has run.
        """
        _check_name(name)
        if not objs:
            raise ValueError(f"part {name!r} has no rows")
        if returning is not None and len(objs) != 1:
            raise ValueError("returning is for a part of one row")
        model = type(objs[0])
        has_pk = getattr(objs[0], model._meta.pk.attname) is not None
        plan = _plan(model, has_pk)
        params = self._params
        rows = []
        for obj in objs:
            if type(obj) is not model:
                raise ValueError(f"part {name!r} mixes models")
            data = obj.__dict__
            placeholders = []
            for field, attname, direct in plan.columns:
                if direct is None:
                    # What save() would write: pre_save (defaults, sealing), then the database
                    # form.
                    value = field.pre_save(obj, add=True)
                else:
                    # pre_save is the attribute itself; a plain value needs no conversion.
                    value = data[attname] if attname in data else getattr(obj, attname)
                    if value is None:
                        placeholders.append("NULL")
                        continue
                    prepared = direct(value)
                    if prepared is not _OTHER:
                        placeholders.append("%s")
                        params.append(prepared)
                        continue
                if isinstance(value, RawSQL):
                    placeholders.append(value.sql)
                    params.extend(value.params)
                    continue
                prepared = field.get_db_prep_save(value, connection=self.connection)
                if prepared is None:
                    # Written into the SQL: fewer parameters, and a text psycopg can cache.
                    placeholders.append("NULL")
                else:
                    placeholders.append("%s")
                    # A choice is sent as its plain value, which the driver adapts fastest.
                    params.append(prepared.value if isinstance(prepared, Enum) else prepared)
            rows.append("(" + ", ".join(placeholders) + ")")
        # Names come from the model's metadata; every value is a parameter.
        sql = f"INSERT INTO {plan.table} ({plan.names}) VALUES {', '.join(rows)}"  # noqa: S608
        if returning is not None:
            sql += f" RETURNING {_returned_column(model, returning)}"
        self._parts.append(f"{name} AS ({sql})")
        self._written.append((name, list(objs), returning))

    def run(self, select: str, params: Sequence[Any] = ()) -> tuple[Any, ...]:
        """Run every part and ``select`` (which may read the parts); returns its one row.

        Every part is written, whatever ``select`` reads. The instances are then marked saved,
        and each part inserted with ``returning`` has that field set from what it returned.
        """
        returning = [(name, objs[0], column) for name, objs, column in self._written if column]
        fetched = "".join(
            f"(SELECT {_returned_column(type(obj), column)} FROM {name}), "  # noqa: S608 - checked names
            for name, obj, column in returning
        )
        # The caller's SELECT runs once, as a subquery; the parts' returned values come first.
        parts = ",\n".join(self._parts)
        sql = f"WITH {parts}\nSELECT {fetched}answer.* FROM ({select}) AS answer"
        values = [*self._params, *params]
        with self._server_bound_cursor() as cursor:
            cursor.execute(sql, values)
            row = cursor.fetchone()
        if row is None:
            raise RuntimeError("the statement's final SELECT gave no row")
        for (_name, obj, column), value in zip(returning, row, strict=False):
            setattr(obj, _attname(type(obj), column), value)
        for _name, objs, _returning in self._written:
            for obj in objs:
                obj._state.adding = False
                obj._state.db = self.connection.alias
        return tuple(row[len(returning) :])

    def _server_bound_cursor(self) -> CursorWrapper:
        """A cursor that binds parameters on the server, wrapped as Django wraps its own.

        Django binds parameters in the client, so PostgreSQL plans every statement afresh.
        Bound on the server and prepared, this statement is planned once per connection. The
        wrapper turns driver errors into Django's. While queries are logged (debugging, tests
        that count queries) it is an ordinary client-bound cursor instead.
        """
        if self.connection.queries_logged:
            # Logging wants the SQL with its values, which only client binding gives.
            return self.connection.cursor()
        self.connection.ensure_connection()
        return CursorWrapper(_PreparedCursor(self.connection.connection), self.connection)


class _PreparedCursor(psycopg.Cursor[Any]):
    """Every statement prepared on the server (Django turns psycopg's automatic preparing off)."""

    def execute(
        self,
        query: Any,
        params: Any = None,
        *,
        prepare: bool | None = None,
        binary: bool | None = None,
    ) -> Any:
        return super().execute(query, params, prepare=True, binary=binary)


@functools.cache
def _reference(name: str, column: str) -> RawSQL:
    # One per name: RawSQL makes a model field for its output each time it is made. Only its
    # text is read, never changed.
    _check_name(name)
    _check_name(column)
    # Both names are checked to be plain lowercase words.
    return RawSQL(f'(SELECT "{column}" FROM {name})', ())  # noqa: S608, S611


class _Plan(NamedTuple):
    """How an INSERT of one model is written: its columns, each with its field, attribute and
    direct conversion (None where the field's own methods must run); the quoted names."""

    columns: list[tuple[models.Field[Any, Any], str, Callable[[Any], Any] | None]]
    table: str
    names: str


@functools.cache
def _plan(model: type[models.Model], has_pk: bool) -> _Plan:
    """The fields an INSERT of ``model`` writes (its key too when the row brings one), worked
    out once per model."""
    opts = model._meta
    fields = [f for f in opts.local_concrete_fields if has_pk or not f.primary_key]
    return _Plan(
        columns=[(f, f.attname, direct_conversion(f)) for f in fields],
        table=_quote(opts.db_table),
        names=", ".join(_quote(f.column) for f in fields),
    )


def direct_conversion(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """What ``field.get_db_prep_save`` gives on PostgreSQL, for the values it gives back as
    they are, without the calls; ``_OTHER`` for any other value. None when ``pre_save`` does
    more than read the attribute, or the field is not one of Django's own plain kinds.

    Public for the test that holds it to ``get_db_prep_save`` for every field intake writes.
    """
    kind = type(field)
    if kind in (models.ForeignKey, models.OneToOneField):
        # A foreign key is saved as its target field saves the same value.
        target = field.target_field  # type: ignore[attr-defined]
        return direct_conversion(target) if type(target).pre_save is models.Field.pre_save else None
    if kind in (models.DateField, models.DateTimeField) and (
        field.auto_now or field.auto_now_add  # type: ignore[attr-defined]
    ):
        return None  # pre_save stamps the time
    return _DIRECT.get(kind)


def _text(value: Any) -> Any:
    if type(value) is str:
        return value
    if isinstance(value, str) and isinstance(value, Enum):
        return value._value_  # a text choice: its plain value, as insert() sends it
    return _OTHER


def _integer(value: Any) -> Any:
    if type(value) is int:
        return value
    if isinstance(value, int) and isinstance(value, Enum) and type(value._value_) is int:
        return value._value_
    return _OTHER


def _sized(size: Callable[[int], Any]) -> Callable[[Any], Any]:
    # Django sends an integer column's value in psycopg's wrapper for its size, so that the
    # server is told its type; an automatic key goes as a plain int.
    def convert(value: Any) -> Any:
        plain = _integer(value)
        return plain if plain is _OTHER else size(plain)

    return convert


def _boolean(value: Any) -> Any:
    return value if type(value) is bool else _OTHER


def _date(value: Any) -> Any:
    return value if type(value) is dt.date else _OTHER


def _aware_datetime(value: Any) -> Any:
    # A naive one goes to Django, which warns and makes it aware.
    return value if type(value) is dt.datetime and value.tzinfo is not None else _OTHER


def _uuid(value: Any) -> Any:
    return value if type(value) is uuid.UUID else _OTHER  # PostgreSQL has a uuid type


def _binary(value: Any) -> Any:
    return psycopg.Binary(value) if type(value) is bytes else _OTHER  # as Django wraps it


_DIRECT: dict[type[models.Field[Any, Any]], Callable[[Any], Any]] = {
    models.CharField: _text,
    models.TextField: _text,
    models.EmailField: _text,
    models.SlugField: _text,
    models.AutoField: _integer,
    models.BigAutoField: _integer,
    models.SmallAutoField: _integer,
    models.IntegerField: _sized(numeric.Int4),
    models.BigIntegerField: _sized(numeric.Int8),
    models.SmallIntegerField: _sized(numeric.Int2),
    models.PositiveIntegerField: _sized(numeric.Int4),
    models.PositiveBigIntegerField: _sized(numeric.Int8),
    models.PositiveSmallIntegerField: _sized(numeric.Int2),
    models.BooleanField: _boolean,
    models.DateField: _date,
    models.DateTimeField: _aware_datetime,
    models.UUIDField: _uuid,
    models.BinaryField: _binary,
}


@functools.cache
def _returned_column(model: type[models.Model], name: str) -> str:
    returned = model._meta.get_field(name)
    if not isinstance(returned, models.Field) or returned.column is None:
        raise ValueError(f"{name!r} is not a column of {model._meta.label}")
    return _quote(returned.column)


def _attname(model: type[models.Model], name: str) -> str:
    returned = model._meta.get_field(name)
    if not isinstance(returned, models.Field):
        raise ValueError(f"{name!r} is not a column of {model._meta.label}")
    return returned.attname


def _quote(name: str) -> str:
    # PostgreSQL's quoting, as its backend's quote_name: names come from model metadata.
    return name if name.startswith('"') and name.endswith('"') else f'"{name}"'


def _check_name(name: str) -> None:
    if not name or not set(name) <= _NAME_OK:
        raise ValueError(f"{name!r} is not a lowercase name")
