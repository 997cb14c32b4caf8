"""The acknowledgement a complainant downloads: what the receipt page says about its proof, the
proof checked by the standalone verifier and by ``redress acknowledgement verify``, and any
changed byte refused."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from nacl.signing import SigningKey

from redress.intake import acknowledgement
from redress.ledger import log, tlog
from redress.ledger.models import LogCheckpoint
from tests.intake.helpers import fill_report
from tests.intake.proofs import flipped, key_name_positions, save_verifier, standalone

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2027, 3, 3, 12, 0, 7, tzinfo=dt.UTC)  # 12:00 in London (GMT)
OPTIONAL_KEYS = ("case", "received_at", "latest")


@pytest.fixture(autouse=True)
def _unwitnessed(settings: object) -> None:
    """No witness is configured: checkpoints are published at once, signed by the log alone."""
    settings.LOG_WITNESSES = []  # type: ignore[attr-defined]
    settings.LOG_QUORUM = 0  # type: ignore[attr-defined]
    settings.LOG_CHECKPOINT_SECONDS = 600  # type: ignore[attr-defined]


def report(client: Client) -> bytes:
    """Make a report and download its acknowledgement from the receipt page."""
    fill_report(client)
    client.post("/report/submit")
    response = client.get("/report/acknowledgement")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Content-Type"] == "application/json"
    return bytes(response.content)


@pytest.fixture
def proved(client: Client) -> bytes:
    """An acknowledgement downloaded from the receipt page after a checkpoint covers it."""
    report(client)
    assert log.make_checkpoint() is not None
    data = bytes(client.get("/report/acknowledgement").content)
    assert json.loads(data)["tlog_proof"]
    return data


def check(data: bytes) -> tlog.VerifiedAcknowledgement:
    return acknowledgement.check(data, [log.verifier()])


def test_before_a_checkpoint_the_receipt_page_says_when_the_proof_will_be_ready(
    client: Client,
) -> None:
    with time_machine.travel(NOON, tick=False):
        data = report(client)
        page = client.get("/report/sent").content.decode()
    ack = json.loads(data)
    assert ack["version"] == 2
    assert ack["tlog_proof"] is None
    # No checkpoint yet: one is due within ten minutes, rounded up to the minute.
    assert "ready by about 12:11 on 3 March 2027" in " ".join(page.split())
    assert 'id="proof-when"' in page
    # The statement alone is genuine, but it is not yet the proof.
    with pytest.raises(tlog.InclusionError, match="no proof that the report is in the log yet"):
        check(data)
    assert tlog.verify_statement(ack["statement"], log.verifier()).case == ack["case"]


def test_the_time_said_follows_the_last_checkpoint(client: Client) -> None:
    with time_machine.travel(NOON, tick=False):
        report(Client())  # someone else's report
        assert log.make_checkpoint() is not None  # made at 12:00:07; the next by 12:10:07
    with time_machine.travel(NOON + dt.timedelta(minutes=4), tick=False):
        fill_report(client)
        client.post("/report/submit")
        page = " ".join(client.get("/report/sent").content.decode().split())
    assert "ready by about 12:11 on 3 March 2027" in page


def test_once_a_checkpoint_covers_it_the_receipt_page_gives_the_proof(
    client: Client, proved: bytes
) -> None:
    page = client.get("/report/sent").content.decode()
    assert 'id="proof-ready"' in page
    assert 'id="proof-when"' not in page
    checked = check(proved)
    checkpoint = LogCheckpoint.objects.get()
    assert checked.proof.checkpoint.checkpoint.size == checkpoint.size
    assert checked.latest is None
    # The proof's extra line is the statement's entry, the report's digest in the log.
    assert checked.proof.entry == checked.statement.entry
    assert proved == acknowledgement.dumps(json.loads(proved))
    assert not proved.endswith(b"\n")


def test_a_proof_made_by_redress_is_verified_by_the_standalone_verifier(
    proved: bytes, tmp_path: Path
) -> None:
    verifier = save_verifier(tmp_path)
    assert verifier.read_text() == Path(tlog.__file__).read_text()
    path = tmp_path / "ack.json"
    path.write_bytes(proved)
    result = standalone(verifier, path)
    assert result.returncode == 0, result.stderr
    case = json.loads(proved)["case"]
    assert f"Genuine: case {case}" in result.stdout
    assert "signed by the log alone" in result.stdout


def test_one_byte_changed_anywhere_is_refused(proved: bytes) -> None:
    for position in range(len(proved)):
        for mask in (0x01, 0x20, 0x80):
            with pytest.raises(tlog.TlogError):
                check(flipped(proved, position, mask))


def test_the_standalone_verifier_refuses_a_sample_of_changed_bytes(
    proved: bytes, tmp_path: Path
) -> None:
    verifier = save_verifier(tmp_path)
    positions = list(range(0, len(proved), max(1, len(proved) // 30)))
    positions += key_name_positions(proved, *OPTIONAL_KEYS)
    positions += [len(proved) - 1, proved.index(b'"tlog_proof"') + 3]
    path = tmp_path / "changed.json"
    for position in positions:
        path.write_bytes(flipped(proved, position))
        result = standalone(verifier, path)
        assert result.returncode == 1, (position, result.stdout)
        assert result.stderr.startswith("Refused: ")


def test_the_standalone_verifier_refuses_a_renamed_optional_field(
    proved: bytes, tmp_path: Path
) -> None:
    verifier = save_verifier(tmp_path)
    path = tmp_path / "renamed.json"
    path.write_bytes(proved.replace(b'"case":', b'"casf":', 1))
    assert standalone(verifier, path).returncode == 1


def test_the_command_says_what_it_proves(proved: bytes, tmp_path: Path) -> None:
    path = tmp_path / "ack.json"
    path.write_bytes(proved)
    out = io.StringIO()
    call_command("acknowledgement", "verify", str(path), stdout=out)
    case = json.loads(proved)["case"]
    assert f"Genuine: case {case}" in out.getvalue()
    assert "In the log: entry" in out.getvalue()
    # The same with the log's key named, from a file as an adviser would keep it.
    key_file = tmp_path / "log.vkey"
    key_file.write_text(log.vkey() + "\n")
    out = io.StringIO()
    call_command("acknowledgement", "verify", str(path), "--vkey", str(key_file), stdout=out)
    assert "Genuine" in out.getvalue()


def test_the_command_exit_codes(proved: bytes, client: Client, tmp_path: Path) -> None:
    def refused(data: bytes | None, *options: str) -> CommandError:
        path = tmp_path / "ack.json"
        if data is not None:
            path.write_bytes(data)
        with pytest.raises(CommandError) as raised:
            call_command("acknowledgement", "verify", str(path), *options, stdout=io.StringIO())
        return raised.value

    forged = json.loads(proved)
    forged["case"] = "RD-2027-9999"
    wrong = refused(acknowledgement.dumps(forged))
    assert (wrong.returncode, "Refused:" in str(wrong)) == (1, True)
    assert "differs from its signed statement" in str(wrong)
    stranger = tlog.NoteSigner(log.origin(), SigningKey.generate())
    wrong = refused(proved, "--vkey", stranger.vkey)
    assert wrong.returncode == 1
    assert "not signed by" in str(wrong) or "signature" in str(wrong)
    witness = tlog.CosignatureSigner("witness.example/w", SigningKey.generate())
    wrong = refused(proved, "--witness-vkey", witness.vkey, "--quorum", "1")
    assert wrong.returncode == 1
    assert "fewer than the 1 required" in str(wrong)
    extra = refused(acknowledgement.dumps(json.loads(proved)).replace(b"{", b'{"x":1,', 1))
    assert (extra.returncode, "a field it should not have: x" in str(extra)) == (1, True)
    assert refused(b"{not json").returncode == 1
    (tmp_path / "ack.json").unlink()
    missing = refused(None)
    assert (missing.returncode, "Cannot read" in str(missing)) == (2, True)
    bad_key = refused(proved, "--vkey", "not a key")
    assert (bad_key.returncode, "not usable" in str(bad_key)) == (2, True)
    # A report still waiting for its checkpoint: genuine, but not yet the proof.
    waiting = Client()
    pending = report(waiting)
    assert refused(pending).returncode == 1


def test_after_finish_the_acknowledgement_is_offered_from_check_your_report(
    client: Client,
) -> None:
    fill_report(client)
    client.post("/report/submit")
    page = client.get("/report/sent").content.decode()
    assert 'id="acknowledgement-later"' in page
    assert "Check your report" in page
    client.post("/report/sent", {"saved": "on"})
    # Finished: this browser no longer downloads it here; the receipt code gets it later.
    assert client.get("/report/acknowledgement").status_code == 404


def test_acknowledgement_in_sequencer_mode(client: Client, settings: object) -> None:
    settings.LEDGER_SEQUENCER = True  # type: ignore[attr-defined]
    report(client)
    log.make_checkpoint()
    data = bytes(client.get("/report/acknowledgement").content)
    assert check(data).statement.case == json.loads(data)["case"]


def test_the_verifier_command_prints_the_standalone_verifier() -> None:
    out = io.StringIO()
    call_command("acknowledgement", "verifier", stdout=out)
    assert out.getvalue() == Path(tlog.__file__).read_text(encoding="utf-8")
    assert "def main(" in out.getvalue()
