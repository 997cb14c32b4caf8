"""Redress's log with two witnesses and a quorum of two: what is published, what a witness that
is down does, and how the witnesses meet a rewritten history."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from redress.ledger import log, tlog
from redress.ledger.models import LogCheckpoint
from redress.witness.keys import load_key, log_keys
from redress.witness.server import Witness, WitnessServer
from tests.ledger.test_log_attack import _fill, _rewrite_history, _verify
from tests.witness.conftest import RunningWitness

pytestmark = pytest.mark.django_db(transaction=True)


class NamedWitness(RunningWitness):
    """A witness of its own name (each body runs its own, and is counted once)."""

    def __init__(self, data: Path, name: str) -> None:
        self.data = data
        signer, _ = load_key(data, name=name)
        self.witness = Witness(data, signer, log_keys([(log.origin(), log.verifier())]))
        self.server = WitnessServer(("127.0.0.1", 0), self.witness)
        self.host, self.port = self.server.server_address[:2]  # type: ignore[misc]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()


class Witnesses:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.running = [self._start(name) for name in ("a", "b")]

    def _start(self, name: str) -> RunningWitness:
        return NamedWitness(self.folder / name, f"witness-{name}.example/witness")

    def restart(self, number: int) -> None:
        self.running[number] = self._start("ab"[number])

    def configure(self, settings: Any) -> None:
        settings.LOG_WITNESSES = [
            {"url": f"http://127.0.0.1:{witness.port}", "vkey": witness.vkey}
            for witness in self.running
        ]
        settings.LOG_QUORUM = 2
        settings.LOG_WITNESS_TIMEOUT_SECONDS = 2


@pytest.fixture
def witnesses(tmp_path: Path, settings: Any) -> Iterator[Witnesses]:
    started = Witnesses(tmp_path)
    started.configure(settings)
    yield started
    for witness in started.running:
        witness.stop()


def _published_note() -> str:
    published = log.published()
    assert published is not None
    return published.signed_note()


def test_a_checkpoint_is_published_with_both_cosignatures(witnesses: Witnesses) -> None:
    _fill(5)
    made = log.make_checkpoint()
    assert made is not None
    assert made.published
    checked = tlog.verify_checkpoint(
        _published_note(),
        [log.verifier()],
        witnesses=[tlog.witness_verifier(w.vkey) for w in witnesses.running],
        quorum=2,
    )
    assert checked.checkpoint.size == 5
    # Each witness extends what it saw: a later checkpoint is cosigned with a consistency proof.
    _fill(7, start=5)
    later = log.make_checkpoint()
    assert later is not None
    assert later.published


def test_with_one_witness_down_nothing_new_is_published_and_the_old_one_serves(
    witnesses: Witnesses, settings: Any
) -> None:
    _fill(4)
    first = log.make_checkpoint()
    assert first is not None
    assert first.published
    witnesses.running[1].stop()
    _fill(3, start=4)
    waiting = log.make_checkpoint()
    assert waiting is not None
    assert not waiting.published
    assert log.published() == first  # /log/checkpoint still serves the old one
    # The witness restarts on its own data and remembers what it cosigned; the next pass
    # publishes the waiting checkpoint.
    witnesses.restart(1)
    witnesses.configure(settings)
    assert log.make_checkpoint() is None  # the log has not grown...
    waiting.refresh_from_db()
    assert waiting.published  # ...but the waiting checkpoint was offered again
    assert log.published() == waiting


def test_the_witnesses_refuse_a_rewritten_history_and_verify_names_it(
    witnesses: Witnesses, settings: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _fill(54)
    made = log.make_checkpoint()
    assert made is not None
    assert made.published
    kept = tmp_path / "cosigned.txt"
    kept.write_text(made.signed_note())

    _rewrite_history(first=20, count=4)  # deletes every checkpoint in the database too
    _fill(3, start=54)
    with caplog.at_level("ERROR", logger="redress.ledger.witnesses"):
        rewritten = log.make_checkpoint()
    assert rewritten is not None
    assert not rewritten.published  # neither witness cosigns it
    refusals = [
        record.getMessage()
        for record in caplog.records
        if record.name == "redress.ledger.witnesses" and "refused" in record.getMessage()
    ]
    assert len(refusals) == 2
    assert all("HTTP 422" in message or "HTTP 409" in message for message in refusals)
    assert not LogCheckpoint.objects.filter(published_at__isnull=False).exists()

    # ledger verify fetches each witness's latest cosigned checkpoint and names the rewrite,
    # as it does with the cosigned checkpoint kept as a file.
    code, out = _verify()
    assert code == 1
    assert "the first 54 entries no longer have the root hash" in out
    assert "witness" in out
    code, out = _verify("--checkpoint", str(kept))
    assert code == 1
