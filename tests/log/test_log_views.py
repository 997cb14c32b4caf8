"""The log served under /log/ (C2SP tlog-tiles), read as an outside client would read it: with
nothing but the log's URLs and the standalone tlog module, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from nacl.signing import SigningKey

from redress.ledger import log, tlog, tlog_tiles
from redress.ledger.append import append
from redress.ledger.events import Action
from redress.ledger.models import LogCheckpoint

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = "complaints.example.org/log"
REFERENCE = "R-7KQX-2M4P"
ACTIONS = (Action.CASE_RECEIVED, Action.CASE_VIEWED, Action.CASE_ASSIGNED)
# One full tile at level 0 and a partial one of 44, and a partial tile of width 1 at level 1.
SIZE = 300
IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture(autouse=True)
def log_settings(settings: Any, tmp_path: Path) -> None:
    settings.LOG_ORIGIN = ORIGIN
    settings.LOG_WITNESSES = []
    settings.LOG_QUORUM = 0
    settings.LEDGER_SIGNING_KEY = "1f" * 32
    settings.LEDGER_TRUSTED_KEYS = []
    settings.KEYS_DIR = tmp_path / "keys"


def fill(count: int, start: int = 0) -> None:
    """Append ``count`` entries; the first names the case ``REFERENCE``, and a staff member."""
    for n in range(start, start + count):
        obj = f"case:{REFERENCE}" if n == 0 else f"case:R-{n:04d}-0000"
        append(actor=f"user:{n % 7}", action=ACTIONS[n % len(ACTIONS)], obj=obj)


@pytest.fixture
def published() -> LogCheckpoint:
    fill(SIZE)
    made = log.make_checkpoint()
    assert made is not None
    assert made.published
    return made


def fetch(client: Client, path: str) -> bytes:
    response = client.get(f"/log/{path}")
    assert response.status_code == 200, (path, response.content)
    return bytes(response.content)


def verified_checkpoint(client: Client) -> tlog.Checkpoint:
    """The checkpoint, checked with the verifier key the log publishes beside it."""
    vkey = fetch(client, "vkey").decode().strip()
    checked = tlog.verify_checkpoint(fetch(client, "checkpoint"), tlog.parse_vkey(vkey))
    return checked.checkpoint


def root_from_tiles(client: Client, size: int) -> bytes:
    """RFC 6962's root of the tree of ``size`` entries, from the tiles alone: the tree's complete
    subtrees, largest first, each hashed from the tile that holds its children, then folded
    together from the right."""
    subtrees = []
    start = 0
    for level in reversed(range(size.bit_length())):
        if size >> level & 1:
            tile, position, count = tlog_tiles.tile_for_subtree(level, start >> level, size)
            hashes = tlog_tiles.split_tile(fetch(client, tile.path), tile.width)
            subtrees.append(tlog_tiles.subtree_hash(hashes[position : position + count]))
            start += 1 << level
    root = subtrees[-1]
    for left in reversed(subtrees[:-1]):
        root = tlog.node_hash(left, root)
    return root


def mth(leaves: list[bytes]) -> bytes:
    """RFC 6962's Merkle Tree Hash over leaf hashes, computed naively (section 2.1)."""
    if len(leaves) == 1:
        return leaves[0]
    split = 1
    while split * 2 < len(leaves):
        split *= 2
    return tlog.node_hash(mth(leaves[:split]), mth(leaves[split:]))


def bundles(client: Client, size: int) -> list[bytes]:
    """Every entry of the tree of ``size``, from its entry bundles."""
    found: list[bytes] = []
    for level, full, partial in tlog_tiles.tile_layout(size)[:1]:
        assert level == 0
        paths = [tlog_tiles.entries_path(index) for index in range(full)]
        if partial:
            paths.append(tlog_tiles.entries_path(full, partial))
        for path in paths:
            found += tlog_tiles.parse_entry_bundle(fetch(client, path))
    return found


def every_tile_path(size: int) -> list[str]:
    paths = []
    for level, full, partial in tlog_tiles.tile_layout(size):
        paths += [tlog_tiles.tile_path(level, index) for index in range(full)]
        if partial:
            paths.append(tlog_tiles.tile_path(level, full, partial))
    return paths


# --- The checkpoint and the key ---------------------------------------------------------------


def test_the_checkpoint_verifies_with_the_published_vkey(
    client: Client, published: LogCheckpoint
) -> None:
    response = client.get("/log/checkpoint")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert response.content == published.signed_note().encode()
    checkpoint = verified_checkpoint(client)
    assert checkpoint.origin == ORIGIN
    assert checkpoint.size == SIZE
    assert checkpoint.root == bytes(published.root)
    vkey = client.get("/log/vkey")
    assert vkey["Content-Type"] == "text/plain; charset=utf-8"
    assert vkey.content.decode() == f"{log.vkey()}\n"
    assert vkey.content.decode().startswith(f"{ORIGIN}+")


def test_an_unwitnessed_checkpoint_says_so_without_changing_the_note(
    client: Client, published: LogCheckpoint, settings: Any
) -> None:
    response = client.get("/log/checkpoint")
    assert response["Redress-Log-Witnessed"] == "no"
    assert b"unwitnessed" not in response.content

    # Witnesses are configured now, but this checkpoint carries no cosignature: still "no".
    witness = tlog.CosignatureSigner("witness.example.org", SigningKey(b"\x02" * 32))
    settings.LOG_WITNESSES = [{"url": "http://127.0.0.1:9", "vkey": witness.vkey}]
    settings.LOG_QUORUM = 1
    assert client.get("/log/checkpoint")["Redress-Log-Witnessed"] == "no"

    text = tlog.parse_note(published.note).text
    log.publish(published, [witness.cosign(text, 1_750_000_000)])
    response = client.get("/log/checkpoint")
    assert response["Redress-Log-Witnessed"] == "yes"
    log_key = tlog.parse_vkey(fetch(client, "vkey").decode().strip())
    tlog.verify_checkpoint(response.content, log_key, [witness.verifier], quorum=1)


def test_before_any_checkpoint_nothing_is_served(client: Client) -> None:
    fill(3)
    response = client.get("/log/checkpoint")
    assert response.status_code == 404
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert b"No checkpoint" in response.content
    for path in ("tile/0/000.p/1", "tile/entries/000.p/3"):
        assert client.get(f"/log/{path}").status_code == 404


# --- The tree, from the tiles ----------------------------------------------------------------


def test_a_client_rebuilds_the_checkpoint_root_from_the_tiles(
    client: Client, published: LogCheckpoint
) -> None:
    checkpoint = verified_checkpoint(client)
    assert root_from_tiles(client, checkpoint.size) == checkpoint.root

    # And from the entries themselves: each bundle's entries hash to the level-0 tiles' leaves.
    entries = bundles(client, checkpoint.size)
    assert len(entries) == SIZE
    assert all(len(entry) == 32 for entry in entries)
    leaves = [tlog.leaf_hash(entry) for entry in entries]
    level_0 = fetch(client, "tile/0/000") + fetch(client, "tile/0/001.p/44")
    assert tlog_tiles.split_tile(level_0, SIZE) == leaves
    assert mth(leaves) == checkpoint.root

    # The level-1 tile holds the hash of the full level-0 tile below it.
    assert fetch(client, "tile/1/000.p/1") == tlog_tiles.subtree_hash(leaves[:256])

    # An inclusion proof made by the log checks against the root the tiles give.
    for index in (0, 255, 256, SIZE - 1):
        proof = log.inclusion_proof(index, SIZE)
        tlog.verify_inclusion(leaves[index], index, SIZE, proof, checkpoint.root)


def test_full_tiles_are_immutable_and_partial_ones_are_not_cached(
    client: Client, published: LogCheckpoint
) -> None:
    expected = {
        "tile/0/000": (IMMUTABLE, 256 * 32),
        "tile/entries/000": (IMMUTABLE, 256 * 34),
        "tile/0/001.p/44": ("no-store", 44 * 32),
        "tile/entries/001.p/44": ("no-store", 44 * 34),
        "tile/1/000.p/1": ("no-store", 32),
        # A narrower partial tile than the checkpoint's, as an older checkpoint needed it.
        "tile/0/000.p/7": ("no-store", 7 * 32),
    }
    for path, (cache, length) in expected.items():
        response = client.get(f"/log/{path}")
        assert response.status_code == 200, path
        assert response["Content-Type"] == "application/octet-stream", path
        assert response["Cache-Control"] == cache, path
        assert len(response.content) == length, path
        assert "Vary" not in response, path
        assert response["Access-Control-Allow-Origin"] == "*"
    assert fetch(client, "tile/0/000.p/7") == fetch(client, "tile/0/000")[: 7 * 32]

    head = client.head("/log/tile/0/000")
    assert head.status_code == 200
    assert head["Cache-Control"] == IMMUTABLE
    assert head.content == b""


def test_tiles_stop_at_the_published_checkpoint(client: Client, settings: Any) -> None:
    fill(SIZE)
    assert log.make_checkpoint() is not None
    fill(20, start=SIZE)
    # The ledger holds 320 entries, the published checkpoint 300: nothing past 300 is served.
    assert client.get("/log/tile/0/001.p/44").status_code == 200
    for path in ("tile/0/001.p/64", "tile/0/001.p/45", "tile/entries/001.p/45", "tile/0/001"):
        response = client.get(f"/log/{path}")
        assert response.status_code == 404, path
        assert b"published checkpoint" in response.content

    # A newer checkpoint signed but waiting for its witnesses is not published, nor its tiles.
    witness = tlog.CosignatureSigner("witness.example.org", SigningKey(b"\x02" * 32))
    settings.LOG_WITNESSES = [{"url": "http://127.0.0.1:9", "vkey": witness.vkey}]
    settings.LOG_QUORUM = 1
    settings.LOG_WITNESS_TIMEOUT_SECONDS = 0.5
    waiting = log.make_checkpoint()
    assert waiting is not None
    assert not waiting.published
    assert verified_checkpoint(client).size == SIZE
    assert client.get("/log/tile/0/001.p/64").status_code == 404

    log.publish(waiting, [witness.cosign(tlog.parse_note(waiting.note).text, 1_750_000_000)])
    assert verified_checkpoint(client).size == SIZE + 20
    assert client.get("/log/tile/0/001.p/64").status_code == 200
    assert root_from_tiles(client, SIZE + 20) == bytes(waiting.root)


# --- Bad input ---------------------------------------------------------------------------------

MALFORMED = [
    "tile/-1/000",
    "tile/a/000",
    "tile/00/000",
    "tile/01/000",
    "tile/64/000",
    "tile/0/-01",
    "tile/0/-1",
    "tile/0/1",
    "tile/0/01",
    "tile/0/0000",
    "tile/0/abc",
    "tile/0/x000/001",
    "tile/0/x01/001",
    "tile/0/001/x001",
    "tile/0/x001",
    "tile/0/y001/001",
    "tile/0/x001/x002",
    "tile/0/x001//002",
    "tile/0/%D9%A0%D9%A0%D9%A0",
    "tile/0/000.p/0",
    "tile/0/000.p/256",
    "tile/0/000.p/300",
    "tile/0/000.p/01",
    "tile/0/000.p/-1",
    "tile/0/000.p/",
    "tile/0/000.p/abc",
    "tile/0/000.p/1/2",
    "tile/0/000.q/1",
    "tile/0/000/",
    "tile/0",
    "tile/0/",
    "tile/",
    "tile",
    "tile/entries",
    "tile/entries/",
    "tile/entries/-1",
    "tile/entries/1",
    "tile/entries/x000/000",
    "tile/entries/000.p/0",
    "tile/entries/000.p/256",
    "tile/entries/0/000",
    f"tile/0/{'x999/' * 60}999",
    "checkpoint/",
    "checkpoint.txt",
    "vkey/1",
    "",
    "index.html",
]
# Beyond a published tree of SMALL entries (a partial tile of width 3 at level 0).
SMALL = 3
BEYOND = [
    "tile/0/000",
    "tile/0/000.p/4",
    "tile/0/000.p/255",
    "tile/0/001",
    "tile/0/001.p/1",
    "tile/0/x001/000",
    "tile/1/000.p/1",
    "tile/1/000",
    "tile/63/000.p/1",
    "tile/entries/000",
    "tile/entries/000.p/4",
    "tile/entries/001.p/1",
    "tile/entries/x999/999",
]


@pytest.fixture
def small_log() -> LogCheckpoint:
    fill(SMALL)
    made = log.make_checkpoint()
    assert made is not None
    assert made.published
    return made


@pytest.mark.parametrize("path", MALFORMED + BEYOND)
def test_a_malformed_or_missing_path_gets_a_plain_4xx(
    client: Client, small_log: LogCheckpoint, path: str
) -> None:
    assert client.get(f"/log/tile/0/000.p/{SMALL}").status_code == 200
    response = client.get(f"/log/{path}")
    assert 400 <= response.status_code < 500, (path, response.status_code)
    if path in BEYOND:
        assert response.status_code == 404
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    message = response.content.decode()
    assert message.strip(), path
    assert "Traceback" not in message
    assert "<html" not in message.lower()


def test_a_null_character_is_refused_before_the_log_is_read(
    client: Client, small_log: LogCheckpoint
) -> None:
    response = client.get("/log/tile/0/000.p/%00")
    assert response.status_code == 400
    assert response["Cache-Control"] == "no-store"


def test_a_tile_the_ledger_does_not_wholly_hold_is_refused_plainly(
    client: Client, small_log: LogCheckpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(log, "level_hashes", lambda level, first, count: [])
    response = client.get(f"/log/tile/0/000.p/{SMALL}")
    assert response.status_code == 500
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == b"The log cannot serve this tile now.\n"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
@pytest.mark.parametrize(
    "path", ["checkpoint", "vkey", "tile/0/000.p/3", "tile/entries/000.p/3", "x"]
)
def test_only_get_and_head_are_answered(
    client: Client, small_log: LogCheckpoint, method: str, path: str
) -> None:
    assert client.get(f"/log/{path}").status_code in (200, 404)
    response = getattr(client, method)(f"/log/{path}")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert b"read-only" in response.content


def test_post_is_refused_even_with_csrf_checks_on(small_log: LogCheckpoint) -> None:
    response = Client(enforce_csrf_checks=True).post("/log/checkpoint")
    assert response.status_code == 405


# --- What the log reveals ----------------------------------------------------------------------


def test_nothing_served_names_a_case_an_act_or_a_person(
    client: Client, published: LogCheckpoint
) -> None:
    served = [
        fetch(client, "checkpoint"),
        fetch(client, "vkey"),
        *(fetch(client, path) for path in every_tile_path(SIZE)),
        *(fetch(client, path) for path in ("tile/entries/000", "tile/entries/001.p/44")),
    ]
    everything = b"\n".join(served)
    forbidden = [REFERENCE, REFERENCE.replace("-", ""), "case:", "user:", "R-0001-0000"]
    forbidden += [action.value for action in Action]
    for word in forbidden:
        assert word.encode() not in everything, word
        assert word.lower().encode() not in everything.lower(), word
    # Nor the hash of any field, as a check on how the digests are made.
    for word in (REFERENCE, f"case:{REFERENCE}", "case.received"):
        assert hashlib.sha256(word.encode()).digest() not in everything


def test_reading_the_log_leaves_no_session_cookie_or_entry(
    client: Client, published: LogCheckpoint
) -> None:
    size = log.size()
    for path in ("checkpoint", "vkey", "tile/0/000", "tile/entries/001.p/44", "tile/0/999"):
        response = client.get(
            f"/log/{path}",
            REMOTE_ADDR="203.0.113.9",
            HTTP_USER_AGENT="Example/1.0",
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
        assert not response.cookies, path
        assert "Set-Cookie" not in response, path
        assert "Vary" not in response, path
    assert Session.objects.count() == 0
    assert log.size() == size
