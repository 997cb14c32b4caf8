"""Crash safety: submit reports concurrently while killing the web server, the worker and the
database at random moments; then prove that every receipt code a client was given opens a
complete case, and that the ledger verifies.

PostgreSQL run: its own cluster (initdb in a temporary folder, its own port; the shared server
is never touched), killed with ``pg_ctl stop -m immediate``. SQLite run: the database in WAL mode,
with the web server and worker killed (there is no database server to kill). At least 20 kills
per run (``--kills``). Only codes from completed 201 answers count as acknowledged.

    python tools/crash_test.py [--kills 20] [--seconds-between 0.4 1.5] [--clients 4] [--only pg|sqlite]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
REPORT = {
    "category": "harassment",
    "what_happened": "During the late sitting he kept standing too close and blocked the door.",
    "identity": "anonymous",
    "respondent_description": "A senior member",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_bin(name: str) -> str:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if not versions:
        raise SystemExit("PostgreSQL server binaries are not installed")
    return str(versions[-1] / name)


class Postgres:
    """A throwaway cluster of our own."""

    def __init__(self, folder: Path) -> None:
        self.data = folder / "pg"
        self.port = free_port()
        self.socket = folder / "pgsock"
        self.socket.mkdir()
        user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.user = user
        if user:
            shutil.chown(folder, "postgres")
            shutil.chown(self.socket, "postgres")
        subprocess.run(
            [*user, pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust"],
            check=True,
            capture_output=True,
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nport = {self.port}\nunix_socket_directories = '{self.socket}'\nlisten_addresses = '127.0.0.1'\n"
            )

    def start(self) -> None:
        subprocess.run(
            [
                *self.user,
                pg_bin("pg_ctl"),
                "-D",
                str(self.data),
                "-w",
                "-l",
                str(self.data / "log"),
                "start",
            ],
            check=True,
            capture_output=True,
        )

    def kill(self) -> None:
        subprocess.run(
            [*self.user, pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
        )

    def url(self, db: str = "redress") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"


class Service:
    """A process we can kill with SIGKILL (its whole group) and start again."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.argv, self.env, self.log = name, argv, env, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.argv, env=self.env, stdout=out, stderr=out, start_new_session=True
            )

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def wait_until(check, seconds: float = 60) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except Exception:
            pass
        time.sleep(0.2)
    return False


def http_ok(base: str) -> bool:
    with urllib.request.urlopen(base + "/healthz", timeout=2) as response:  # noqa: S310 - our own server
        return response.status == 200


def submit(base: str) -> str | None:
    body = json.dumps(REPORT).encode()
    request = urllib.request.Request(
        base + "/api/reports",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            if response.status == 201:
                return str(json.loads(response.read())["receipt"])
    except (urllib.error.URLError, OSError, ValueError, ConnectionError):
        return None
    return None


def run(kind: str, kills: int, between: tuple[float, float], clients: int) -> dict[str, object]:
    folder = Path(tempfile.mkdtemp(prefix=f"redress-crash-{kind}-"))
    os.chmod(folder, 0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(
        REDRESS_DATA_DIR=str(folder / "data"),
        REDRESS_INSECURE_HTTP="1",
        # Its mail goes to files in its throwaway data folder, as on any development machine.
        REDRESS_DEVELOPMENT="1",
    )
    pg = None
    if kind == "pg":
        pg = Postgres(folder)
        pg.start()
        subprocess.run(
            [
                *pg.user,
                pg_bin("createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(pg.port),
                "-U",
                "postgres",
                "redress",
            ],
            check=True,
        )
        env["DATABASE_URL"] = pg.url()
    subprocess.run([str(BIN / "redress"), "migrate", "-v", "0"], env=env, check=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web = Service(
        "web",
        [str(BIN / "redress"), "serve", "--no-worker", "--port", str(port), "--workers", "2"],
        env,
        folder / "web.log",
    )
    worker = Service("worker", [str(BIN / "redress"), "worker"], env, folder / "worker.log")
    web.start()
    worker.start()
    if not wait_until(lambda: http_ok(base)):
        raise SystemExit(f"{kind}: the web server did not come up; see {folder / 'web.log'}")
    codes: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client() -> None:
        while not stop.is_set():
            code = submit(base)
            if code:
                with lock:
                    codes.append(code)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    targets = ["web", "worker", "database"] if pg else ["web", "worker"]
    done: dict[str, int] = dict.fromkeys(targets, 0)
    rng = random.Random(2026)
    for n in range(kills):
        time.sleep(rng.uniform(*between))
        target = targets[n % len(targets)]
        if target == "web":
            web.kill()
            web.start()
        elif target == "worker":
            worker.kill()
            worker.start()
        else:
            assert pg is not None
            pg.kill()
            time.sleep(0.2)
            pg.start()
        done[target] += 1
        wait_until(lambda: http_ok(base), 30)
    time.sleep(1)
    stop.set()
    for thread in threads:
        thread.join(timeout=15)
    wait_until(lambda: http_ok(base))
    # In a file, not the environment: thousands of codes exceed what one variable may hold.
    codes_file = folder / "codes.json"
    codes_file.write_text(json.dumps(codes))
    check = subprocess.run(
        [
            str(BIN / "redress"),
            "shell",
            "-c",
            CHECK,
        ],
        env={**env, "CRASH_CODES_FILE": str(codes_file)},
        capture_output=True,
        text=True,
        check=False,
    )
    verify = subprocess.run(
        [str(BIN / "redress"), "ledger", "verify"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    web.kill()
    worker.kill()
    if pg:
        pg.kill()
    result = {
        "kind": kind,
        "kills": done,
        "acknowledged": len(codes),
        "check": check.stdout.strip() or check.stderr.strip()[-2000:],
        "ledger": verify.stdout.strip(),
        "ok": check.returncode == 0 and verify.returncode == 0 and len(codes) > 0,
    }
    if result["ok"]:
        shutil.rmtree(folder, ignore_errors=True)
    else:
        result["folder"] = str(folder)
    return result


# Run inside `redress shell`: every acknowledged code opens a complete case.
CHECK = """
import json, os, sys
from redress.cases.models import Case
from redress.intake.actions import find_case
from redress.ledger.models import Entry
from redress.vault.storage import EncryptingStorage
codes = json.loads(open(os.environ["CRASH_CODES_FILE"]).read())
missing, broken = [], []
for code in codes:
    case = find_case(code)
    if case is None:
        missing.append(code[:5])
        continue
    try:
        assert case.narrative
        for a in case.attachments.all():
            EncryptingStorage().open_sealed(a.stored_name, a.data_key)
        assert Entry.objects.filter(action="case.received", object=f"case:{case.reference}").exists()
    except Exception as failed:
        broken.append((case.reference, type(failed).__name__))
print(f"codes {len(codes)}, missing {len(missing)}, incomplete {len(broken)}, cases {Case.objects.count()}")
sys.exit(1 if missing or broken else 0)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seconds-between", type=float, nargs=2, default=(0.4, 1.5))
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--only", choices=["pg", "sqlite"])
    args = parser.parse_args()
    if args.kills < 20:
        parser.error("at least 20 kills per run")
    failures = 0
    for kind in [args.only] if args.only else ["pg", "sqlite"]:
        result = run(kind, args.kills, tuple(args.seconds_between), args.clients)
        print(json.dumps(result, indent=2))
        failures += 0 if result["ok"] else 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
