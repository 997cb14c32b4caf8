"""Signed acknowledgements: genuine ones verify; any change, or a foreign key, is caught."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from nacl.signing import SigningKey

from redress.intake.acknowledgement import InvalidAcknowledgement, verify
from tests.intake.helpers import fill_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def statement(client: Client) -> dict[str, object]:
    fill_report(client)
    client.post("/report/submit")
    response = client.get("/report/acknowledgement")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    return dict(json.loads(response.content))


def test_genuine_acknowledgement_verifies_from_the_command(
    statement: dict[str, object], tmp_path: Path
) -> None:
    path = tmp_path / "ack.json"
    path.write_text(json.dumps(statement))
    out = []

    class Capture:
        def write(self, text: str) -> None:
            out.append(text)

        def flush(self) -> None:
            pass

    call_command("acknowledgement", "verify", str(path), stdout=Capture())
    assert "Genuine" in "".join(out)
    assert str(statement["case"]) in "".join(out)


@pytest.mark.parametrize("field", ["case", "received_at", "ledger_seq", "ledger_hash"])
def test_any_change_is_caught(statement: dict[str, object], field: str) -> None:
    altered = dict(statement)
    altered[field] = 999 if field == "ledger_seq" else "R-FAKE-0000"
    with pytest.raises(InvalidAcknowledgement):
        verify(altered)


def test_a_statement_signed_with_another_key_is_refused(statement: dict[str, object]) -> None:
    forged = dict(statement)
    other = SigningKey.generate()
    forged["public_key"] = other.verify_key.encode().hex()
    with pytest.raises(InvalidAcknowledgement, match="does not trust"):
        verify(forged)


def test_command_exits_non_zero_for_a_forgery(statement: dict[str, object], tmp_path: Path) -> None:
    forged = dict(statement, case="R-0000-0000")
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged))
    with pytest.raises(CommandError, match="Not genuine"):
        call_command("acknowledgement", "verify", str(path))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("acknowledgement", "verify", str(tmp_path / "missing.json"))


def test_acknowledgement_in_sequencer_mode(client: Client, settings: object) -> None:
    settings.LEDGER_SEQUENCER = True  # type: ignore[attr-defined]
    fill_report(client)
    client.post("/report/submit")
    statement = json.loads(client.get("/report/acknowledgement").content)
    assert "Genuine" in verify(statement)


def test_the_page_says_to_download_it_before_finishing(client: Client) -> None:
    fill_report(client)
    client.post("/report/submit")
    page = client.get("/report/sent").content.decode()
    assert 'id="acknowledgement-once"' in page
    client.post("/report/sent", {"saved": "on"})
    # Finished: the acknowledgement is gone, as the page warned.
    assert client.get("/report/acknowledgement").status_code == 404
