"""The ledger becomes a transparency log: every entry gets a secret salt, and a Merkle tree
(RFC 6962) over the entries' salted digests is kept beside the chain, grown by the one append.

Existing entries get their salts and join the tree in order, here. The PostgreSQL append
function is replaced by one that takes the salt and grows the tree in the same call; its text
below is a frozen copy of what this migration installs (the current text lives in
``redress.ledger.sql``).
"""

import hashlib
import os

from django.db import migrations, models

import redress.ledger.models

BATCH = 2000
LOG_ENTRY_TAG = b"redress-log-entry-v1"

FUNCTION = r"""
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

FIRST_SIGNATURE = "redress_ledger_append(text, text, text, text)"
SIGNATURE = "redress_ledger_append(text, text, text, text, bytea)"


def _node(left, right):  # type: ignore[no-untyped-def]
    return hashlib.sha256(b"\x01" + left + right).digest()


def join_the_tree(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Salt every existing entry and add it to the tree, in seq order (log index seq - 1)."""
    Entry = apps.get_model("ledger", "Entry")
    TreeHash = apps.get_model("ledger", "TreeHash")
    edge = []  # the right edge of the tree built so far: (level, hash), lowest last
    index = 0
    last = 0
    while True:
        batch = list(Entry.objects.filter(seq__gt=last).order_by("seq")[:BATCH])
        if not batch:
            break
        nodes = []
        for entry in batch:
            if entry.seq != index + 1:
                raise RuntimeError(
                    f"ledger entry {index + 1} is missing; run `redress ledger verify` "
                    "and repair the chain before upgrading"
                )
            entry.salt = os.urandom(32)
            digest = hashlib.sha256(LOG_ENTRY_TAG + entry.salt + bytes(entry.hash)).digest()
            node = hashlib.sha256(b"\x00" + digest).digest()
            level, at = 0, index
            nodes.append(((level << 56) | at, node))
            while at & 1:
                _sibling_level, sibling = edge.pop()
                node = _node(sibling, node)
                level += 1
                at >>= 1
                nodes.append(((level << 56) | at, node))
            edge.append((level, node))
            index += 1
        Entry.objects.bulk_update(batch, ["salt"])
        TreeHash.objects.bulk_create(TreeHash(position=p, hash=h) for p, h in nodes)
        last = batch[-1].seq


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FIRST_SIGNATURE}")
        schema_editor.execute(FUNCTION)


def restore(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        previous = __import__(
            "redress.ledger.migrations.0006_append_function_first_head", fromlist=["FUNCTION"]
        )
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
        schema_editor.execute(previous.FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0007_remove_sequencer")]

    operations = [
        migrations.AddField(
            model_name="entry",
            name="salt",
            field=models.BinaryField(max_length=32, null=True),
        ),
        migrations.CreateModel(
            name="TreeHash",
            fields=[
                (
                    "position",
                    redress.ledger.models.ChainPositionField(primary_key=True, serialize=False),
                ),
                ("hash", models.BinaryField(max_length=32)),
            ],
            options={"verbose_name": "tree hash"},
        ),
        migrations.RunPython(join_the_tree, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="entry",
            name="salt",
            field=models.BinaryField(
                help_text="Secret random bytes covered by the entry's digest in the published "
                "log, so that nobody can confirm a guess about the entry. Never published.",
                max_length=32,
            ),
        ),
        migrations.RunPython(install, restore, elidable=False),
    ]
