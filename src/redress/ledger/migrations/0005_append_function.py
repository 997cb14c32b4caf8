"""On PostgreSQL, appending is one server-side function: lock the head, hash, insert, move the head.

Why: an act that appends through the ORM holds the head lock across three round trips and its
COMMIT, and under load those round trips wait for the web process's interpreter. The function
takes the lock, reads the time, hashes with the canonical encoding of ``ledger.encoding`` and
writes the entry and the head in one call, so the lock is held only inside the server. The
Python verifier checks every hash it makes, and the tests run on PostgreSQL.
"""

from django.db import migrations

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
        -- A fresh or flushed database: make the head, unless entries exist without one.
        IF EXISTS (SELECT 1 FROM ledger_entry) THEN
            RAISE EXCEPTION 'the ledger head row is missing although entries exist; refusing to append'
                USING ERRCODE = 'RL001';
        END IF;
        INSERT INTO ledger_head (id, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'))
            ON CONFLICT (id) DO NOTHING;
        SELECT h.seq, h.hash INTO head_seq, head_hash FROM ledger_head h WHERE h.id = 1 FOR UPDATE;
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


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP FUNCTION IF EXISTS redress_ledger_append(text, text, text, text)"
        )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_verification")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
