"""The witness's add-checkpoint call, as c2sp.org/tlog-witness specifies it, over HTTP."""

from __future__ import annotations

import base64
import http.client
import socket
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from redress.ledger import tlog, tlog_witness
from redress.witness import server
from tests.witness.conftest import (
    ORIGIN,
    WITNESS_NAME,
    MemoryLog,
    Reply,
    RunningWitness,
    log_signer,
)

TEXT = "text/plain; charset=utf-8"
DASH = "\u2014".encode()


def cosigned(log: MemoryLog, reply: Reply, vkey: str, size: int | None = None) -> int:
    """Check that ``reply`` is one cosignature by the witness over the log's checkpoint at
    ``size``, making the checkpoint verify with a quorum of one; its timestamp."""
    assert reply.status == 200, reply.text
    note = tlog.parse_note(log.checkpoint(size))
    signatures = tlog_witness.parse_cosignatures(reply.body)
    assert len(signatures) == 1
    assert signatures[0].name == WITNESS_NAME
    witnessed = note.with_signatures(signatures)
    checked = tlog.verify_checkpoint(witnessed, log.signer.verifier, [vkey], quorum=1)
    assert checked.witnesses == (WITNESS_NAME,)
    (verified,) = tlog_witness.verify_cosignatures(note, reply.body, tlog.parse_vkey(vkey))
    assert verified.timestamp is not None
    return verified.timestamp


def test_the_witness_key_is_a_cosigner_key(witness: RunningWitness) -> None:
    reply = witness.request("GET", "/vkey")
    assert reply.status == 200
    assert reply.content_type == TEXT
    verifier = tlog.parse_vkey(reply.text)
    assert verifier.sig_type == tlog.COSIGNATURE_V1
    assert verifier.name == WITNESS_NAME
    assert reply.text == witness.vkey + "\n"


def test_a_first_checkpoint_is_cosigned(witness: RunningWitness, log: MemoryLog) -> None:
    log.grow(7)
    before = int(time.time())
    reply = witness.add(log.request(0))
    stamp = cosigned(log, reply, witness.vkey)
    assert before <= stamp <= int(time.time())
    assert reply.body.startswith("\u2014 ".encode())
    assert reply.body.endswith(b"\n")


def test_a_later_checkpoint_with_a_right_proof_is_cosigned(
    witness: RunningWitness, log: MemoryLog
) -> None:
    log.grow(7)
    cosigned(log, witness.add(log.request(0)), witness.vkey)
    for more in (1, 9, 240, 3):
        old = log.size
        log.grow(more)
        cosigned(log, witness.add(log.request(old)), witness.vkey)
    served = witness.request("GET", f"/checkpoint/{quote(ORIGIN)}")
    assert served.status == 200
    checked = tlog.verify_checkpoint(
        served.text, log.signer.verifier, [witness.vkey], quorum=1, origin=ORIGIN
    )
    assert checked.checkpoint.size == log.size == 260
    assert checked.checkpoint.root == log.roots[260]
    assert served.headers["cache-control"] == "no-store"
    assert served.content_type == TEXT
    # The origin may be sent with its slashes percent-encoded too.
    assert witness.request("GET", f"/checkpoint/{quote(ORIGIN, safe='')}").body == served.body


def test_the_same_checkpoint_again_is_cosigned_again(
    witness: RunningWitness, log: MemoryLog
) -> None:
    """A log that did not hear the answer asks again: same size, same root, empty proof."""
    log.grow(5)
    cosigned(log, witness.add(log.request(0)), witness.vkey)
    cosigned(log, witness.add(log.request(5)), witness.vkey)
    assert not (witness.data / "evidence").exists()


def test_a_checkpoint_from_the_empty_tree_can_grow(witness: RunningWitness, log: MemoryLog) -> None:
    cosigned(log, witness.add(log.request(0)), witness.vkey)
    log.grow(3)
    cosigned(log, witness.add(log.request(0)), witness.vkey)


@pytest.mark.parametrize("claimed", [0, 3, 9, 12])
def test_a_wrong_old_size_gets_409_with_the_size_known(
    witness: RunningWitness, log: MemoryLog, claimed: int
) -> None:
    log.grow(9)
    cosigned(log, witness.add(log.request(0)), witness.vkey)
    log.grow(4)
    reply = witness.add(log.request(claimed) if claimed else log.request(0))
    if claimed == 9:
        cosigned(log, reply, witness.vkey)
        return
    assert reply.status == 409
    assert reply.content_type == "text/x.tlog.size"
    assert reply.body == b"9\n"


def test_an_old_size_with_no_checkpoint_cosigned_gets_409_with_zero(
    witness: RunningWitness, log: MemoryLog
) -> None:
    log.grow(6)
    reply = witness.add(log.request(4))
    assert (reply.status, reply.content_type, reply.body) == (409, "text/x.tlog.size", b"0\n")


def test_a_proof_that_does_not_verify_gets_422(witness: RunningWitness, log: MemoryLog) -> None:
    log.grow(10)
    cosigned(log, witness.add(log.request(0)), witness.vkey)
    log.grow(7)
    proof = log.proof(10)
    for position in range(len(proof)):
        bad = list(proof)
        bad[position] = bytes([bad[position][0] ^ 1]) + bad[position][1:]
        reply = witness.add(log.request(10, proof=bad))
        assert reply.status == 422, reply.text
        assert reply.content_type == TEXT
        assert "consistency proof" in reply.text
    for wrong in (proof[:-1], [*proof, proof[0]], []):
        assert witness.add(log.request(10, proof=wrong)).status == 422
    cosigned(log, witness.add(log.request(10)), witness.vkey)


def test_a_proof_from_the_empty_tree_must_be_empty(witness: RunningWitness, log: MemoryLog) -> None:
    log.grow(4)
    reply = witness.add(log.request(0, proof=[bytes(32)]))
    assert reply.status == 422
    assert "empty" in reply.text


def test_a_log_key_it_does_not_know_gets_403(witness: RunningWitness) -> None:
    impostor = MemoryLog(log_signer(ORIGIN, seed=2)).grow(3)
    reply = witness.add(impostor.request(0))
    assert reply.status == 403
    assert reply.content_type == TEXT
    assert "not signed by any of the keys" in reply.text


def test_a_false_signature_by_the_known_key_gets_403(
    witness: RunningWitness, log: MemoryLog
) -> None:
    log.grow(3)
    note = tlog.parse_note(log.checkpoint())
    forged = tlog.Checkpoint(ORIGIN, 3, bytes(32)).text()
    body = tlog_witness.AddCheckpoint(0, (), tlog.Note(forged, note.signatures).format()).format()
    reply = witness.add(body)
    assert reply.status == 403
    assert "false" in reply.text


def test_a_log_it_does_not_know_gets_404(witness: RunningWitness) -> None:
    stranger = MemoryLog(log_signer("elsewhere.example/log", seed=3)).grow(3)
    reply = witness.add(stranger.request(0))
    assert reply.status == 404
    assert reply.content_type == TEXT
    assert "does not know the log" in reply.text


def test_unknown_signatures_are_ignored(witness: RunningWitness, log: MemoryLog) -> None:
    log.grow(3)
    other = log_signer("someone.else/key", seed=4)
    note = tlog.parse_note(log.checkpoint())
    both = note.with_signatures([other.sign(note.text)]).format()
    reply = witness.add(tlog_witness.AddCheckpoint(0, (), both).format())
    cosigned(log, reply, witness.vkey)
    served = witness.request("GET", f"/checkpoint/{quote(ORIGIN)}").text
    assert "someone.else" not in served


def test_an_old_size_above_the_checkpoint_gets_400(witness: RunningWitness, log: MemoryLog) -> None:
    log.grow(3)
    body = tlog_witness.AddCheckpoint(5, (), log.checkpoint()).format()
    reply = witness.add(body)
    assert reply.status == 400
    assert "larger than the checkpoint" in reply.text


def malformed_bodies(log: MemoryLog) -> dict[str, bytes]:
    log.grow(3)
    checkpoint = log.checkpoint().encode()
    proof_line = base64.b64encode(bytes(32))
    return {
        "empty": b"",
        "no old line": b"\n" + checkpoint,
        "old with a leading zero": b"old 00\n\n" + checkpoint,
        "old not a number": b"old three\n\n" + checkpoint,
        "old negative": b"old -1\n\n" + checkpoint,
        "old too large": b"old 18446744073709551616\n\n" + checkpoint,
        "two spaces": b"old  0\n\n" + checkpoint,
        "no empty line": b"old 0\n" + checkpoint,
        "proof not base64": b"old 0\n!!!!\n\n" + checkpoint,
        "proof line not 32 bytes": b"old 0\n" + base64.b64encode(bytes(31)) + b"\n\n" + checkpoint,
        "proof with non-canonical base64": b"old 0\n" + proof_line[:-2] + b"B=\n\n" + checkpoint,
        "not UTF-8": b"old 0\n\n\xff" + checkpoint,
        "control character": b"old 0\n\n" + checkpoint.replace(b"\n", b"\r\n", 1),
        "no checkpoint": b"old 0\n\n",
        "checkpoint without signatures": b"old 0\n\n" + checkpoint.split(b"\n\n")[0] + b"\n",
        "checkpoint without newline at the end": b"old 0\n\n" + checkpoint[:-1],
        "checkpoint size not a number": b"old 0\n\n"
        + checkpoint.replace(b"\n3\n", b"\nthree\n", 1),
        "signature line without em dash": b"old 0\n\n" + checkpoint.replace(DASH, b"-"),
    }


@pytest.mark.parametrize("kind", sorted(malformed_bodies(MemoryLog(log_signer()))))
def test_malformed_bodies_get_400_with_a_plain_message(
    witness: RunningWitness, log: MemoryLog, kind: str
) -> None:
    reply = witness.add(malformed_bodies(log)[kind])
    assert reply.status == 400, (kind, reply.status, reply.text)
    assert reply.content_type == TEXT
    message = reply.text
    assert message.endswith("\n")
    assert 10 < len(message) < 300
    assert "<html" not in message.lower()
    assert "Traceback" not in message
    assert witness.witness.state.latest(ORIGIN) is None


def raw_exchange(witness: RunningWitness, request: bytes, wait: float = 5.0) -> tuple[bytes, float]:
    """Send ``request`` as bytes on a new connection; the whole answer and how long it took."""
    started = time.monotonic()
    with socket.create_connection((str(witness.host), int(witness.port)), timeout=wait) as conn:
        conn.sendall(request)
        chunks = []
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks), time.monotonic() - started


def test_an_oversized_body_is_refused_before_it_is_read(witness: RunningWitness) -> None:
    """The Content-Length says too much: 413 at once, without waiting for the body."""
    declared = tlog_witness.MAX_WITNESS_REQUEST_BYTES + 1
    head = (
        f"POST /add-checkpoint HTTP/1.1\r\nHost: witness\r\nContent-Length: {declared}\r\n\r\n"
    ).encode()
    answer, took = raw_exchange(witness, head + b"old 0\n")
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"Content-Type: text/plain; charset=utf-8\r\n" in answer
    assert b"Connection: close\r\n" in answer
    assert answer.endswith(f"larger than {tlog_witness.MAX_WITNESS_REQUEST_BYTES} bytes\n".encode())
    assert took < 3  # it did not wait for the body it was promised


def test_a_body_of_the_largest_size_is_read(witness: RunningWitness, log: MemoryLog) -> None:
    log.grow(3)
    body = log.request(0)
    padded = body + b" " * (tlog_witness.MAX_WITNESS_REQUEST_BYTES - len(body))
    reply = witness.add(padded)
    # Read whole and parsed: it is the note inside that is too large, not the request.
    assert reply.status == 413
    assert reply.text == f"the note is larger than {tlog.MAX_NOTE_BYTES} bytes\n"


def test_too_many_proof_lines_get_413(witness: RunningWitness, log: MemoryLog) -> None:
    log.grow(3)
    lines = b"".join(base64.b64encode(bytes(32)) + b"\n" for _ in range(64))
    reply = witness.add(b"old 1\n" + lines + b"\n" + log.checkpoint().encode())
    assert reply.status == 413
    assert reply.content_type == TEXT


@pytest.mark.parametrize(
    ("head", "status"),
    [
        (b"POST /add-checkpoint HTTP/1.1\r\nHost: w\r\n\r\n", 411),
        (b"POST /add-checkpoint HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked\r\n\r\n", 411),
        (b"POST /add-checkpoint HTTP/1.1\r\nHost: w\r\nContent-Length: ten\r\n\r\n", 400),
        (b"POST /add-checkpoint HTTP/1.1\r\nHost: w\r\nContent-Length: -5\r\n\r\n", 400),
        (
            b"POST /add-checkpoint HTTP/1.1\r\nHost: w\r\nContent-Length: 50\r\nConnection: close"
            b"\r\n\r\nold 0\n",
            400,
        ),
    ],
)
def test_a_body_without_a_usable_length_is_refused(
    witness: RunningWitness, head: bytes, status: int
) -> None:
    if b"Content-Length: 50" in head:
        # The body ends (the client shuts its side) before the length it announced.
        with socket.create_connection((str(witness.host), int(witness.port)), timeout=5) as conn:
            conn.sendall(head)
            conn.shutdown(socket.SHUT_WR)
            answer = b"".join(iter(lambda: conn.recv(65536), b""))
    else:
        answer, _ = raw_exchange(witness, head)
    assert answer.startswith(f"HTTP/1.1 {status} ".encode())
    assert b"text/plain; charset=utf-8" in answer


def test_other_routes(witness: RunningWitness, log: MemoryLog) -> None:
    assert witness.request("GET", "/checkpoint/" + quote(ORIGIN)).status == 404
    assert witness.request("GET", "/checkpoint/").status == 404
    assert witness.request("GET", "/checkpoint/%ff").status == 400
    assert witness.request("GET", "/nothing").status == 404
    reply = witness.request("GET", "/add-checkpoint")
    assert reply.status == 405
    assert reply.headers["allow"] == "POST"
    log.grow(2)
    assert witness.request("POST", "/add-checkpoint/", log.request(0)).status == 404
    assert witness.request("POST", "/add-checkpoint?x=1", log.request(0)).status == 200


def test_keep_alive_serves_several_requests_on_one_connection(
    witness: RunningWitness, log: MemoryLog
) -> None:
    connection = witness.connection()
    try:
        for _ in range(3):
            old = log.size
            log.grow(2)
            connection.request("POST", "/add-checkpoint", body=log.request(old))
            response = connection.getresponse()
            assert response.status == 200
            response.read()
    finally:
        connection.close()


def test_connections_beyond_the_limit_are_closed(
    tmp_path: Path, log: MemoryLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server, "MAX_CONNECTIONS", 2)
    running = RunningWitness(tmp_path / "w", [log.signer.verifier])
    address = (str(running.host), int(running.port))
    try:
        idle = [socket.create_connection(address, timeout=5) for _ in range(2)]
        time.sleep(0.2)  # both are being served, waiting for a request line
        with socket.create_connection(address, timeout=5) as extra:
            assert extra.recv(1024) == b""  # closed by the witness, not left waiting
        for conn in idle:
            conn.close()
        deadline = time.monotonic() + 5
        while True:
            try:
                reply = running.request("GET", "/vkey")
                break
            except (ConnectionError, http.client.HTTPException):
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert reply.status == 200
    finally:
        running.stop()
