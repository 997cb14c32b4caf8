"""The witness stands alone: run with Django made impossible to import, it imports only the
standard library, PyNaCl and redress.ledger.tlog (with tlog_witness), and serves."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from tests.witness.conftest import MemoryLog, log_signer

ROOT = Path(__file__).resolve().parents[2]

NO_DJANGO = """
import importlib.abc, sys

class NoDjango(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "django" or name.startswith("django."):
            raise ImportError("the witness must not import " + name)
        return None

sys.meta_path.insert(0, NoDjango())
"""

ALLOWED_REDRESS = {
    "redress",
    "redress.cli",
    "redress.ledger",
    "redress.ledger.tlog",
    "redress.ledger.tlog_witness",
    "redress.witness",
    "redress.witness.cli",
    "redress.witness.keys",
    "redress.witness.server",
    "redress.witness.state",
}


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "REDRESS"))}
    env["PYTHONPATH"] = str(ROOT / "src")
    return env


def python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", NO_DJANGO + code, *args],
        capture_output=True,
        text=True,
        env=environment(),
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_the_witness_imports_no_django_and_nothing_of_redress_but_tlog() -> None:
    result = python(
        """
import json
before = set(sys.modules)
import redress.cli
import redress.witness
import redress.witness.cli, redress.witness.keys, redress.witness.server, redress.witness.state
loaded = set(sys.modules) - before
outside = {name.split(".")[0] for name in loaded} - set(sys.stdlib_module_names)
print(json.dumps({
    "outside": sorted(outside - {"__main__"}),
    "redress": sorted(name for name in sys.modules if name.split(".")[0] == "redress"),
}))
"""
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    # PyNaCl brings its compiled part (_sodium) and cffi's backend.
    pynacl = {"nacl", "_sodium", "_cffi_backend"}
    assert set(loaded["outside"]) <= {"redress", *pynacl}, loaded["outside"]
    assert set(loaded["redress"]) <= ALLOWED_REDRESS, loaded["redress"]


def test_redress_witness_reaches_the_witness_before_django(tmp_path: Path) -> None:
    data = tmp_path / "w"
    code = "import sys; from redress.cli import main; sys.argv = ['redress', *sys.argv[1:]]; main()"
    result = python(code, "witness", "vkey", "--data", str(data), "--name", "board.example/w")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("board.example/w+")
    assert (data / "witness.key").exists()
    assert "created a new witness key" in result.stderr


def test_the_installed_command_runs_the_witness(tmp_path: Path) -> None:
    command = Path(sys.executable).parent / "redress"
    data = tmp_path / "w"
    result = subprocess.run(
        [str(command), "witness", "vkey", "--data", str(data), "--name", "union.example/w"],
        capture_output=True,
        text=True,
        env=environment(),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("union.example/w+")


def test_the_witness_serves_with_django_blocked(tmp_path: Path) -> None:
    import http.client

    from redress.ledger import tlog, tlog_witness

    log = MemoryLog(log_signer()).grow(12)
    code = "import sys; from redress.witness import main; sys.exit(main(sys.argv[1:]))"
    args = ["serve", "--data", str(tmp_path / "w"), "--listen", "127.0.0.1:0"]
    process = subprocess.Popen(
        [sys.executable, "-c", NO_DJANGO + code, *args, "--log", log.signer.vkey],
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
        cwd=ROOT,
    )
    assert process.stderr is not None
    try:
        lines = []
        port = None
        while port is None:
            line = process.stderr.readline()
            assert line, "".join(lines)
            lines.append(line)
            found = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
            if found:
                port = int(found.group(1))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/vkey")
        vkey = connection.getresponse().read().decode().strip()
        connection.request("POST", "/add-checkpoint", body=log.request(0))
        response = connection.getresponse()
        assert response.status == 200
        tlog_witness.verify_cosignatures(log.checkpoint(), response.read(), tlog.parse_vkey(vkey))
        connection.close()
    finally:
        process.send_signal(signal.SIGTERM)
        _, rest = process.communicate(timeout=30)
    assert process.returncode == 0, rest
    assert "stopping" in rest
    assert "Traceback" not in rest
