"""The server-side append no longer refuses when another appender makes the first head meanwhile.

On a fresh or flushed database the head row does not exist yet. Before, an appender that found
no head and then saw entries refused ("the head row is missing although entries exist"), even
when those entries, and the head, had just been committed by another appender between its two
reads. Now it makes the head only while there are no entries, reads the head again under the
lock, and refuses only when there is still none: entries without a head, which is damage.
"""

from importlib import import_module

from django.db import migrations

_PREVIOUS = import_module("redress.ledger.migrations.0005_append_function")

_RACY = r"""    IF NOT FOUND THEN
        -- A fresh or flushed database: make the head, unless entries exist without one.
        IF EXISTS (SELECT 1 FROM ledger_entry) THEN
            RAISE EXCEPTION 'the ledger head row is missing although entries exist; refusing to append'
                USING ERRCODE = 'RL001';
        END IF;
        INSERT INTO ledger_head (id, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'))
            ON CONFLICT (id) DO NOTHING;
        SELECT h.seq, h.hash INTO head_seq, head_hash FROM ledger_head h WHERE h.id = 1 FOR UPDATE;
    END IF;
"""

_SETTLED = r"""    IF NOT FOUND THEN
        -- A fresh or flushed database: make the head, unless entries exist. Another appender
        -- may make it meanwhile (then this inserts nothing, after waiting for it to commit).
        INSERT INTO ledger_head (id, seq, hash)
            SELECT 1, 0, decode(repeat('00', 32), 'hex')
            WHERE NOT EXISTS (SELECT 1 FROM ledger_entry)
            ON CONFLICT (id) DO NOTHING;
        SELECT h.seq, h.hash INTO head_seq, head_hash FROM ledger_head h WHERE h.id = 1 FOR UPDATE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'the ledger head row is missing although entries exist; refusing to append'
                USING ERRCODE = 'RL001';
        END IF;
    END IF;
"""

if _RACY not in _PREVIOUS.FUNCTION:
    raise RuntimeError("0005's function is not the one this migration mends")
FUNCTION = _PREVIOUS.FUNCTION.replace(_RACY, _SETTLED)


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def restore(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_PREVIOUS.FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_append_function")]

    operations = [migrations.RunPython(create, restore, elidable=False)]
