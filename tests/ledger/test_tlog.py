"""The transparency log's formats and checks (redress.ledger.tlog), with no database.

Proofs are checked against RFC 6962 as written (tests/ledger/rfc6962.py); the note, checkpoint,
cosignature, witness and proof formats against the examples of the C2SP documents and the
published test keys of other implementations, copied here as data."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from nacl.signing import SigningKey

from redress.ledger import tlog, tlog_tiles, tlog_witness
from tests.ledger import rfc6962

EM = "\u2014"

# c2sp.org/signed-note, the example of its "Verifier keys" section (vkey and note).
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n"
    f"{EM} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXm"
    "RKuwHjG1Yu72IneyaQM=\n"
)
# c2sp.org/signed-note, the opening example: a text with an empty line of its own.
POEM_NOTE = (
    "Ognuno sta solo sul cuor della terra\n"
    "trafitto da un raggio di sole:\n"
    "\n"
    "ed è subito sera.\n"
    "\n"
    f"{EM} quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMo"
    "uFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n"
)
# The Go signed-note implementation's published test keys and note (golang.org/x/mod/sumdb/note).
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    f"{EM} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotp"
    "RZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    f"{EM} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLo"
    "x33WWd1RvMc+QQ=\n"
)
# Other published keys: a plain key whose base64 holds a '+', a witness key of type 0x04, and
# the Go checksum database's key, whose key ID is the one the checkpoint example below carries.
PLUS_VKEY = "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6"
COSIGNER_VKEY = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
SUMDB_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"

# c2sp.org/tlog-checkpoint and c2sp.org/tlog-cosignature: the example checkpoint, cosigned.
SPEC_CHECKPOINT_TEXT = (
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
)
SPEC_LOG_SIG = (
    f"{EM} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zh"
    "cyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
)
SPEC_COSIG = (
    f"{EM} witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX"
    "3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n"
)
SPEC_COSIGNED_MESSAGE = (
    "cosignature/v1\ntime 1679315147\n"
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
)
# c2sp.org/tlog-witness: the example add-checkpoint request and response bodies.
SPEC_WITNESS_REQUEST = (
    "old 20852014\n"
    "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"
    "jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n"
    "5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n"
    "/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n"
    "\n"
    + SPEC_CHECKPOINT_TEXT
    + "\n"
    + SPEC_LOG_SIG
    + f"{EM} example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+4"
    "9/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n"
)
SPEC_WITNESS_RESPONSE = (
    f"{EM} witness.example/w1 CMp+6LWBU0anHGH5aNDTJkH/gj79sG+T6+iP2ThYN5krrDJbR1HDnucjL39QsZTSvVjy"
    "QLrdk3DXDqI5G2HgLatVs0pWh6Up69HVOw==\n"
    f"{EM} witness.example/w1 I7rEps0pvK2UqkS2gSpVUDhrhVtQV9lgF6pRrWAvjJHjyWpW7VcE3SiOlVlbQNt64vWh"
    "O+DlkL0+UfzuOBMh9ChdMkP1vi/lCAsmlw==\n"
    f"{EM} witness.example/w2 AWui8Sk55XjYLOijihBjhqEH6nS1ndDymE0a+6idX7pLcnoB+dhnz0854aLZgrrKbYKA"
    "7nC3HNJhm/kWl7oJlqU3rXXvpysAdyP3wQ==\n"
)
# c2sp.org/tlog-proof: the example's lines before its checkpoint (whose signatures the document
# abridges, so the tests put a checkpoint of their own after them).
SPEC_PROOF_HEAD = (
    "c2sp.org/tlog-proof@v1\n"
    "extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ\n"
    "index 73894\n"
    "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n"
    "B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n"
    "EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=\n"
    "RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=\n"
    "AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=\n"
    "\n"
)

ORIGIN = "redress.example/log"
LOG = tlog.NoteSigner(ORIGIN, SigningKey(bytes([1]) * 32))
WITNESS_1 = tlog.CosignatureSigner("board.example/witness", SigningKey(bytes([2]) * 32))
WITNESS_2 = tlog.CosignatureSigner("union.example/witness", SigningKey(bytes([3]) * 32))
WITNESSES = [WITNESS_1.verifier, WITNESS_2.verifier]
TIME = 1_760_000_000


def cosigned_checkpoint(size: int, *cosigners: tlog.CosignatureSigner) -> str:
    """The checkpoint of the reference tree of ``size`` entries, signed and cosigned."""
    text = tlog.Checkpoint(ORIGIN, size, rfc6962.mth(0, size)).text()
    note = tlog.parse_note(tlog.sign_note(text, [LOG]))
    return note.with_signatures(c.cosign(text, TIME) for c in cosigners).format()


def make_proof(index: int, size: int, *cosigners: tlog.CosignatureSigner) -> str:
    checkpoint = cosigned_checkpoint(size, *cosigners)
    hashes = tuple(rfc6962.path(index, 0, size))
    return tlog.TlogProof(index, hashes, checkpoint, rfc6962.entry(index)).format()


def flipped(data: bytes, position: int, value: int | None = None) -> bytes:
    changed = bytearray(data)
    changed[position] = data[position] ^ 1 if value is None else value
    return bytes(changed)


# ----------------------------------------------------------------------------------------------
# RFC 6962 hashing and proof verification


def test_leaf_and_node_hashes_are_rfc_6962s() -> None:
    assert tlog.EMPTY_ROOT.hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert tlog.leaf_hash(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    left, right = bytes(range(32)), bytes(range(32, 64))
    assert tlog.node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()


def test_inclusion_proofs_of_every_index_of_every_size_up_to_300_verify() -> None:
    for size in range(1, 301):
        root = rfc6962.mth(0, size)
        for index in range(size):
            leaf = tlog.leaf_hash(rfc6962.entry(index))
            tlog.verify_inclusion(leaf, index, size, rfc6962.path(index, 0, size), root)


def test_consistency_proofs_from_every_old_size_up_to_300_verify() -> None:
    for size in range(1, 301):
        root = rfc6962.mth(0, size)
        tlog.verify_consistency(0, size, tlog.EMPTY_ROOT, root, [])
        for old in range(1, size + 1):
            tlog.verify_consistency(old, size, rfc6962.mth(0, old), root, rfc6962.proof(old, size))


def test_a_changed_inclusion_proof_is_refused() -> None:
    for size in range(1, 41):
        root = rfc6962.mth(0, size)
        for index in range(size):
            leaf = tlog.leaf_hash(rfc6962.entry(index))
            proof = rfc6962.path(index, 0, size)
            for position in range(len(proof)):
                bad = [*proof]
                bad[position] = flipped(bad[position], 7)
                with pytest.raises(tlog.InclusionError):
                    tlog.verify_inclusion(leaf, index, size, bad, root)
            for other in range(size + 1):
                if other != index:
                    with pytest.raises(tlog.InclusionError):
                        tlog.verify_inclusion(leaf, other, size, proof, root)
            with pytest.raises(tlog.InclusionError):
                tlog.verify_inclusion(leaf, index, size, [*proof, root], root)
            if proof:
                with pytest.raises(tlog.InclusionError):
                    tlog.verify_inclusion(leaf, index, size, proof[:-1], root)
            with pytest.raises(tlog.InclusionError):
                tlog.verify_inclusion(flipped(leaf, 0), index, size, proof, root)
            with pytest.raises(tlog.InclusionError):
                tlog.verify_inclusion(leaf, index, size, proof, flipped(root, 31))


def test_a_changed_consistency_proof_is_refused() -> None:
    for size in range(2, 41):
        root = rfc6962.mth(0, size)
        for old in range(1, size):
            old_root = rfc6962.mth(0, old)
            proof = rfc6962.proof(old, size)
            for position in range(len(proof)):
                bad = [*proof]
                bad[position] = flipped(bad[position], 3)
                with pytest.raises(tlog.ConsistencyError):
                    tlog.verify_consistency(old, size, old_root, root, bad)
            with pytest.raises(tlog.ConsistencyError):
                tlog.verify_consistency(old, size, flipped(old_root, 0), root, proof)
            with pytest.raises(tlog.ConsistencyError):
                tlog.verify_consistency(old, size, old_root, flipped(root, 0), proof)
            with pytest.raises(tlog.ConsistencyError):
                tlog.verify_consistency(old, size, old_root, root, [*proof, root])
            with pytest.raises(tlog.ConsistencyError):
                tlog.verify_consistency(old, size, old_root, root, proof[:-1])
            with pytest.raises(tlog.ConsistencyError):
                tlog.verify_consistency(size, old, root, old_root, proof)


def test_consistency_edge_cases() -> None:
    root = rfc6962.mth(0, 5)
    tlog.verify_consistency(5, 5, root, root, [])
    with pytest.raises(tlog.ConsistencyError, match="forked"):
        tlog.verify_consistency(5, 5, root, rfc6962.mth(0, 4), [])
    with pytest.raises(tlog.ConsistencyError, match="must be empty"):
        tlog.verify_consistency(5, 5, root, root, [root])
    with pytest.raises(tlog.ConsistencyError, match="must be empty"):
        tlog.verify_consistency(0, 5, tlog.EMPTY_ROOT, root, [root])
    with pytest.raises(tlog.ConsistencyError, match="is empty"):
        tlog.verify_consistency(3, 5, rfc6962.mth(0, 3), root, [])
    tlog.verify_consistency(0, 0, tlog.EMPTY_ROOT, tlog.EMPTY_ROOT, [])
    with pytest.raises(tlog.ConsistencyError, match="empty tree"):
        tlog.verify_consistency(0, 0, tlog.EMPTY_ROOT, root, [])
    with pytest.raises(tlog.MalformedError, match="32-byte"):
        tlog.verify_consistency(3, 5, rfc6962.mth(0, 3), root, [b"short"])
    with pytest.raises(tlog.MalformedError, match="more than 64"):
        tlog.verify_inclusion(root, 0, 5, [root] * 65, root)


@hypothesis_settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_proofs_in_larger_trees_verify_and_any_changed_hash_is_refused(
    data: st.DataObject,
) -> None:
    size = data.draw(st.integers(min_value=301, max_value=1 << 16), label="size")
    index = data.draw(st.integers(min_value=0, max_value=size - 1), label="index")
    old = data.draw(st.integers(min_value=1, max_value=size - 1), label="old")
    root, old_root = rfc6962.mth(0, size), rfc6962.mth(0, old)
    leaf = tlog.leaf_hash(rfc6962.entry(index))
    inclusion = rfc6962.path(index, 0, size)
    consistency = rfc6962.proof(old, size)
    tlog.verify_inclusion(leaf, index, size, inclusion, root)
    tlog.verify_consistency(old, size, old_root, root, consistency)
    position = data.draw(st.integers(min_value=0, max_value=len(inclusion) - 1))
    inclusion[position] = flipped(inclusion[position], 0)
    with pytest.raises(tlog.InclusionError):
        tlog.verify_inclusion(leaf, index, size, inclusion, root)
    position = data.draw(st.integers(min_value=0, max_value=len(consistency) - 1))
    consistency[position] = flipped(consistency[position], 0)
    with pytest.raises(tlog.ConsistencyError):
        tlog.verify_consistency(old, size, old_root, root, consistency)


# ----------------------------------------------------------------------------------------------
# Signed notes


@pytest.mark.parametrize(
    ("vkey", "name", "key_id", "sig_type"),
    [
        (SPEC_VKEY, "example.com/foo", "530d903a", tlog.ED25519),
        (PETER_VKEY, "PeterNeumann", "c74f20a3", tlog.ED25519),
        (ENOCH_VKEY, "EnochRoot", "af0cfe78", tlog.ED25519),
        (PLUS_VKEY, "TEST", "7997405c", tlog.ED25519),
        (SUMDB_VKEY, "sum.golang.org", "033de0ae", tlog.ED25519),
        (COSIGNER_VKEY, "remora.n621.de", "da77ade7", tlog.COSIGNATURE_V1),
    ],
)
def test_verifier_keys_parse_and_their_key_ids_are_computed(
    vkey: str, name: str, key_id: str, sig_type: int
) -> None:
    verifier = tlog.parse_vkey(vkey)
    assert (verifier.name, verifier.key_id.hex(), verifier.sig_type) == (name, key_id, sig_type)
    expected = hashlib.sha256(name.encode() + b"\n" + bytes([sig_type]) + verifier.public_key)
    assert verifier.key_id == expected.digest()[:4]
    assert tlog.key_id(name, sig_type, verifier.public_key).hex() == key_id
    assert verifier.vkey == vkey
    assert tlog.format_vkey(name, sig_type, verifier.public_key) == vkey


@pytest.mark.parametrize(
    ("vkey", "message"),
    [
        ("", "reads"),
        ("example.com/foo", "reads"),
        ("example.com/foo+530d903a", "reads"),
        ("+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "must not be empty"),
        ("example com+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "space"),
        ("example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "does not match"),
        ("example.com/fop+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "does not match"),
        ("example.com/foo+530d903+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "8 hex digits"),
        ("example.com/foo+530d903g+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "8 hex digits"),
        ("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2", "base64"),
        ("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k==", "base64"),
        ("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv", "32 bytes"),
        ("example.com/foo+530d903a+AA==", "no public key"),
        ("example.com/foo+530d903a+", "no public key"),
        # Type 0x02 (ECDSA) is a real signature type this module does not support.
        ("example.com/foo+530d903a+AqkyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "not supported"),
    ],
)
def test_malformed_verifier_keys_are_refused(vkey: str, message: str) -> None:
    with pytest.raises(tlog.MalformedError, match=message):
        tlog.parse_vkey(vkey)


def test_the_specification_example_note_verifies() -> None:
    verified = tlog.verify_note(SPEC_NOTE, [tlog.parse_vkey(SPEC_VKEY)])
    assert [v.signature.name for v in verified] == ["example.com/foo"]
    note = tlog.parse_note(SPEC_NOTE)
    assert note.text == "This is an example message.\n"
    assert note.format() == SPEC_NOTE


def test_the_note_text_ends_at_the_last_empty_line() -> None:
    note = tlog.parse_note(POEM_NOTE.encode())
    assert note.text == (
        "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\n"
        "ed è subito sera.\n"
    )
    assert [s.name for s in note.signatures] == ["quasimodo.example/salvatore"]
    assert note.format() == POEM_NOTE


def test_a_note_with_several_signatures() -> None:
    note = GO_TEXT + "\n" + PETER_SIG + ENOCH_SIG
    peter, enoch = tlog.parse_vkey(PETER_VKEY), tlog.parse_vkey(ENOCH_VKEY)
    verified = tlog.verify_note(note, [peter, enoch])
    assert [v.verifier for v in verified] == [peter, enoch]
    assert tlog.parse_note(note).format() == note
    # Each key alone: the other's signature is not refused but ignored.
    assert [v.verifier for v in tlog.verify_note(note, [enoch])] == [enoch]
    assert [v.verifier for v in tlog.verify_note(note, [peter])] == [peter]


def test_signing_reproduces_the_published_signature_byte_for_byte() -> None:
    encoded = PETER_SKEY.split("+", 4)[4]
    seed = base64.b64decode(encoded)
    assert seed[0] == tlog.ED25519
    signer = tlog.NoteSigner("PeterNeumann", SigningKey(seed[1:]))
    assert signer.vkey == PETER_VKEY
    assert tlog.sign_note(GO_TEXT, [signer]) == GO_TEXT + "\n" + PETER_SIG


def test_unknown_signatures_are_ignored_even_sharing_a_name_or_a_key_id() -> None:
    own = tlog.NoteSigner("example.com/behind-the-sofa", SigningKey(bytes([9]) * 32))
    note = SPEC_CHECKPOINT_TEXT + "\n" + SPEC_LOG_SIG + own.sign(SPEC_CHECKPOINT_TEXT).line
    # The Go checksum database's key has the example signature's key ID under another name.
    sumdb = tlog.parse_vkey(SUMDB_VKEY)
    assert tlog.parse_note(note).signatures[0].key_id == sumdb.key_id
    # ``own`` has the example signature's name under another key ID.
    assert own.verifier.key_id != sumdb.key_id
    verified = tlog.verify_note(note, [sumdb, own.verifier])
    assert [v.verifier for v in verified] == [own.verifier]
    with pytest.raises(tlog.SignatureError, match="not signed by any"):
        tlog.verify_note(note, [sumdb])
    with pytest.raises(tlog.SignatureError, match="not signed by any"):
        tlog.verify_note(SPEC_NOTE, [tlog.parse_vkey(PETER_VKEY)])


def test_a_false_signature_by_a_known_key_refuses_the_whole_note() -> None:
    raw = base64.b64decode(PETER_SIG.split(" ")[2])
    false_sig = f"{EM} PeterNeumann {base64.b64encode(flipped(raw, 40)).decode()}\n"
    note = GO_TEXT + "\n" + false_sig + ENOCH_SIG
    keys = [tlog.parse_vkey(PETER_VKEY), tlog.parse_vkey(ENOCH_VKEY)]
    with pytest.raises(tlog.SignatureError, match=r"PeterNeumann .* is false"):
        tlog.verify_note(note, keys)
    with pytest.raises(tlog.SignatureError, match="is false"):
        tlog.verify_note(GO_TEXT.replace("answer", "answeR") + "\n" + PETER_SIG, keys)


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("text\n\n" + PETER_SIG.rstrip("\n"), "end with a newline"),
        ("text\n" + PETER_SIG, "no blank line"),
        ("text\n\n", "no signatures"),
        ("text\n\n\n", "no signatures"),
        ("text\n\n- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8=\n", "em dash"),
        (f"text\n\n{EM}PeterNeumann x08go/ZJkuBS9U\n", "em dash"),
        (f"text\n\n{EM} PeterNeumann\n", "reads"),
        (f"text\n\n{EM}  x08go/ZJkuBS9U\n", "must not be empty"),
        (f"text\n\n{EM} Peter+Neumann x08go/ZJkuBS9U\n", "plus sign"),
        (f"text\n\n{EM} Peter\u00a0Neumann x08go/ZJkuBS9U\n", "space"),
        (f"text\n\n{EM} PeterNeumann x08go/ZJkuBS9U x\n", "base64"),
        (f"text\n\n{EM} PeterNeumann x08go/ZJkuBS9U\n", "base64"),
        (f"text\n\n{EM} PeterNeumann x08go/ZJkuBS9V=\n", "base64"),
        (f"text\n\n{EM} PeterNeumann AAAAAAB=\n", "canonical"),
        (f"text\n\n{EM} PeterNeumann AAAAAA==\n", "too short"),
        ("te\txt\n\n" + PETER_SIG, "control characters"),
        ("text\r\n\n" + PETER_SIG, "control characters"),
        (b"text \xff\n\n" + PETER_SIG.encode(), "UTF-8"),
        ("text\n\n" + PETER_SIG + "\n", "no signatures"),
    ],
)
def test_malformed_notes_are_refused(note: str | bytes, message: str) -> None:
    with pytest.raises(tlog.MalformedError, match=message):
        tlog.parse_note(note)


def test_sixteen_signatures_are_accepted_and_the_limits_are_kept() -> None:
    text = "sixteen\n"
    signers = [tlog.NoteSigner(f"k{i}.example", SigningKey(bytes([i]) * 32)) for i in range(16)]
    note = tlog.sign_note(text, signers)
    assert len(tlog.verify_note(note, [s.verifier for s in signers])) == 16
    many = text + "\n" + PETER_SIG * (tlog.MAX_SIGNATURES + 1)
    with pytest.raises(tlog.TooLarge) as refused:
        tlog.parse_note(many)
    assert refused.value.status == 413
    with pytest.raises(tlog.TooLarge):
        tlog.parse_note("x" * tlog.MAX_NOTE_BYTES + "\n\n" + PETER_SIG)
    with pytest.raises(tlog.MalformedError, match="end with a newline"):
        tlog.sign_note("no newline", signers)
    with pytest.raises(tlog.TlogError, match="at least one"):
        tlog.sign_note(text, [])


# ----------------------------------------------------------------------------------------------
# Checkpoints


def test_the_specification_checkpoint() -> None:
    note = tlog.parse_note(SPEC_CHECKPOINT_TEXT + "\n" + SPEC_LOG_SIG)
    checkpoint = tlog.parse_checkpoint(note.text)
    assert checkpoint == tlog.Checkpoint(
        "example.com/behind-the-sofa",
        20852163,
        base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="),
    )
    assert checkpoint.text() == SPEC_CHECKPOINT_TEXT


def test_extension_lines_are_kept() -> None:
    text = SPEC_CHECKPOINT_TEXT + "an extension\nanother one\n"
    checkpoint = tlog.parse_checkpoint(text)
    assert checkpoint.extensions == ("an extension", "another one")
    assert checkpoint.text() == text
    assert tlog.parse_checkpoint("log\n0\n" + base64.b64encode(tlog.EMPTY_ROOT).decode() + "\n")


ROOT64 = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"log\n020\n{ROOT64}\n", "leading zeros"),
        (f"log\n-1\n{ROOT64}\n", "leading zeros"),
        (f"log\n+1\n{ROOT64}\n", "leading zeros"),
        (f"log\nten\n{ROOT64}\n", "decimal"),
        (f"log\n\uff11\n{ROOT64}\n", "decimal"),
        (f"log\n 1\n{ROOT64}\n", "decimal"),
        (f"log\n{1 << 64}\n{ROOT64}\n", "too large"),
        ("log\n1\n", "at least three lines"),
        (f"log\n1\n{ROOT64}", "end with a newline"),
        (f"\n1\n{ROOT64}\n", "must not be empty"),
        (f"log\n1\n{ROOT64}\n\n", "must not be empty"),
        (f"log\n1\n{ROOT64}\n\nextension\n", "must not be empty"),
        ("log\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n", "canonical"),
        ("log\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n", "base64"),
        ("log\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jx\n", "32 bytes"),
    ],
)
def test_malformed_checkpoints_are_refused(text: str, message: str) -> None:
    with pytest.raises(tlog.MalformedError, match=message):
        tlog.parse_checkpoint(text)


def test_a_cosigned_checkpoint_verifies_with_a_quorum() -> None:
    note = cosigned_checkpoint(20, WITNESS_1, WITNESS_2)
    checked = tlog.verify_checkpoint(note, LOG.verifier, WITNESSES, 2)
    assert checked.checkpoint == tlog.Checkpoint(ORIGIN, 20, rfc6962.mth(0, 20))
    assert checked.witnesses == (WITNESS_1.name, WITNESS_2.name)
    assert [sig.timestamp for sig in checked.cosignatures] == [TIME, TIME]
    assert tlog.verify_checkpoint(note, [LOG.verifier]).witnesses == ()
    # A witness key given as a plain Ed25519 vkey is taken as that witness's cosigning key.
    plain = tlog.Verifier(WITNESS_1.name, tlog.ED25519, WITNESS_1.verifier.public_key)
    assert tlog.witness_verifier(plain.vkey) == WITNESS_1.verifier
    assert tlog.verify_checkpoint(note, LOG.verifier, [plain], 1).witnesses == (WITNESS_1.name,)
    # A retired log key given beside the current one does no harm.
    retired = tlog.NoteSigner(ORIGIN, SigningKey(bytes([7]) * 32))
    assert tlog.verify_checkpoint(note, [retired.verifier, LOG.verifier]).log_signatures


def test_checkpoint_refusals() -> None:
    one = cosigned_checkpoint(20, WITNESS_1)
    with pytest.raises(tlog.QuorumError, match=r"1 of the witnesses named .* fewer than the 2"):
        tlog.verify_checkpoint(one, LOG.verifier, WITNESSES, 2)
    with pytest.raises(tlog.TlogError, match="cannot be met"):
        tlog.verify_checkpoint(one, LOG.verifier, WITNESSES, 3)
    with pytest.raises(tlog.SignatureError, match="not signed by any"):
        tlog.verify_checkpoint(one, tlog.Verifier(ORIGIN, tlog.ED25519, bytes(32)))
    with pytest.raises(tlog.SignatureError, match="not signed by the log"):
        tlog.verify_checkpoint(one, tlog.Verifier(ORIGIN, tlog.ED25519, bytes(32)), WITNESSES)
    other_log = tlog.NoteSigner("other.example/log", SigningKey(bytes([8]) * 32))
    with pytest.raises(tlog.SignatureError):
        tlog.verify_checkpoint(one, other_log.verifier)
    with pytest.raises(tlog.UnknownLog, match="not this log"):
        tlog.verify_checkpoint(one, LOG.verifier, origin="other.example/log")
    mislabelled = tlog.sign_note(
        tlog.Checkpoint("other.example/log", 1, rfc6962.mth(0, 1)).text(), [LOG]
    )
    with pytest.raises(tlog.UnknownLog):
        tlog.verify_checkpoint(mislabelled, LOG.verifier)
    with pytest.raises(tlog.TlogError, match="note key"):
        tlog.verify_checkpoint(one, WITNESS_1.verifier)


# ----------------------------------------------------------------------------------------------
# Cosignatures


def test_the_specification_cosignature() -> None:
    note = tlog.parse_note(SPEC_CHECKPOINT_TEXT + "\n" + SPEC_LOG_SIG + SPEC_COSIG)
    cosignature = note.signatures[1]
    assert cosignature.name == "witness.example.com/w1"
    assert len(cosignature.key_id + cosignature.data) == 4 + 8 + 64
    assert tlog.cosignature_timestamp(cosignature) == 1679315147
    message = tlog.cosignature_message(note.text, 1679315147)
    assert message == SPEC_COSIGNED_MESSAGE.encode()


def test_a_cosignature_is_made_and_verified() -> None:
    text = tlog.Checkpoint(ORIGIN, 5, rfc6962.mth(0, 5)).text()
    cosignature = WITNESS_1.cosign(text, TIME)
    public = WITNESS_1.verifier.public_key
    assert (
        cosignature.key_id
        == hashlib.sha256(WITNESS_1.name.encode() + b"\n\x04" + public).digest()[:4]
    )
    assert cosignature.data[:8] == TIME.to_bytes(8, "big")
    assert WITNESS_1.vkey.startswith(WITNESS_1.name + "+")
    assert tlog.parse_vkey(WITNESS_1.vkey) == WITNESS_1.verifier
    assert base64.b64decode(WITNESS_1.vkey.split("+", 2)[2])[0] == tlog.COSIGNATURE_V1
    note = tlog.Note(text, (cosignature,)).format()
    [verified] = tlog.verify_note(note, [WITNESS_1.verifier])
    assert verified.timestamp == TIME
    # The same key as a plain note key has another key ID: the cosignature is not its.
    plain = tlog.Verifier(WITNESS_1.name, tlog.ED25519, public)
    with pytest.raises(tlog.SignatureError, match="not signed by any"):
        tlog.verify_note(note, [plain])


def test_a_cosignature_is_refused_when_any_byte_changes() -> None:
    text = tlog.Checkpoint(ORIGIN, 5, rfc6962.mth(0, 5)).text()
    note = tlog.Note(text, (WITNESS_1.cosign(text, TIME),)).format().encode()
    tlog.verify_note(note, [WITNESS_1.verifier])
    for position in range(len(note)):
        with pytest.raises(tlog.TlogError):
            tlog.verify_note(flipped(note, position), [WITNESS_1.verifier])


def test_cosignature_timestamps_are_bounded() -> None:
    text = tlog.Checkpoint(ORIGIN, 5, rfc6962.mth(0, 5)).text()
    with pytest.raises(tlog.MalformedError, match="2\\*\\*63"):
        WITNESS_1.cosign(text, 1 << 63)
    with pytest.raises(tlog.MalformedError, match="2\\*\\*63"):
        WITNESS_1.cosign(text, -1)
    forged = tlog.Signature(
        WITNESS_1.name, WITNESS_1.verifier.key_id, (1 << 63).to_bytes(8, "big") + bytes(64)
    )
    assert not WITNESS_1.verifier.verify(text.encode(), forged.data)
    with pytest.raises(tlog.MalformedError, match="impossible timestamp"):
        tlog.cosignature_timestamp(forged)
    with pytest.raises(tlog.MalformedError, match="8 \\+ 64"):
        tlog.cosignature_timestamp(tlog.Signature("w", bytes(4), bytes(64)))


# ----------------------------------------------------------------------------------------------
# Witnesses


def test_the_specification_witness_request_and_response() -> None:
    request = tlog_witness.parse_add_checkpoint(SPEC_WITNESS_REQUEST.encode())
    assert request.old_size == 20852014
    assert len(request.proof) == 4
    assert request.proof[0] == base64.b64decode("PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=")
    note = tlog.parse_note(request.checkpoint)
    assert tlog.parse_checkpoint(note.text).size == 20852163
    assert [s.name for s in note.signatures] == ["example.com/behind-the-sofa"] * 2
    assert note.signatures[0].key_id != note.signatures[1].key_id
    assert request.format() == SPEC_WITNESS_REQUEST.encode()
    response = tlog_witness.parse_cosignatures(SPEC_WITNESS_RESPONSE.encode())
    names = [s.name for s in response]
    assert names == ["witness.example/w1", "witness.example/w1", "witness.example/w2"]
    assert tlog_witness.format_cosignatures(response) == SPEC_WITNESS_RESPONSE.encode()


@pytest.mark.parametrize(
    ("body", "error", "message"),
    [
        (b"old 01\n\n" + SPEC_CHECKPOINT_TEXT.encode(), tlog.MalformedError, "leading zeros"),
        (b"old -1\n\n" + SPEC_CHECKPOINT_TEXT.encode(), tlog.MalformedError, "leading zeros"),
        (b"new 1\n\n" + SPEC_CHECKPOINT_TEXT.encode(), tlog.MalformedError, "old <size>"),
        (b"old 1\n" + SPEC_CHECKPOINT_TEXT.encode(), tlog.MalformedError, "no empty line"),
        (b"old 1\nnot base64\n\n" + SPEC_CHECKPOINT_TEXT.encode(), tlog.MalformedError, "base64"),
        (b"old 1\nAAAA\n\n" + SPEC_CHECKPOINT_TEXT.encode(), tlog.MalformedError, "32-byte"),
        (
            b"old 1\n" + (ROOT64 + "\n").encode() * 64 + b"\n" + SPEC_CHECKPOINT_TEXT.encode(),
            tlog.TooLarge,
            "more than 63",
        ),
        (b"old 1\n\n" + b"x" * tlog_witness.MAX_WITNESS_REQUEST_BYTES, tlog.TooLarge, "larger"),
    ],
)
def test_malformed_witness_requests_are_refused(
    body: bytes, error: type[tlog.TlogError], message: str
) -> None:
    with pytest.raises(error, match=message):
        tlog_witness.parse_add_checkpoint(body)


def test_sixty_three_proof_lines_are_accepted() -> None:
    body = b"old 1\n" + (ROOT64 + "\n").encode() * 63 + b"\n" + SPEC_CHECKPOINT_TEXT.encode()
    request = tlog_witness.parse_add_checkpoint(body)
    assert len(request.proof) == 63
    assert request.format() == body
    with pytest.raises(tlog.TooLarge):
        tlog_witness.AddCheckpoint(1, request.proof * 2, request.checkpoint).format()


class Witness:
    """A witness's decisions over the tlog module's checks, with its record in memory."""

    def __init__(self) -> None:
        self.logs = {ORIGIN: [LOG.verifier]}
        self.size = 0
        self.root: bytes | None = None

    def add(self, body: bytes) -> tuple[int, bytes]:
        try:
            request, checked = tlog_witness.open_add_checkpoint(body, self.logs)
            tlog_witness.check_add_checkpoint(request, checked.checkpoint, self.size, self.root)
        except tlog.WitnessConflict as conflict:
            return conflict.status, conflict.body
        except tlog.TlogError as refused:
            return refused.status, str(refused).encode()
        self.size, self.root = checked.checkpoint.size, checked.checkpoint.root
        signature = WITNESS_1.cosign(checked.note.text, TIME)
        return 200, tlog_witness.format_cosignatures([signature])


def add_request(old: int, size: int, proof: list[bytes] | None = None) -> bytes:
    proof = rfc6962.proof(old, size) if proof is None and old else (proof or [])
    return tlog_witness.AddCheckpoint(old, tuple(proof), cosigned_checkpoint(size)).format()


def test_a_witness_cosigns_only_consistent_checkpoints() -> None:
    witness = Witness()
    status, body = witness.add(add_request(0, 10))
    assert status == 200
    [cosignature] = tlog_witness.verify_cosignatures(
        cosigned_checkpoint(10), body, WITNESS_1.verifier
    )
    assert cosignature.timestamp == TIME
    assert witness.add(add_request(10, 25))[0] == 200
    assert witness.add(add_request(25, 25))[0] == 200
    # The log forgets what the witness saw, or says something else of it.
    assert witness.add(add_request(10, 30)) == (409, b"25\n")
    assert witness.add(add_request(0, 30)) == (409, b"25\n")
    assert witness.add(add_request(25, 30, [bytes(32)] * 3))[0] == 422
    assert witness.add(add_request(25, 30, rfc6962.proof(24, 30)))[0] == 422
    forked = tlog.Checkpoint(ORIGIN, 25, rfc6962.mth(1, 26)).text()
    status, body = witness.add(
        tlog_witness.AddCheckpoint(25, (), tlog.sign_note(forked, [LOG])).format()
    )
    assert (status, body) == (409, b"25\n")
    # Old size beyond the checkpoint; unknown logs; checkpoints no known key signed.
    assert witness.add(add_request(25, 20, []))[0] == 400
    stranger = tlog.NoteSigner("stranger.example/log", SigningKey(bytes([5]) * 32))
    stranger_note = tlog.sign_note(tlog.Checkpoint(stranger.name, 1, bytes(32)).text(), [stranger])
    assert witness.add(tlog_witness.AddCheckpoint(0, (), stranger_note).format())[0] == 404
    impostor = tlog.NoteSigner(ORIGIN, SigningKey(bytes([6]) * 32))
    impostor_note = tlog.sign_note(tlog.Checkpoint(ORIGIN, 40, bytes(32)).text(), [impostor])
    assert witness.add(tlog_witness.AddCheckpoint(25, (), impostor_note).format())[0] == 403
    assert witness.add(b"old 25\n\nnot a note")[0] == 400
    assert (witness.size, witness.root) == (25, rfc6962.mth(0, 25))
    # An empty tree has one root hash only.
    empty = tlog.Checkpoint(ORIGIN, 0, bytes(32)).text()
    assert (
        Witness().add(tlog_witness.AddCheckpoint(0, (), tlog.sign_note(empty, [LOG])).format())[0]
        == 422
    )
    empty = tlog.Checkpoint(ORIGIN, 0, tlog.EMPTY_ROOT).text()
    assert (
        Witness().add(tlog_witness.AddCheckpoint(0, (), tlog.sign_note(empty, [LOG])).format())[0]
        == 200
    )
    assert tlog.WitnessConflict("x", 3).content_type == "text/x.tlog.size"


def test_witness_responses_from_others_are_ignored() -> None:
    checkpoint = cosigned_checkpoint(10)
    text = tlog.parse_note(checkpoint).text
    body = tlog_witness.format_cosignatures(
        [WITNESS_2.cosign(text, TIME), WITNESS_1.cosign(text, TIME)]
    )
    [mine] = tlog_witness.verify_cosignatures(checkpoint, body, WITNESS_1.verifier)
    assert mine.verifier == WITNESS_1.verifier
    only_theirs = tlog_witness.format_cosignatures([WITNESS_2.cosign(text, TIME)])
    with pytest.raises(tlog.SignatureError, match="not signed by any"):
        tlog_witness.verify_cosignatures(checkpoint, only_theirs, WITNESS_1.verifier)
    with pytest.raises(tlog.MalformedError):
        tlog_witness.parse_cosignatures(b"")


# ----------------------------------------------------------------------------------------------
# Proofs (c2sp.org/tlog-proof)


def test_the_specification_proof_lines_parse() -> None:
    proof = tlog.parse_tlog_proof(SPEC_PROOF_HEAD + cosigned_checkpoint(3))
    assert proof.index == 73894
    assert proof.extra == base64.b64decode("YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ")
    assert len(proof.hashes) == 5
    assert proof.format() == SPEC_PROOF_HEAD + cosigned_checkpoint(3)


def test_a_proof_is_made_and_verified() -> None:
    text = make_proof(737, 1000, WITNESS_1, WITNESS_2)
    checked = tlog.verify_tlog_proof(text, LOG.verifier, WITNESSES, 2)
    assert (checked.index, checked.entry) == (737, rfc6962.entry(737))
    assert checked.checkpoint.checkpoint.size == 1000
    assert checked.checkpoint.witnesses == (WITNESS_1.name, WITNESS_2.name)
    assert tlog.parse_tlog_proof(text).format() == text
    assert tlog.verify_tlog_proof(text, LOG.verifier, entry=rfc6962.entry(737)).index == 737
    # The first and the last entries, and a tree of one.
    for index, size in ((0, 1000), (999, 1000), (0, 1)):
        tlog.verify_tlog_proof(make_proof(index, size, WITNESS_1), LOG.verifier, WITNESSES, 1)


def test_a_proof_is_refused_when_any_byte_changes() -> None:
    proof = make_proof(737, 1000, WITNESS_1, WITNESS_2).encode()
    for position in range(len(proof)):
        with pytest.raises(tlog.TlogError):
            tlog.verify_tlog_proof(flipped(proof, position), LOG.verifier, WITNESSES, 2)


PROOF_FOR_CHANGES = make_proof(300, 301, WITNESS_1, WITNESS_2).encode()


@hypothesis_settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_proof_is_refused_whatever_byte_replaces_any_of_its_bytes(data: st.DataObject) -> None:
    proof = PROOF_FOR_CHANGES
    position = data.draw(st.integers(min_value=0, max_value=len(proof) - 1), label="position")
    value = data.draw(
        st.integers(min_value=0, max_value=255).filter(lambda v: v != proof[position])
    )
    with pytest.raises(tlog.TlogError):
        tlog.verify_tlog_proof(flipped(proof, position, value), LOG.verifier, WITNESSES, 2)


def test_proof_refusals() -> None:
    checkpoint = cosigned_checkpoint(4, WITNESS_1)
    path = rfc6962.path(2, 0, 4)
    bare = tlog.TlogProof(2, tuple(path), checkpoint).format()
    assert tlog.verify_tlog_proof(bare, LOG.verifier, entry=rfc6962.entry(2)).index == 2
    with pytest.raises(tlog.InclusionError, match="which entry"):
        tlog.verify_tlog_proof(bare, LOG.verifier)
    with_extra = tlog.TlogProof(2, tuple(path), checkpoint, rfc6962.entry(2)).format()
    with pytest.raises(tlog.InclusionError, match="not the entry"):
        tlog.verify_tlog_proof(with_extra, LOG.verifier, entry=rfc6962.entry(3))
    with pytest.raises(tlog.InclusionError, match="root hash"):
        tlog.verify_tlog_proof(bare, LOG.verifier, entry=rfc6962.entry(3))
    hashes = "".join(base64.b64encode(h).decode() + "\n" for h in path)
    for text, message in [
        ("c2sp.org/tlog-proof@v2\nindex 2\n" + hashes + "\n" + checkpoint, "begin with"),
        ("c2sp.org/tlog-proof@v1\nindex 02\n" + hashes + "\n" + checkpoint, "leading zeros"),
        ("c2sp.org/tlog-proof@v1\n" + hashes + "\n" + checkpoint, "no 'index' line"),
        ("c2sp.org/tlog-proof@v1\nextra \nindex 2\n\n" + checkpoint, "base64|empty"),
        ("c2sp.org/tlog-proof@v1\nindex 2\nAAAA\n\n" + checkpoint, "32-byte"),
        ("c2sp.org/tlog-proof@v1\nindex 2\n" + hashes + checkpoint, "base64"),
        ("c2sp.org/tlog-proof@v1\nindex 2\n" + hashes * 33 + "\n" + checkpoint, "more than 64"),
        ("c2sp.org/tlog-proof@v1\nindex 2\n" + hashes, "no empty line"),
        ("c2sp.org/tlog-proof@v1\nindex 2\n" + hashes + "\n" + "not a note\n", "blank line"),
    ]:
        with pytest.raises(tlog.MalformedError, match=message):
            tlog.parse_tlog_proof(text)
    with pytest.raises(tlog.MalformedError, match="must not be empty"):
        tlog.TlogProof(2, tuple(path), checkpoint, b"").format()


# ----------------------------------------------------------------------------------------------
# Tiles


@pytest.mark.parametrize(
    ("index", "text"),
    [
        (0, "000"),
        (7, "007"),
        (999, "999"),
        (1000, "x001/000"),
        (1234067, "x001/x234/067"),
        (1_000_000, "x001/x000/000"),
        ((1 << 64) - 1, "x018/x446/x744/x073/x709/x551/615"),
    ],
)
def test_tile_indexes(index: int, text: str) -> None:
    assert tlog_tiles.format_tile_index(index) == text
    assert tlog_tiles.parse_tile_index(text) == index


@pytest.mark.parametrize(
    ("path", "tile"),
    [
        ("tile/0/000", tlog_tiles.Tile(0, 0)),
        ("tile/0/x001/x234/067", tlog_tiles.Tile(0, 1234067)),
        ("tile/0/x001/x234/067.p/8", tlog_tiles.Tile(0, 1234067, 8)),
        ("tile/1/017.p/255", tlog_tiles.Tile(1, 17, 255)),
        ("tile/63/000.p/1", tlog_tiles.Tile(63, 0, 1)),
        ("tile/entries/000", tlog_tiles.Tile(0, 0, entries=True)),
        ("tile/entries/x005/123.p/1", tlog_tiles.Tile(0, 5123, 1, entries=True)),
    ],
)
def test_good_tile_paths(path: str, tile: tlog_tiles.Tile) -> None:
    assert tlog_tiles.parse_tile_path(path) == tile
    assert tile.path == path
    if tile.entries:
        assert tlog_tiles.entries_path(tile.index, tile.width) == path
    else:
        assert tlog_tiles.tile_path(tile.level, tile.index, tile.width) == path


@pytest.mark.parametrize(
    "path",
    [
        "tile/-1/000",
        "tile/0/-01",
        "tile/0/-001",
        "tile/0/abc",
        "tile/0/0a0",
        "tile/00/000",
        "tile/01/000",
        "tile/64/000",
        "tile/x/000",
        "tile/0/1",
        "tile/0/01",
        "tile/0/0001",
        "tile/0/x000/001",
        "tile/0/x001/x000",
        "tile/0/x1/000",
        "tile/0/001/000",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/007",
        "tile/0/000.p/-1",
        "tile/0/000.p/",
        "tile/0/000.p",
        "tile/0/000/",
        "tile/0/000.p/5/",
        "tile/0",
        "tile/0/",
        "tile",
        "tiles/0/000",
        "/tile/0/000",
        "tile/entries/x001.p/3",
        "tile/0/+01",
        "tile/0/ 001",
        "tile/0/\u0660\u0660\u0661",
        "tile/0/x018/x446/x744/x073/x709/x551/616",
        "tile/0/" + "x999/" * 40 + "999",
    ],
)
def test_bad_tile_paths_are_refused(path: str) -> None:
    with pytest.raises(tlog.MalformedError) as refused:
        tlog_tiles.parse_tile_path(path)
    assert refused.value.status == 400
    assert str(refused.value)


def test_the_specification_tile_examples() -> None:
    # "a tree of size 70,000 will be represented by 273 full level 0 tiles, one partial level 0
    # tile of width 112, one full level 1 tile, one partial level 1 tile of width 17, and one
    # partial level 2 tile of width 1. Note that a tree of size 256 will be represented by a
    # full level 0 tile and a partial level 1 tile of width 1."
    assert tlog_tiles.tile_layout(70_000) == [(0, 273, 112), (1, 1, 17), (2, 0, 1)]
    assert tlog_tiles.tile_layout(256) == [(0, 1, 0), (1, 0, 1)]
    assert tlog_tiles.tile_layout(0) == []
    for level, full, width in tlog_tiles.tile_layout(70_000):
        assert tlog_tiles.Tile(level, full, width).in_tree(70_000) if width else True
        if full:
            assert tlog_tiles.Tile(level, full - 1).in_tree(70_000)
        assert not tlog_tiles.Tile(level, full).in_tree(70_000)
        assert not tlog_tiles.Tile(level, full, width + 1).in_tree(70_000)


def test_tiles_and_the_hashes_they_hold() -> None:
    assert tlog_tiles.Tile(1, 2, 3).coordinates() == [(8, 512), (8, 513), (8, 514)]
    assert tlog_tiles.Tile(0, 1, 2, entries=True).coordinates() == [(0, 256), (0, 257)]
    assert tlog_tiles.tile_for_hash(0, 1234) == (0, 4, 210)
    assert tlog_tiles.tile_for_hash(8, 300) == (1, 1, 44)
    assert tlog_tiles.tile_for_hash(16, 0) == (2, 0, 0)
    with pytest.raises(tlog.MalformedError, match="multiples of 8"):
        tlog_tiles.tile_for_hash(3, 0)
    assert tlog_tiles.Tile(0, 0, 5).in_tree(5)
    assert not tlog_tiles.Tile(0, 0, 6).in_tree(5)
    assert tlog_tiles.Tile(0, 0, entries=True).in_tree(256)
    assert not tlog_tiles.Tile(0, 0, entries=True).in_tree(255)
    assert tlog_tiles.Tile(1, 0, 1).in_tree(256)
    assert not tlog_tiles.Tile(1, 0, 2).in_tree(511)
    assert tlog_tiles.tile_for_subtree(3, 1, 20) == (tlog_tiles.Tile(0, 0, 20), 8, 8)
    assert tlog_tiles.tile_for_subtree(9, 1, 1 << 20) == (tlog_tiles.Tile(1, 0), 2, 2)
    with pytest.raises(tlog.MalformedError, match="not complete"):
        tlog_tiles.tile_for_subtree(3, 2, 20)


def test_tiles_cannot_be_made_malformed() -> None:
    for args in [(-1, 0, 256), (0, -1, 256), (0, 0, 0), (0, 0, 257), (64, 0, 256)]:
        with pytest.raises(tlog.MalformedError):
            tlog_tiles.Tile(*args)
    with pytest.raises(tlog.MalformedError):
        tlog_tiles.Tile(1, 0, entries=True)
    with pytest.raises(tlog.MalformedError):
        tlog_tiles.format_tile_index(-1)


def test_tile_contents_and_entry_bundles() -> None:
    hashes = [rfc6962.mth(i, i + 1) for i in range(4)]
    assert tlog_tiles.split_tile(b"".join(hashes), 4) == hashes
    with pytest.raises(tlog.MalformedError, match="width 5"):
        tlog_tiles.split_tile(b"".join(hashes), 5)
    assert tlog_tiles.subtree_hash(hashes) == rfc6962.mth(0, 4)
    with pytest.raises(tlog.MalformedError, match="power of two"):
        tlog_tiles.subtree_hash(hashes[:3])
    entries = [rfc6962.entry(i) for i in range(256)]
    bundle = tlog_tiles.format_entry_bundle(entries)
    assert bundle[:2] == b"\x00\x20"
    assert len(bundle) == 256 * 34
    assert tlog_tiles.parse_entry_bundle(bundle) == entries
    assert tlog_tiles.parse_entry_bundle(tlog_tiles.format_entry_bundle([b"", b"a" * 65535])) == [
        b"",
        b"a" * 65535,
    ]
    for bad in (bundle[:-1], bundle + b"\x00", b"\x00\x05abc"):
        with pytest.raises(tlog.MalformedError, match="ends in the middle"):
            tlog_tiles.parse_entry_bundle(bad)
    with pytest.raises(tlog.MalformedError, match="at most 256"):
        tlog_tiles.parse_entry_bundle(bundle + b"\x00\x00")
    with pytest.raises(tlog.MalformedError, match="at most 256"):
        tlog_tiles.format_entry_bundle([*entries, b""])
    with pytest.raises(tlog.MalformedError, match="65535"):
        tlog_tiles.format_entry_bundle([b"a" * 65536])


# ----------------------------------------------------------------------------------------------
# The acknowledgement and the standalone verifier

CASE, RECEIVED = "K7QX-2M4P", "2025-03-01T10:15:00.123456Z"
INDEX, SIZE, LATER = 640, 700, 1000


def acknowledgement(*, latest: bool = True) -> dict[str, Any]:
    statement = tlog.Statement(ORIGIN, CASE, RECEIVED, rfc6962.entry(INDEX))
    ack: dict[str, Any] = {
        "kind": "redress-acknowledgement",
        "version": 2,
        "case": CASE,
        "received_at": RECEIVED,
        "statement": statement.sign(LOG),
        "tlog_proof": make_proof(INDEX, SIZE, WITNESS_1, WITNESS_2),
    }
    if latest:
        ack["latest"] = {
            "tlog_proof": make_proof(INDEX, LATER, WITNESS_1, WITNESS_2),
            "consistency": [base64.b64encode(h).decode() for h in rfc6962.proof(SIZE, LATER)],
        }
    return ack


def test_a_statement_binds_the_case_the_time_and_the_entry() -> None:
    statement = tlog.Statement(ORIGIN, CASE, RECEIVED, rfc6962.entry(INDEX))
    entry64 = base64.b64encode(rfc6962.entry(INDEX)).decode()
    assert statement.text() == (
        f"redress-acknowledgement/v1\norigin {ORIGIN}\ncase {CASE}\n"
        f"received {RECEIVED}\nentry {entry64}\n"
    )
    assert tlog.parse_statement(statement.text()) == statement
    assert tlog.verify_statement(statement.sign(LOG), LOG.verifier) == statement
    # Never a checkpoint: its second line is not a number.
    with pytest.raises(tlog.MalformedError):
        tlog.parse_checkpoint(statement.text())
    with pytest.raises(tlog.MalformedError):
        tlog.verify_checkpoint(statement.sign(LOG), LOG.verifier)
    stranger = tlog.NoteSigner("other.example/log", SigningKey(bytes([4]) * 32))
    with pytest.raises(tlog.SignatureError, match="not this log"):
        tlog.verify_statement(statement.sign(stranger), stranger.verifier)
    for text in [
        statement.text().replace("case ", "case  "),
        statement.text().replace("origin", "origins"),
        statement.text() + "extra\n",
        statement.text()[:-1],
        statement.text().replace("v1", "v2"),
    ]:
        with pytest.raises(tlog.MalformedError):
            tlog.parse_statement(text)
    with pytest.raises(tlog.MalformedError, match="one word"):
        tlog.Statement(ORIGIN, "two words", RECEIVED, bytes(32))
    with pytest.raises(tlog.MalformedError, match="32-byte"):
        tlog.Statement(ORIGIN, CASE, RECEIVED, bytes(31))


def test_an_acknowledgement_verifies_now_and_later() -> None:
    checked = tlog.verify_acknowledgement(json.dumps(acknowledgement()), LOG.verifier, WITNESSES, 2)
    assert (checked.statement.case, checked.statement.received) == (CASE, RECEIVED)
    assert checked.proof.index == INDEX
    assert checked.latest is not None
    assert checked.latest.checkpoint.checkpoint.size == LATER
    assert tlog.verify_acknowledgement(acknowledgement(latest=False), LOG.verifier).latest is None


def test_acknowledgement_refusals() -> None:
    def refused(ack: Any, message: str, quorum: int = 2) -> None:
        with pytest.raises(tlog.TlogError, match=message):
            tlog.verify_acknowledgement(ack, LOG.verifier, WITNESSES, quorum)

    refused("{", "not valid JSON")
    refused("[]", "not a JSON object")
    refused({**acknowledgement(), "version": 1}, "version 2")
    refused({**acknowledgement(), "case": "AAAA-AAAA"}, "'case' differs")
    refused({**acknowledgement(), "received_at": "2025"}, "'received_at' differs")
    refused({**acknowledgement(), "tlog_proof": None}, r"no proof .* yet")
    refused({**acknowledgement(), "statement": 3}, "'statement' is missing")
    other = tlog.Statement(ORIGIN, CASE, RECEIVED, rfc6962.entry(INDEX + 1)).sign(LOG)
    refused({**acknowledgement(), "statement": other}, "not the entry")
    ack = acknowledgement()
    ack["latest"]["tlog_proof"] = make_proof(INDEX + 1, LATER, WITNESS_1, WITNESS_2)
    refused(ack, "not the entry")
    ack = acknowledgement()
    ack["latest"]["consistency"] = ack["latest"]["consistency"][:-1]
    refused(ack, "too few")
    ack = acknowledgement()
    ack["latest"]["consistency"] = ["no pe"]
    refused(ack, "base64")
    ack["latest"]["consistency"] = ["AAAA"]
    refused(ack, "32-byte")
    ack = acknowledgement()
    ack["tlog_proof"] = make_proof(INDEX, SIZE, WITNESS_1)
    refused(ack, "fewer than the 2")
    tlog.verify_acknowledgement(acknowledgement(), LOG.verifier, WITNESSES, 1)
    refused("x" * (tlog.MAX_ACKNOWLEDGEMENT_BYTES + 1), "too large")


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = tlog.main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_the_command_line_verifier(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ack_file = tmp_path / "ack.json"
    ack_file.write_text(json.dumps(acknowledgement()))
    vkey_file = tmp_path / "log.vkey"
    vkey_file.write_text("\n" + LOG.vkey + "\n")
    witnesses = ["--witness-vkey", WITNESS_1.vkey, "--witness-vkey", WITNESS_2.vkey]
    status, out, err = run_main(["verify", str(ack_file), "--vkey", LOG.vkey, *witnesses], capsys)
    assert (status, err) == (0, "")
    assert f"case {CASE}, received {RECEIVED}" in out
    assert f"entry {INDEX} of the {SIZE}" in out
    assert "Still there" in out
    assert "cosigned by 2 witnesses" in out
    status, out, _ = run_main(["verify", str(ack_file), "--vkey", str(vkey_file)], capsys)
    assert status == 0
    assert "no witness cosignature" in out
    ack = acknowledgement()
    ack["tlog_proof"] = make_proof(INDEX, SIZE, WITNESS_1)
    ack_file.write_text(json.dumps(ack))
    status, out, err = run_main(["verify", str(ack_file), "--vkey", LOG.vkey, *witnesses], capsys)
    assert (status, out) == (1, "")
    assert err.startswith("Refused: ")
    status, out, _ = run_main(
        ["verify", str(ack_file), "--vkey", LOG.vkey, *witnesses, "--quorum", "1"], capsys
    )
    assert status == 0
    status, _, err = run_main(
        ["verify", str(tmp_path / "missing.json"), "--vkey", LOG.vkey], capsys
    )
    assert status == 2
    assert "Cannot read" in err
    status, _, err = run_main(["verify", str(ack_file), "--vkey", "not-a-key"], capsys)
    assert status == 2
    assert "not usable" in err
    with pytest.raises(SystemExit) as usage:
        tlog.main(["verify", str(ack_file)])
    assert usage.value.code == 2
    capsys.readouterr()


def test_the_module_stands_alone(tmp_path: Path) -> None:
    """Copied alone into an empty directory, it imports with the standard library and PyNaCl,
    never touching Django or Redress, and checks an acknowledgement as a script."""
    module = Path(tlog.__file__)
    shutil.copy(module, tmp_path / "tlog.py")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "DJANGO"))}
    probe = (
        "import sys\n"
        "sys.modules['django'] = None\n"
        "sys.modules['redress'] = None\n"
        "import tlog\n"
        "assert tlog.__file__.startswith(sys.argv[1]), tlog.__file__\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('django', 'redress')]\n"
        "assert loaded == ['django', 'redress'], loaded\n"
        "assert sys.modules['django'] is None and sys.modules['redress'] is None\n"
        "print('standalone')\n"
    )
    done = subprocess.run(
        [sys.executable, "-E", "-s", "-c", probe, str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "standalone\n", "")
    (tmp_path / "ack.json").write_text(json.dumps(acknowledgement()))
    done = subprocess.run(
        [sys.executable, "-E", "-s", "tlog.py", "verify", "ack.json", "--vkey", LOG.vkey],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Genuine: case {CASE}")
