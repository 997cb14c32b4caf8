"""One-statement writes take a plain value straight from the instance only where Django's own
``pre_save`` and ``get_db_prep_save`` would send that very value, so the rows written are the
rows ``save()`` writes."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection, models
from hypothesis import given, settings
from hypothesis import strategies as st

from redress.cases.models import Case, Deadline, Stage
from redress.core.oneshot import _OTHER, OneStatement, direct_conversion
from redress.intake.models import Receipt
from redress.vault.models import DataKey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("postgres_only")]

WRITTEN_BY_INTAKE = [DataKey, Case, Deadline, Receipt]

# Values of every type a field might be handed: its own, near misses, and expressions.
VALUES = st.one_of(
    st.text(max_size=20),
    st.integers(min_value=-(2**31), max_value=2**31 - 1),
    st.booleans(),
    st.dates(),
    st.datetimes(timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=1))])),
    st.datetimes(),  # naive: Django warns and makes it aware, so it is not taken directly
    st.uuids(),
    st.binary(max_size=20),
    st.sampled_from(list(Stage)),
)


def _fields() -> list[models.Field[Any, Any]]:
    return [f for model in WRITTEN_BY_INTAKE for f in model._meta.local_concrete_fields]


def _same(direct: Any, django: Any) -> bool:
    # psycopg's wrappers (Binary, Int8, ...) compare by what they wrap and say how it is sent.
    if type(direct) is not type(django) and not (
        isinstance(django, Stage) and direct == django.value
    ):
        return False
    wrapped = getattr(direct, "obj", direct), getattr(django, "obj", django)
    return wrapped[0] == wrapped[1]


@settings(max_examples=300, deadline=None)
@given(value=VALUES)
def test_a_value_taken_directly_is_what_django_would_send(value: Any) -> None:
    for field in _fields():
        direct = direct_conversion(field)
        if direct is None:
            continue  # the field's own methods run, sealing included
        taken = direct(value)
        if taken is _OTHER:
            continue  # the field's own methods run
        django = field.get_db_prep_save(value, connection=connection)
        assert _same(taken, django), (field, value)


def test_the_plain_fields_of_a_report_are_taken_directly() -> None:
    # Most of a report's columns: if this stops being so, intake pays the slow path for all.
    taken = [f.name for f in _fields() if direct_conversion(f) is not None]
    assert {"reference", "stage", "received_at", "data_key", "due_on", "case", "digest"} <= set(
        taken
    )
    # Sealed content always goes through its field, which encrypts it.
    assert not {"narrative", "details", "respondent_description"} & set(taken)


def test_a_stamped_time_is_left_to_its_field() -> None:
    stamped = models.DateTimeField(auto_now_add=True)
    assert direct_conversion(stamped) is None


def test_rows_written_in_one_statement_read_back_as_saved() -> None:
    key = DataKey(id=uuid.uuid4(), subject="case", wrapped=b"\x00" * 72, kek_id="k")
    statement = OneStatement()
    statement.insert("new_key", [key])
    statement.run("SELECT 1")
    stored = DataKey.objects.get(pk=key.pk)
    assert (stored.subject, bytes(stored.wrapped), stored.kek_id) == ("case", b"\x00" * 72, "k")
    assert stored.created_at == key.created_at
