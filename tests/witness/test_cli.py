"""``redress witness``'s command line: its key, its list of logs, and plain refusals."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from redress.ledger import tlog
from redress.witness.cli import main, parse_listen
from redress.witness.keys import format_private_key, load_key, read_logs_file
from tests.witness.conftest import ORIGIN, log_signer


def test_vkey_creates_the_key_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "board"
    assert main(["vkey", "--data", str(data), "--name", "board.example/witness"]) == 0
    first = capsys.readouterr()
    assert "created a new witness key" in first.err
    verifier = tlog.parse_vkey(first.out.strip())
    assert (verifier.name, verifier.sig_type) == ("board.example/witness", tlog.COSIGNATURE_V1)
    assert stat.S_IMODE((data / "witness.key").stat().st_mode) == 0o600
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert (data / "witness.key").read_text().startswith("PRIVATE+KEY+board.example/witness+")

    assert main(["vkey", "--data", str(data)]) == 0
    again = capsys.readouterr()
    assert again.out == first.out
    assert again.err == ""


def test_a_new_key_without_a_name_is_named_after_the_host(tmp_path: Path) -> None:
    signer, created = load_key(tmp_path / "w")
    assert created
    assert signer.name.endswith("/witness")


def test_another_name_for_an_existing_key_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["vkey", "--data", str(tmp_path), "--name", "a.example/w"])
    capsys.readouterr()
    assert main(["vkey", "--data", str(tmp_path), "--name", "b.example/w"]) == 2
    assert "is named 'a.example/w', not 'b.example/w'" in capsys.readouterr().err


def test_a_key_file_kept_elsewhere(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "secrets" / "witness.key"
    key.parent.mkdir()
    key.write_text(format_private_key("paper.example/w", bytes(range(32))) + "\n")
    assert main(["vkey", "--data", str(tmp_path / "d"), "--key", str(key)]) == 0
    assert capsys.readouterr().out.startswith("paper.example/w+")
    missing = tmp_path / "nowhere.key"
    assert main(["vkey", "--data", str(tmp_path / "d"), "--key", str(missing)]) == 2
    assert "cannot read the key file" in capsys.readouterr().err


@pytest.mark.parametrize(
    "content",
    [
        "",
        "not a key",
        "PRIVATE+KEY+w+00000000+AQ==",
        "PRIVATE+KEY+w+00000000+!!",
        format_private_key("w.example/w", bytes(32)).replace("+BA", "+AQ", 1),
        format_private_key("w.example/w", bytes(32)).replace("w.example/w", "x.example/w", 1),
    ],
)
def test_a_malformed_key_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    (tmp_path / "witness.key").write_text(content)
    assert main(["vkey", "--data", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("redress witness: ")


def test_add_log_lists_the_log_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    vkey = log_signer().vkey
    assert main(["add-log", "--data", str(tmp_path), vkey]) == 0
    assert "now cosigns complaints.example.org/log" in capsys.readouterr().out
    assert main(["add-log", "--data", str(tmp_path), vkey]) == 0
    assert "listed already" in capsys.readouterr().out
    rotated = log_signer(seed=9).vkey
    key_file = tmp_path / "new-log-key.vkey"
    key_file.write_text(rotated + "\n")
    assert main(["add-log", "--data", str(tmp_path), str(key_file)]) == 0
    listed = json.loads((tmp_path / "logs.json").read_text())
    assert listed == {
        "logs": [{"origin": ORIGIN, "vkey": vkey}, {"origin": ORIGIN, "vkey": rotated}]
    }
    assert [origin for origin, _ in read_logs_file(tmp_path)] == [ORIGIN, ORIGIN]


def test_a_witness_key_is_not_a_log_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    signer, _ = load_key(tmp_path / "w", name="w.example/w")
    assert main(["add-log", "--data", str(tmp_path), signer.vkey]) == 2
    assert "is not a log's key" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "is not valid JSON"),
        ("[]", 'must be an object with a list "logs"'),
        ('{"logs": [{}]}', "log 1 in"),
        ('{"logs": [{"vkey": "x+y+z"}]}', "is not usable"),
    ],
)
def test_a_malformed_list_of_logs_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    (tmp_path / "logs.json").write_text(content)
    assert main(["serve", "--data", str(tmp_path), "--name", "w.example/w"]) == 2
    assert message in capsys.readouterr().err


def test_serve_without_a_log_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--data", str(tmp_path), "--name", "w.example/w"]) == 2
    assert "this witness knows no log" in capsys.readouterr().err


def test_serve_on_an_address_in_use_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = ["serve", "--data", str(tmp_path), "--name", "w.example/w"]
        code = main([*args, "--listen", f"127.0.0.1:{port}", "--log", log_signer().vkey])
    assert code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_listen_addresses() -> None:
    assert parse_listen("127.0.0.1:8700") == ("127.0.0.1", 8700)
    assert parse_listen("[::1]:8700") == ("::1", 8700)
    assert parse_listen(":8700") == ("127.0.0.1", 8700)
    for wrong in ("8700", "host:", "host:port", "host:70000"):
        with pytest.raises(Exception, match="is not HOST:PORT"):
            parse_listen(wrong)
