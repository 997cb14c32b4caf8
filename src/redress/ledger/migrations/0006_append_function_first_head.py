"""The server-side append no longer refuses when another appender makes the first head meanwhile.

On a fresh or flushed database the head row does not exist yet. Before, an appender that found
no head and then saw entries refused ("the head row is missing although entries exist"), even
when those entries, and the head, had just been committed by another appender between its two
reads. Now it makes the head only while there are no entries, reads the head again under the
lock, and refuses only when there is still none: entries without a head, which is damage.

The function's text below is a frozen copy of what this migration installs; the current text
lives in ``redress.ledger.sql``. A later change to the function is a new migration with its own
copy, never an edit of this one.
"""

from importlib import import_module

from django.db import migrations

_PREVIOUS = import_module("redress.ledger.migrations.0005_append_function")

FUNCTION = r"""
CREATE OR REPLACE FUNCTION redress_ledger_append(
    p_actor text, p_action text, p_object text, p_digest text
)
RETURNS TABLE (seq bigint, "time" timestamptz, prev_hash bytea, hash bytea)
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    head_seq bigint;
    head_hash bytea;
    now_time timestamptz;
    actor_b bytea := convert_to(p_actor, 'UTF8');
    action_b bytea := convert_to(p_action, 'UTF8');
    object_b bytea := convert_to(p_object, 'UTF8');
    digest_b bytea := convert_to(p_digest, 'UTF8');
    new_hash bytea;
BEGIN
    SELECT h.seq, h.hash INTO head_seq, head_hash FROM ledger_head h WHERE h.id = 1 FOR UPDATE;
    IF NOT FOUND THEN
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
    -- Read under the lock, so times never run backwards along the chain.
    now_time := clock_timestamp();
    -- ledger.encoding, version 1: u8 version | i64 seq | i64 time_us | u32 lengths | payload.
    new_hash := sha256(
        '\x01'::bytea
        || int8send(head_seq + 1)
        || int8send((extract(epoch FROM now_time) * 1000000)::bigint)
        || int4send(length(head_hash))
        || int4send(length(actor_b))
        || int4send(length(action_b))
        || int4send(length(object_b))
        || int4send(length(digest_b))
        || head_hash || actor_b || action_b || object_b || digest_b
    );
    INSERT INTO ledger_entry (seq, "time", actor, action, object, digest, prev_hash, hash)
        VALUES (head_seq + 1, now_time, p_actor, p_action, p_object, p_digest, head_hash, new_hash);
    UPDATE ledger_head SET seq = head_seq + 1, hash = new_hash WHERE id = 1;
    RETURN QUERY SELECT head_seq + 1, now_time, head_hash, new_hash;
END
$$;
"""


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def restore(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_PREVIOUS.FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_append_function")]

    operations = [migrations.RunPython(create, restore, elidable=False)]
