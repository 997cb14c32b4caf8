"""Start the test OpenID provider (this package) as its own process on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "redress-staff"
CLIENT_SECRET = "test-client-secret-" + "x" * 16


@dataclass
class Provider:
    url: str
    folder: Path
    redirect_uri: str
    environment: dict[str, str] = field(repr=False)

    @property
    def issuer(self) -> str:
        return f"{self.url}/openid"

    def manage(self, *arguments: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "django", *arguments],
            env=self.environment,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )

    def add_user(self, username: str, password: str, email: str, marks: str = "") -> None:
        """A person with an account at the provider (marks: see the package's docstring)."""
        self.manage(
            "prepare_provider",
            f"--client-id={CLIENT_ID}",
            f"--client-secret={CLIENT_SECRET}",
            f"--redirect-uri={self.redirect_uri}",
            f"--user={username}:{password}:{email}:{marks}",
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_provider(folder: Path, redirect_uri: str) -> Iterator[Provider]:
    """Migrate a fresh SQLite file, make an RSA signing key, register Redress as a client
    that may only come back to ``redirect_uri``, and serve until the block ends."""
    url = f"http://127.0.0.1:{_free_port()}"
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDRESS_"))},
        "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
        "TEST_PROVIDER_DIR": str(folder),
        "TEST_PROVIDER_URL": url,
        "PYTHONPATH": str(ROOT),
    }
    provider = Provider(url=url, folder=folder, redirect_uri=redirect_uri, environment=environment)
    provider.manage("migrate", "--noinput")
    provider.manage("creatersakey")
    provider.manage(
        "prepare_provider",
        f"--client-id={CLIENT_ID}",
        f"--client-secret={CLIENT_SECRET}",
        f"--redirect-uri={redirect_uri}",
    )
    log = (folder / "provider.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", url.removeprefix("http://"), "--noreload"],
        env=environment,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_serving(f"{provider.issuer}/.well-known/openid-configuration", process)
        yield provider
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _wait_until_serving(address: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the test provider stopped; see provider.log")
        try:
            if requests.get(address, timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the test provider did not start in 30 seconds")
