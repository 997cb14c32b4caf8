"""The attack of issue 18, as the witness sees it.

Someone with write access to Redress's database deletes the last checkpoint, changes the actor
of four entries, recomputes the hash chain from there and updates the head. Every ledger entry
from the first one changed onward then has a different chain hash, so a different log entry
(its salted digest): the log's tree from that index on is another tree. The witness, which
cosigned the log at size N, must refuse any checkpoint of that tree, whatever the request says,
and keep it beside the one it cosigned.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote

import pytest

from redress.ledger import tlog
from redress.witness import server
from tests.witness.conftest import ORIGIN, MemoryLog, Records, RunningWitness, entry

COSIGNED = 54
FIRST_CHANGED = 17  # the first of the four entries whose actor was changed


@pytest.fixture
def rewritten(log: MemoryLog) -> MemoryLog:
    """The same log, rewritten from entry 17 on, and grown a little since."""
    log.grow(COSIGNED)
    forged = [entry(f"rewritten {i}") for i in range(FIRST_CHANGED, COSIGNED + 6)]
    return MemoryLog(log.signer, [*log.entries[:FIRST_CHANGED], *forged])


@pytest.fixture
def cosigned(witness: RunningWitness, log: MemoryLog, rewritten: MemoryLog) -> RunningWitness:
    """The witness, having cosigned the honest log at size 54 (before it was rewritten)."""
    assert log.size == COSIGNED
    assert witness.add(log.request(0)).status == 200
    return witness


def evidence_folders(witness: RunningWitness) -> list[Path]:
    return sorted(path for path in (witness.data / "evidence").glob("*/*") if path.is_dir())


def where(folder: Path) -> str:
    """What a log line shows of an evidence folder's path in these tests, where Redress's own
    logging (not the witness's) shortens the parts of paths that look like secrets."""
    return f"evidence/{folder.parent.name}/"


def check_evidence(
    folder: Path, log: MemoryLog, rewritten: MemoryLog, size: int, request: bytes
) -> None:
    cosigned = (folder / "cosigned.checkpoint").read_text()
    refused = (folder / "refused.checkpoint").read_text()
    # Both are signed by the log's key: the log cannot disown either.
    first = tlog.verify_checkpoint(cosigned, log.signer.verifier, origin=ORIGIN)
    second = tlog.verify_checkpoint(refused, log.signer.verifier, origin=ORIGIN)
    assert (first.checkpoint.size, first.checkpoint.root) == (COSIGNED, log.roots[COSIGNED])
    assert (second.checkpoint.size, second.checkpoint.root) == (size, rewritten.roots[size])
    assert refused == rewritten.checkpoint(size)
    assert (folder / "add-checkpoint.request").read_bytes() == request
    readme = (folder / "README.txt").read_text()
    assert f"size {COSIGNED}" in readme
    assert f"size {size}" in readme


def test_the_rewritten_log_with_its_own_proof_gets_422_and_is_kept(
    cosigned: RunningWitness, log: MemoryLog, rewritten: MemoryLog, witness_log: Records
) -> None:
    """The rewritten log proves its new tree consistent with its own (rewritten) tree at 54:
    that proof cannot lead to the root the witness cosigned."""
    request = rewritten.request(COSIGNED)
    reply = cosigned.add(request)
    assert reply.status == 422
    assert "old root hash" in reply.text
    (folder,) = evidence_folders(cosigned)
    check_evidence(folder, log, rewritten, rewritten.size, request)
    (error,) = witness_log.messages(logging.ERROR)
    assert f"refused a checkpoint of {ORIGIN} at size 60 (HTTP 422)" in error
    assert "rewrite" in error
    assert where(folder) in error


def test_the_rewritten_log_with_the_honest_proof_gets_422(
    cosigned: RunningWitness, log: MemoryLog, rewritten: MemoryLog
) -> None:
    honest = MemoryLog(log.signer, log.entries).grow(6)
    reply = cosigned.add(rewritten.request(COSIGNED, proof=honest.proof(COSIGNED)))
    assert reply.status == 422
    assert len(evidence_folders(cosigned)) == 1


def test_the_rewritten_log_lying_about_the_old_size_gets_409_and_is_kept(
    cosigned: RunningWitness, log: MemoryLog, rewritten: MemoryLog, witness_log: Records
) -> None:
    """It asks as if the witness had never seen the log (old size 0, no proof needed)."""
    request = rewritten.request(0)
    reply = cosigned.add(request)
    assert (reply.status, reply.content_type, reply.body) == (409, "text/x.tlog.size", b"54\n")
    (folder,) = evidence_folders(cosigned)
    check_evidence(folder, log, rewritten, rewritten.size, request)
    (said,) = [m for m in witness_log.messages(logging.INFO) if m.startswith("refused")]
    assert "Nothing proves it extends the checkpoint cosigned at size 54" in said
    assert where(folder) in said


def test_the_rewritten_log_at_the_cosigned_size_is_a_fork(
    cosigned: RunningWitness, log: MemoryLog, rewritten: MemoryLog, witness_log: Records
) -> None:
    request = rewritten.request(COSIGNED, COSIGNED)
    reply = cosigned.add(request)
    assert (reply.status, reply.body) == (409, b"54\n")
    (folder,) = evidence_folders(cosigned)
    check_evidence(folder, log, rewritten, COSIGNED, request)
    (error,) = witness_log.messages(logging.ERROR)
    assert f"the log {ORIGIN} has forked" in error


def test_a_shorter_rewritten_log_is_kept_too(
    cosigned: RunningWitness, log: MemoryLog, rewritten: MemoryLog
) -> None:
    """Deleting the last entries and rewriting some before: a checkpoint smaller than the one
    cosigned, which nothing shows to be a prefix of it."""
    request = rewritten.request(0, 40)
    assert cosigned.add(request).status == 409
    (folder,) = evidence_folders(cosigned)
    check_evidence(folder, log, rewritten, 40, request)


def test_the_same_refused_request_is_kept_once(
    cosigned: RunningWitness, rewritten: MemoryLog, witness_log: Records
) -> None:
    request = rewritten.request(COSIGNED)
    assert cosigned.add(request).status == 422
    assert cosigned.add(request).status == 422
    assert len(evidence_folders(cosigned)) == 1
    assert "kept before" in witness_log.messages(logging.ERROR)[-1]


def test_after_the_attack_the_witness_still_vouches_for_the_honest_log(
    cosigned: RunningWitness, log: MemoryLog, rewritten: MemoryLog
) -> None:
    for request in (rewritten.request(COSIGNED), rewritten.request(0)):
        assert cosigned.add(request).status in (409, 422)
    served = cosigned.request("GET", f"/checkpoint/{quote(ORIGIN)}").text
    checked = tlog.verify_checkpoint(served, log.signer.verifier, [cosigned.vkey], quorum=1)
    assert (checked.checkpoint.size, checked.checkpoint.root) == (COSIGNED, log.roots[COSIGNED])
    log.grow(6)
    assert cosigned.add(log.request(COSIGNED)).status == 200
    # Now at 60, with the honest root: the rewritten tree of 60 is a fork.
    assert cosigned.add(rewritten.request(60)).status == 409


def test_a_stale_client_resending_the_cosigned_checkpoint_leaves_no_evidence(
    cosigned: RunningWitness, log: MemoryLog
) -> None:
    """A log that did not hear the answer and asks again from an older size is not an attack."""
    assert cosigned.add(log.request(10)).status == 409
    assert evidence_folders(cosigned) == []


def test_evidence_of_a_checkpoint_later_proved_consistent_is_removed(
    cosigned: RunningWitness, log: MemoryLog, witness_log: Records
) -> None:
    """The log did not know what the witness had cosigned (it asked from 0), or sent a faulty
    proof; it then asks again from 54 with the right proof. Nothing was wrong after all."""
    log.grow(6)
    assert cosigned.add(log.request(0)).status == 409
    proof = log.proof(COSIGNED)
    faulty = [bytes(32), *proof[1:]]
    assert cosigned.add(log.request(COSIGNED, proof=faulty)).status == 422
    assert len(evidence_folders(cosigned)) == 2
    assert cosigned.add(log.request(COSIGNED)).status == 200
    assert evidence_folders(cosigned) == []
    removed = [m for m in witness_log.messages() if "now proved consistent" in m]
    assert len(removed) == 2


def test_evidence_of_another_checkpoint_stays(
    cosigned: RunningWitness, log: MemoryLog, rewritten: MemoryLog
) -> None:
    assert cosigned.add(rewritten.request(0)).status == 409
    log.grow(6)  # the honest log at 60: same size as the rewritten one, another root
    assert cosigned.add(log.request(COSIGNED)).status == 200
    (folder,) = evidence_folders(cosigned)
    check_evidence(folder, log, rewritten, 60, rewritten.request(0))


def test_a_refusal_stands_when_the_evidence_cannot_be_written(
    cosigned: RunningWitness,
    rewritten: MemoryLog,
    witness_log: Records,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(server, "keep_evidence", full)
    assert cosigned.add(rewritten.request(COSIGNED)).status == 422
    (error,) = witness_log.messages(logging.ERROR)
    assert "the evidence could not be written" in error
