"""Guesses sent all at once stop at the limit.

An attacker who sends 30 passwords in the same instant must not have all 30 checked: each attempt
is counted before it is judged (``Throttle.reserve``), so at most the limit are judged, in one
process (the local-memory cache) and across web processes sharing Redis. Shown on the throttle
itself with threads, and end to end against ``redress serve`` with concurrent HTTP requests.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.cache import cache

from redress.accounts.throttle import Throttle
from redress.core.management.commands.serve import default_workers
from tests.proof.test_shared_throttle import REDIS_CACHE, REDIS_URL, _redis_or_skip

ROOT = Path(__file__).resolve().parents[2]
REDRESS = str(Path(sys.executable).parent / "redress")
PASSWORD = "correct horse battery staple"
LIMIT = 5


def _all_at_once(count: int, attempt: Callable[[int], str]) -> list[str]:
    """Run ``attempt(n)`` for n in range(count) on as many threads, released together."""
    start = threading.Barrier(count)

    def run(n: int) -> str:
        start.wait(timeout=60)
        return attempt(n)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def _guesses_judged(throttle: Throttle, guesses: int) -> int:
    """How many of ``guesses`` sent at once, then of more sent one by one until the first is
    refused, were judged: never more than the limit, however the threads interleave (a burst
    may be judged fewer times, since attempts that meet at a key refuse each other)."""

    def guess(_: int) -> str:
        return "judged" if throttle.reserve("client", "user:ffion") is not None else "refused"

    judged = Counter(_all_at_once(guesses, guess))["judged"]
    assert judged <= throttle.limit
    while throttle.reserve("client", "user:ffion") is not None:
        judged += 1
    return judged


def test_concurrent_guesses_are_judged_at_most_limit_times_in_one_process() -> None:
    cache.clear()
    throttle = Throttle(f"race-{uuid.uuid4().hex}", limit=LIMIT, window=60)
    assert _guesses_judged(throttle, 40) == LIMIT
    # Locked now, for the right password too; refused attempts were not kept, so the count is
    # the limit and the lock lasts exactly the window.
    assert throttle.reserve("client", "user:ffion") is None
    assert throttle.is_locked("user:ffion")


def test_concurrent_guesses_are_judged_at_most_limit_times_across_processes_sharing_redis(
    settings,  # type: ignore[no-untyped-def]
) -> None:
    server = _redis_or_skip()
    prefix = f"redress-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {"BACKEND": REDIS_CACHE, "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}
    }
    try:
        throttle = Throttle("race", limit=LIMIT, window=60)
        assert _guesses_judged(throttle, 40) == LIMIT
        assert throttle.reserve("client", "user:ffion") is None
    finally:
        for key in server.scan_iter(match=f"{prefix}:*"):
            server.delete(key)


def test_a_success_is_forgiven_and_a_refused_attempt_drives_no_other_key_up() -> None:
    cache.clear()
    throttle = Throttle(f"forgive-{uuid.uuid4().hex}", limit=2, window=60)
    first = throttle.reserve("client", "user:a")
    assert first is not None
    assert not first.locks
    first.forgive()  # the right password: it does not count
    for _ in range(2):
        assert throttle.reserve("client", "user:b") is not None
    assert throttle.is_locked("client")
    # "user:c" is fresh, but the client is locked: refused, and user:c is given its count back.
    assert throttle.reserve("client", "user:c") is None
    assert not throttle.is_locked("user:c")
    assert throttle.reserve("other-client", "user:c") is not None


# End to end: concurrent requests against `redress serve`.


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Browser:
    """One visitor: its own connection and cookies, and a form's CSRF token."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def _request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        text = response.read().decode()
        connection.close()
        return response.status, text

    def open_form(self, path: str) -> str:
        status, page = self._request("GET", path)
        assert status == 200, page[:500]
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert found, "the form carries a CSRF token"
        return found.group(1)

    def post(self, path: str, token: str, fields: dict[str, str]) -> tuple[int, str]:
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields})
        return self._request("POST", path, body)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Callable[..., int]]:
    """Start `redress serve` with its own data folder and a staff account; yields a starter."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(*args: str, **more_env: str) -> int:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(
            REDRESS_DATA_DIR=str(tmp_path / "data"),
            REDRESS_INSECURE_HTTP="1",
            REDRESS_DEVELOPMENT="1",
            PYTHONPATH=f"{ROOT / 'src'}{os.pathsep}{ROOT}",
            **more_env,
        )
        subprocess.run([REDRESS, "migrate", "-v", "0"], env=env, check=True, timeout=300)
        make_account = (
            "import django; django.setup()\n"
            "from tests.factories import make_staff\n"
            "make_staff('ffion')\n"
        )
        subprocess.run([sys.executable, "-c", make_account], env=env, check=True, timeout=120)
        port = _free_port()
        log = (tmp_path / "serve.log").open("wb")
        server = subprocess.Popen(
            [REDRESS, "serve", "--no-worker", "--port", str(port), *args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        processes.append(server)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return port
            except OSError:
                time.sleep(0.2)
        raise AssertionError((tmp_path / "serve.log").read_text())

    yield start
    for server in processes:
        server.terminate()
        server.wait(timeout=30)


def _sign_in_race(port: int, guesses: int) -> Counter[str]:
    """``guesses`` wrong passwords at once from one address, then the right one."""
    browsers = [Browser(port) for _ in range(guesses + 1)]
    tokens = [b.open_form("/staff/sign-in") for b in browsers]

    def attempt(n: int) -> str:
        status, page = browsers[n].post(
            "/staff/sign-in", tokens[n], {"username": "ffion", "password": f"wrong-{n}"}
        )
        if "not right" in page:
            return "judged"
        assert "Too many failed attempts" in page, (status, page[:300])
        return "refused"

    answers = Counter(_all_at_once(guesses, attempt))
    status, _page = browsers[-1].post(
        "/staff/sign-in", tokens[-1], {"username": "ffion", "password": PASSWORD}
    )
    answers["right password let in"] = int(status == 302)
    return answers


def _code_race(port: int, guesses: int) -> Counter[str]:
    browsers = [Browser(port) for _ in range(guesses)]
    tokens = [b.open_form("/check") for b in browsers]

    def attempt(n: int) -> str:
        _, page = browsers[n].post("/check", tokens[n], {"code": "AAAA-AAAA-AAAA-AAAA-AAAA"})
        if "could not find a report" in page:
            return "judged"
        assert "Too many codes" in page, page[:300]
        return "refused"

    return Counter(_all_at_once(guesses, attempt))


def test_redress_serve_judges_at_most_the_limit_of_30_passwords_sent_at_once(served) -> None:  # type: ignore[no-untyped-def]
    # The defaults: the local-memory cache, so one web process (with threads) counts for all.
    assert default_workers("django.core.cache.backends.locmem.LocMemCache") == 1
    answers = _sign_in_race(served(), 30)
    assert answers["judged"] <= LIMIT
    assert answers["judged"] + answers["refused"] == 30
    assert answers["right password let in"] == 0  # sent last, after the lock


def test_redress_serve_judges_at_most_the_limit_of_40_codes_sent_at_once(served) -> None:  # type: ignore[no-untyped-def]
    answers = _code_race(served(), 40)
    assert answers["judged"] <= LIMIT
    assert answers["refused"] >= 40 - LIMIT


def test_two_web_processes_sharing_redis_judge_at_most_the_limit_together(served) -> None:  # type: ignore[no-untyped-def]
    server = _redis_or_skip()
    prefix = f"redress-test-{uuid.uuid4().hex}"
    try:
        port = served(
            "--workers",
            "2",
            REDRESS_CACHE_BACKEND=REDIS_CACHE,
            REDRESS_CACHE_LOCATION=REDIS_URL,
            REDRESS_CACHE_KEY_PREFIX=prefix,
        )
        answers = _sign_in_race(port, 30)
        assert answers["judged"] <= LIMIT
        assert answers["right password let in"] == 0
    finally:
        for key in server.scan_iter(match=f"{prefix}:*"):
            server.delete(key)
