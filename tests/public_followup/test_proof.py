"""Check your report offers the complainant's proof once a published checkpoint covers the
report, renews it against the newest checkpoint, and carries a kept copy's proof forward."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from nacl.signing import SigningKey

from redress.cases.models import Case
from redress.intake import acknowledgement
from redress.ledger import log, tlog
from redress.ledger.models import LogCheckpoint
from tests.intake.helpers import fill_report, receipt_on
from tests.intake.proofs import save_verifier, standalone

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2027, 3, 3, 12, 0, 7, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _unwitnessed(settings: object) -> None:
    settings.LOG_WITNESSES = []  # type: ignore[attr-defined]
    settings.LOG_QUORUM = 0  # type: ignore[attr-defined]
    settings.LOG_CHECKPOINT_SECONDS = 600  # type: ignore[attr-defined]


def make_report() -> str:
    """A report made in its own browser; its receipt code."""
    browser = Client()
    fill_report(browser)
    browser.post("/report/submit")
    return receipt_on(browser.get("/report/sent").content.decode())


def signed_in(code: str) -> Client:
    client = Client()
    assert client.post("/check", {"code": code}).status_code == 302
    return client


def download(client: Client) -> bytes:
    response = client.get("/check/acknowledgement")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return bytes(response.content)


def renew(client: Client, data: bytes, name: str = "kept.json") -> object:
    return client.post("/check/proof", {"file": SimpleUploadedFile(name, data, "application/json")})


def grow() -> LogCheckpoint:
    """Another report, then a checkpoint over it: the log has grown since."""
    make_report()
    made = log.make_checkpoint()
    assert made is not None
    return made


def test_before_a_checkpoint_the_page_says_when_and_offers_the_statement() -> None:
    with time_machine.travel(NOON, tick=False):
        client = signed_in(make_report())
        page = " ".join(client.get("/check/report").content.decode().split())
    assert "will be ready by about 12:11 on 3 March 2027" in page
    assert 'id="proof-download"' not in page
    ack = json.loads(download(client))
    assert (ack["version"], ack["tlog_proof"]) == (2, None)


def test_after_a_checkpoint_the_page_offers_the_proof_and_it_verifies(tmp_path: Path) -> None:
    client = signed_in(make_report())
    first = log.make_checkpoint()
    assert first is not None
    page = client.get("/check/report").content.decode()
    assert 'id="proof-download"' in page
    assert 'id="proof-when"' not in page
    path = tmp_path / "ack.json"
    path.write_bytes(download(client))
    verifier = save_verifier(tmp_path)
    result = standalone(verifier, path)
    assert result.returncode == 0, result.stderr
    assert f"Genuine: case {Case.objects.get().reference}" in result.stdout
    assert "Still there" not in result.stdout


def test_a_later_download_is_renewed_against_the_newest_checkpoint(tmp_path: Path) -> None:
    client = signed_in(make_report())
    first = log.make_checkpoint()
    assert first is not None
    kept = download(client)
    newest = grow()
    renewed = download(client)
    checked = acknowledgement.check(renewed, [log.verifier()])
    # The first proof is against the first checkpoint that covered the report, as kept...
    assert json.loads(renewed)["tlog_proof"] == json.loads(kept)["tlog_proof"]
    assert checked.proof.checkpoint.checkpoint.size == first.size
    # ... and the later one against the newest, with the consistency proof between them.
    assert checked.latest is not None
    assert checked.latest.checkpoint.checkpoint.size == newest.size
    path = tmp_path / "renewed.json"
    path.write_bytes(renewed)
    result = standalone(save_verifier(tmp_path), path)
    assert result.returncode == 0, result.stderr
    assert f"later checkpoint of {newest.size} entries" in result.stdout


def test_a_kept_copy_is_carried_forward_from_its_own_checkpoint(tmp_path: Path) -> None:
    client = signed_in(make_report())
    case = Case.objects.get()
    log.make_checkpoint()
    second = grow()
    # The copy the complainant kept was proved against the second checkpoint (as the API gives
    # it with ``since``); a third has been published since.
    kept = acknowledgement.dumps(acknowledgement.build(case, since=second.size))
    assert "latest" not in json.loads(kept)
    third = grow()
    response = renew(client, kept)
    assert response.status_code == 200  # type: ignore[attr-defined]
    renewed = bytes(response.content)  # type: ignore[attr-defined]
    assert "attachment" in response.headers["Content-Disposition"]  # type: ignore[attr-defined]
    checked = acknowledgement.check(renewed, [log.verifier()])
    assert checked.proof.checkpoint.checkpoint.size == second.size
    assert checked.latest is not None
    assert checked.latest.checkpoint.checkpoint.size == third.size
    path = tmp_path / "renewed.json"
    path.write_bytes(renewed)
    assert standalone(save_verifier(tmp_path), path).returncode == 0


def test_the_renew_page_refuses_what_is_not_this_reports_acknowledgement() -> None:
    client = signed_in(make_report())
    other = signed_in(make_report())
    log.make_checkpoint()
    page = client.get("/check/proof")
    assert page.status_code == 200
    assert 'name="file" type="file"' in page.content.decode()
    for data in [download(other), b"{not json", b"", json.dumps({"kind": "x"}).encode()]:
        response = renew(client, data)
        assert response.status_code == 400, data  # type: ignore[attr-defined]
        text = response.content.decode()  # type: ignore[attr-defined]
        assert "govuk-error-summary" in text
        assert 'href="#id_file"' in text
        assert 'id="record-changed"' not in text
    changed = bytearray(download(client))
    changed[len(changed) // 2] ^= 1
    assert renew(client, bytes(changed)).status_code == 400  # type: ignore[attr-defined]
    assert client.post("/check/proof").status_code == 400


def _tree(leaves: list[bytes]) -> bytes:
    if len(leaves) == 1:
        return tlog.leaf_hash(leaves[0])
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return tlog.node_hash(_tree(leaves[:k]), _tree(leaves[k:]))


def _path(index: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    if index < k:
        return [*_path(index, leaves[:k]), _tree(leaves[k:])]
    return [*_path(index - k, leaves[k:]), _tree(leaves[:k])]


def test_a_copy_from_a_log_that_was_rewritten_is_named_as_such() -> None:
    """A copy whose checkpoint the log today does not extend: what a rewritten history looks
    like to a complainant. The page says to keep the file, as evidence."""
    client = signed_in(make_report())
    log.make_checkpoint()
    where = acknowledgement.place(Case.objects.get())
    # The same entry in a tree of other entries, signed with the log's key: a history the
    # log no longer has.
    size = where.index + 2
    leaves = [hashlib.sha256(b"other %d" % i).digest() for i in range(size)]
    leaves[where.index] = where.digest
    note = tlog.sign_note(tlog.Checkpoint(log.origin(), size, _tree(leaves)).text(), [log.signer()])
    ack = json.loads(download(client))
    ack["tlog_proof"] = tlog.TlogProof(
        where.index, tuple(_path(where.index, leaves)), note, where.digest
    ).format()
    grow()
    grow()
    response = renew(client, acknowledgement.dumps(ack))
    assert response.status_code == 400  # type: ignore[attr-defined]
    text = response.content.decode()  # type: ignore[attr-defined]
    assert 'id="record-changed"' in text
    assert "Keep your file" in text


def test_a_witnessed_proof_verifies_with_the_witness_key_and_quorum(tmp_path: Path) -> None:
    client = signed_in(make_report())
    checkpoint = log.make_checkpoint()
    assert checkpoint is not None
    witness = tlog.CosignatureSigner("witness.example/union", SigningKey(bytes([7]) * 32))
    text = tlog.parse_note(checkpoint.note).text
    log.publish(checkpoint, [witness.cosign(text, int(NOON.timestamp()))])
    path = tmp_path / "ack.json"
    path.write_bytes(download(client))
    verifier = save_verifier(tmp_path)
    result = standalone(verifier, path, "--witness-vkey", witness.vkey, "--quorum", "1")
    assert result.returncode == 0, result.stderr
    assert "cosigned by 1 witness (witness.example/union)" in result.stdout
    stranger = tlog.CosignatureSigner("paper.example/w", SigningKey(bytes([8]) * 32))
    result = standalone(verifier, path, "--witness-vkey", stranger.vkey)
    assert result.returncode == 1
    assert "fewer than the 1 required" in result.stderr


def test_the_proof_pages_need_the_code() -> None:
    client = Client()
    assert client.get("/check/acknowledgement").headers["Location"] == "/check"
    assert client.get("/check/proof").headers["Location"] == "/check"


def test_the_proof_is_offered_in_welsh() -> None:
    with time_machine.travel(NOON, tick=False):
        code = make_report()
        client = Client()
        client.get("/language/cy?next=/")
        client.post("/check", {"code": code})
        page = " ".join(client.get("/check/report").content.decode().split())
        assert "Prawf o'ch adroddiad" in page
        assert "yn barod erbyn tua 12:11 ar 3 Mawrth 2027" in page
        log.make_checkpoint()
        page = client.get("/check/report").content.decode()
        assert "Lawrlwytho eich cydnabyddiaeth a'ch prawf" in page
        text = renew(client, b"{}").content.decode()  # type: ignore[attr-defined]
    assert "Nid yw&#x27;r ffeil a ddewisoch yn gydnabyddiaeth" in text
