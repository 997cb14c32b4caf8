"""Appending on either database: the chain's hashes are the canonical encoding's, whoever
computes them (PostgreSQL appends in a server-side function, SQLite in Python)."""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from pathlib import Path

import pytest
from django.db import connection
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from redress.ledger import migrations as ledger_migrations
from redress.ledger import sql
from redress.ledger.append import append, digest_of
from redress.ledger.encoding import entry_hash, micros
from redress.ledger.errors import LedgerError
from redress.ledger.events import Action
from redress.ledger.models import Entry
from redress.ledger.verification import verify

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_server_hashes_multibyte_text_as_the_verifier_does() -> None:
    # Lengths in the encoding are bytes, not characters: a Welsh ŵ is two bytes of UTF-8.
    entry = append(actor="user:Ŵ", action="case.viewed", obj="case:ŵŷ—✓")
    assert isinstance(entry, Entry)
    stored = Entry.objects.get(seq=entry.seq)
    expected = entry_hash(
        stored.seq,
        micros(stored.time),
        bytes(stored.prev_hash),
        b"user:\xc5\xb4",
        b"case.viewed",
        "case:ŵŷ—✓".encode(),
        b"",
    )
    assert bytes(stored.hash) == expected
    assert verify().ok


def test_times_never_run_backwards_along_the_chain() -> None:
    for n in range(20):
        append(actor="system", action="case.viewed", obj=f"tick:{n}")
    times = list(Entry.objects.order_by("seq").values_list("time", flat=True))
    assert times == sorted(times)
    assert times[-1] - times[0] < dt.timedelta(minutes=1)


# The server-side function and the Python encoding are two writings of one hash: generated
# entries must come out the same, byte for byte, whichever database appended them.
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60)


@given(
    actor=_TEXT,
    action=st.sampled_from(list(Action)),
    obj=_TEXT,
    digest=st.one_of(st.just(""), st.binary(min_size=1, max_size=40).map(digest_of)),
)
@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_generated_entries_hash_as_the_python_encoding_says(
    actor: str, action: Action, obj: str, digest: str
) -> None:
    entry = append(actor=actor, action=action, obj=obj, digest=digest)
    stored = Entry.objects.get(seq=entry.seq)
    assert (stored.actor, stored.action, stored.object, stored.digest) == (
        actor,
        action.value,
        obj,
        digest,
    )
    expected = entry_hash(
        stored.seq,
        micros(stored.time),
        bytes(stored.prev_hash),
        actor.encode(),
        action.value.encode(),
        obj.encode(),
        digest.encode(),
    )
    assert bytes(stored.hash) == expected == bytes(entry.hash)


def test_the_latest_migration_installs_the_function_in_ledger_sql() -> None:
    """Migrations keep frozen copies of the function; the newest must be today's text, so a
    change to ``ledger.sql`` without a migration that installs it fails here."""
    migrations = sorted(Path(ledger_migrations.__file__).parent.glob("0*.py"))
    installing = [
        path for path in migrations if "FUNCTION redress_ledger_append" in path.read_text()
    ]
    newest = import_module(f"redress.ledger.migrations.{installing[-1].stem}")
    assert newest.FUNCTION == sql.CREATE_APPEND_FUNCTION


def test_the_database_runs_the_function_in_ledger_sql(postgres_only: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [sql.FUNCTION_NAME])
        (installed,) = cursor.fetchone()
    body = sql.CREATE_APPEND_FUNCTION.split("$$")[1]
    assert installed == body


def test_an_action_outside_the_enumeration_is_refused() -> None:
    with pytest.raises(LedgerError, match="not one of the ledger's actions"):
        append(actor="system", action="case.erased", obj="case:R-1")  # type: ignore[arg-type]
    assert not Entry.objects.exists()
