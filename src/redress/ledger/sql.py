"""The ledger's append as a PostgreSQL function: the one place its SQL is written.

On PostgreSQL ``ledger.append`` is this function: one call locks the head row, reads the time,
hashes the entry with the canonical encoding of ``ledger.encoding`` (version 1), writes the
entry and the head, and adds the entry's leaf to the published log's Merkle tree, so the head lock is held only inside the server, never across a round trip
to the web process. ``tests/ledger/test_append_encoding.py`` holds it to the Python encoding for
generated entries.

Migrations never import this text: each one that installs the function keeps a frozen copy of
the text it installed, so history does not change when this file does. When you change the
function here, add a migration with a copy of the new text; a test fails until you do.
"""

# ruff: noqa: E501 - the function's SQL keeps its own line lengths

from __future__ import annotations

FUNCTION_NAME = "redress_ledger_append"
SIGNATURE = f"{FUNCTION_NAME}(text, text, text, text, bytea)"
# The function as migrations 0005 and 0006 installed it, before the log tree.
FIRST_SIGNATURE = f"{FUNCTION_NAME}(text, text, text, text)"

# The SQLSTATE the function raises when entries exist without a head row (damage, not a race).
HEADLESS_SQLSTATE = "RL001"

CREATE_APPEND_FUNCTION = r"""
CREATE OR REPLACE FUNCTION redress_ledger_append(
    p_actor text, p_action text, p_object text, p_digest text, p_salt bytea
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
    node bytea;
    sibling bytea;
    tree_level bigint := 0;
    tree_index bigint;
BEGIN
    IF length(p_salt) <> 32 THEN
        RAISE EXCEPTION 'a ledger entry needs a 32-byte salt' USING ERRCODE = 'RL002';
    END IF;
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
    INSERT INTO ledger_entry (seq, "time", actor, action, object, digest, prev_hash, hash, salt)
        VALUES (
            head_seq + 1, now_time, p_actor, p_action, p_object, p_digest, head_hash, new_hash,
            p_salt
        );
    UPDATE ledger_head SET seq = head_seq + 1, hash = new_hash WHERE id = 1;
    -- The published log (RFC 6962): the entry's leaf at index seq - 1, then every subtree it
    -- completes (ledger.encoding.log_entry; ledger.merkle.append_leaf).
    node := sha256(
        '\x00'::bytea || sha256('\x726564726573732d6c6f672d656e7472792d7631'::bytea || p_salt || new_hash)
    );
    tree_index := head_seq;
    INSERT INTO ledger_treehash (position, hash) VALUES ((tree_level << 56) | tree_index, node);
    WHILE mod(tree_index, 2) = 1 LOOP
        SELECT t.hash INTO sibling FROM ledger_treehash t
            WHERE t.position = (tree_level << 56) | (tree_index - 1);
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'RL003', MESSAGE = 'the log tree is missing '
                || 'the hash at level ' || tree_level || ', index ' || (tree_index - 1);
        END IF;
        node := sha256('\x01'::bytea || sibling || node);
        tree_index := tree_index / 2;
        tree_level := tree_level + 1;
        INSERT INTO ledger_treehash (position, hash) VALUES ((tree_level << 56) | tree_index, node);
    END LOOP;
    RETURN QUERY SELECT head_seq + 1, now_time, head_hash, new_hash;
END
$$;
"""

DROP_APPEND_FUNCTION = f"DROP FUNCTION IF EXISTS {SIGNATURE}"

CALL_APPEND_FUNCTION = f"SELECT seq, time, prev_hash, hash FROM {FUNCTION_NAME}(%s, %s, %s, %s, %s)"  # noqa: S608
