"""The witness's record: kept across restarts, advanced by one request at a time, never half
written; its files readable by their owner only."""

from __future__ import annotations

import stat
import threading
from pathlib import Path
from urllib.parse import quote

import pytest

from redress.ledger import tlog, tlog_witness
from redress.witness.state import State
from tests.witness.conftest import ORIGIN, MemoryLog, Reply, RunningWitness


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_restarted_witness_keeps_its_state(tmp_path: Path, log: MemoryLog) -> None:
    data = tmp_path / "witness"
    first = RunningWitness(data, [log.signer.verifier])
    try:
        log.grow(5)
        assert first.add(log.request(0)).status == 200
        vkey = first.vkey
    finally:
        first.stop()

    log.grow(3)
    again = RunningWitness(data, [log.signer.verifier])
    try:
        assert again.vkey == vkey
        reply = again.add(log.request(0))
        assert (reply.status, reply.content_type, reply.body) == (409, "text/x.tlog.size", b"5\n")
        served = again.request("GET", f"/checkpoint/{quote(ORIGIN)}")
        checked = tlog.verify_checkpoint(served.text, log.signer.verifier, [vkey], quorum=1)
        assert checked.checkpoint.size == 5
        assert again.add(log.request(5)).status == 200
    finally:
        again.stop()


def send_together(witness: RunningWitness, bodies: list[bytes]) -> list[Reply]:
    """Send every body at once, each on its own connection, and gather the replies in order."""
    replies: list[Reply | None] = [None] * len(bodies)
    start = threading.Barrier(len(bodies))

    def send(number: int) -> None:
        start.wait()
        replies[number] = witness.add(bodies[number])

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(reply is not None for reply in replies)
    return [reply for reply in replies if reply is not None]


@pytest.mark.parametrize("round_", range(3))
def test_of_concurrent_requests_from_the_same_old_size_only_one_advances(
    witness: RunningWitness, log: MemoryLog, round_: int
) -> None:
    log.grow(4 + round_)
    old = log.size
    assert witness.add(log.request(0)).status == 200
    log.grow(8)
    sizes = range(old + 1, old + 9)
    replies = send_together(witness, [log.request(old, size) for size in sizes])
    winners = [size for size, reply in zip(sizes, replies, strict=True) if reply.status == 200]
    assert len(winners) == 1, [reply.status for reply in replies]
    for reply in replies:
        if reply.status != 200:
            assert (reply.status, reply.body) == (409, f"{winners[0]}\n".encode())
    latest = witness.witness.state.latest(ORIGIN)
    assert latest is not None
    assert (latest.size, latest.root) == (winners[0], log.roots[winners[0]])


def test_of_two_concurrent_forks_of_one_size_only_one_is_cosigned(
    witness: RunningWitness, log: MemoryLog
) -> None:
    log.grow(6)
    assert witness.add(log.request(0)).status == 200
    fork = MemoryLog(log.signer, log.entries).grow(4, label="fork")
    log.grow(4)
    replies = send_together(witness, [log.request(6), fork.request(6)])
    assert sorted(reply.status for reply in replies) == [200, 409]
    assert all(reply.body == b"10\n" for reply in replies if reply.status == 409)
    kept = list((witness.data / "evidence").glob("*/10-*"))
    assert len(kept) == 1


def test_nothing_is_stored_when_cosigning_fails(
    witness: RunningWitness, log: MemoryLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    log.grow(3)
    assert witness.add(log.request(0)).status == 200
    log.grow(2)

    def broken(text: str, timestamp: int) -> tlog.Signature:
        raise OSError("the signing device is gone")

    monkeypatch.setattr(witness.witness.signer, "cosign", broken)
    reply = witness.add(log.request(3))
    assert reply.status == 500
    assert reply.text == "the witness could not handle the request; nothing was cosigned\n"
    latest = witness.witness.state.latest(ORIGIN)
    assert latest is not None
    assert latest.size == 3
    monkeypatch.undo()
    assert witness.add(log.request(3)).status == 200


def test_cosignature_times_never_go_back(tmp_path: Path, log: MemoryLog) -> None:
    running = RunningWitness(tmp_path / "w", [log.signer.verifier])
    try:
        log.grow(2)
        first = running.add(log.request(0))
        stamp = tlog.cosignature_timestamp(tlog_witness.parse_cosignatures(first.body)[0])
        running.witness.clock = lambda: 1_000.0  # the machine's clock was set back
        log.grow(1)
        later = running.add(log.request(2))
        assert tlog.cosignature_timestamp(tlog_witness.parse_cosignatures(later.body)[0]) == stamp
    finally:
        running.stop()


def test_sizes_beyond_sqlite_integers_are_kept(tmp_path: Path) -> None:
    from redress.witness.state import Cosigned

    state = State(tmp_path / "state.sqlite3")
    big = (1 << 64) - 1
    with state.transaction() as record:
        record.put(Cosigned("o", big, bytes(32), 1, "note\n"))
    latest = state.latest("o")
    assert latest is not None
    assert latest.size == big


def test_files_are_the_owners_alone(witness: RunningWitness, log: MemoryLog) -> None:
    log.grow(1)
    assert witness.add(log.request(0)).status == 200
    assert mode(witness.data) == 0o700
    assert mode(witness.data / "witness.key") == 0o600
    assert mode(witness.data / "state.sqlite3") == 0o600
