"""GET /api/reports/me gives the report's proof: a fresh one against the newest published
checkpoint, and the consistency proof from a checkpoint size the caller kept."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.test import Client

from redress.intake import acknowledgement
from redress.ledger import log, tlog
from redress.ledger.models import LogCheckpoint
from tests.factories import API_REPORT

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _unwitnessed(settings: object) -> None:
    settings.LOG_WITNESSES = []  # type: ignore[attr-defined]
    settings.LOG_QUORUM = 0  # type: ignore[attr-defined]


def make_report(client: Client) -> str:
    response = client.post("/api/reports", API_REPORT, content_type="application/json")
    assert response.status_code == 201
    return str(response.json()["receipt"])


def me(client: Client, receipt: str, query: str = "") -> Any:
    return client.get(f"/api/reports/me{query}", headers={"X-Receipt": receipt})


def checkpoint() -> LogCheckpoint:
    made = log.make_checkpoint()
    assert made is not None
    return made


def test_before_a_checkpoint_the_proof_is_not_ready_and_says_when(client: Client) -> None:
    receipt = make_report(client)
    proof = me(client, receipt).json()["proof"]
    assert proof["ready"] is False
    assert proof["ready_by"]
    assert proof["tlog_proof"] is None
    assert proof["checkpoint_size"] is None
    assert proof["acknowledgement"]["tlog_proof"] is None
    statement = tlog.verify_statement(proof["statement"], log.verifier())
    assert statement.origin == proof["log"] == log.origin()


def test_a_fresh_proof_and_a_consistency_proof_verify(client: Client) -> None:
    receipt = make_report(client)
    first = checkpoint()
    make_report(client)
    newest = checkpoint()
    body = me(client, receipt, f"?since={first.size}").json()
    proof = body["proof"]
    assert proof["ready"] is True
    assert proof["ready_by"] is None
    assert proof["checkpoint_size"] == newest.size
    statement = tlog.verify_statement(proof["statement"], log.verifier())
    fresh = tlog.verify_tlog_proof(proof["tlog_proof"], log.verifier(), entry=statement.entry)
    assert (fresh.index, fresh.checkpoint.checkpoint.size) == (proof["index"], newest.size)
    consistency = proof["consistency"]
    assert (consistency["from_size"], consistency["to_size"]) == (first.size, newest.size)
    tlog.verify_consistency(
        first.size,
        newest.size,
        bytes(first.root),
        fresh.checkpoint.checkpoint.root,
        [base64.b64decode(line) for line in consistency["hashes"]],
    )
    # The acknowledgement in the answer is the file to keep: proved from the kept size on.
    checked = acknowledgement.check(
        acknowledgement.dumps(proof["acknowledgement"]), [log.verifier()]
    )
    assert checked.proof.checkpoint.checkpoint.size == first.size
    assert checked.latest is not None
    assert checked.latest.checkpoint.checkpoint.size == newest.size
    # The rest of the answer is as it was.
    assert body["stage"] == "received"
    assert body["messages"] == []


def test_without_since_there_is_no_consistency_proof(client: Client) -> None:
    receipt = make_report(client)
    checkpoint()
    proof = me(client, receipt).json()["proof"]
    assert proof["consistency"] is None
    assert "latest" not in proof["acknowledgement"]
    assert acknowledgement.check(acknowledgement.dumps(proof["acknowledgement"]), [log.verifier()])


@pytest.mark.parametrize("since", ["abc", "-1", "01", "0", "1.5", "+3", "99999", "", " 1"])
def test_a_bad_since_is_a_4xx_with_a_plain_message(client: Client, since: str) -> None:
    receipt = make_report(client)
    checkpoint()
    response = client.get("/api/reports/me", {"since": since}, headers={"X-Receipt": receipt})
    assert response.status_code == 400
    body = response.json()
    assert "since" in body["errors"]
    assert body["detail"].endswith(".")


def test_since_before_any_checkpoint_is_refused(client: Client) -> None:
    receipt = make_report(client)
    response = me(client, receipt, "?since=1")
    assert response.status_code == 400
    assert "No checkpoint" in response.json()["detail"]
