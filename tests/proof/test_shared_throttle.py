"""With several web processes, wrong codes are counted in one shared place (Redis), so the limit
is the same however requests are spread; and when that place cannot be reached, code entry and
sign-in pause rather than letting guesses through uncounted.

Needs a Redis at REDRESS_TEST_REDIS_URL (default redis://127.0.0.1:6379/15); skips without one,
unless REDRESS_REQUIRE_REDIS=1 (set by CI), where a missing Redis fails the run. Every key is
made under a prefix of this run's own and removed afterwards; nothing else in Redis is touched.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
import redis
from django.test import Client, RequestFactory

from redress.core.management.commands.serve import shared_counting_warning
from redress.core.middleware import RequestPrivacyMiddleware
from redress.ledger.models import Entry
from tests.factories import PASSWORD, make_staff

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("REDRESS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
NOBODY_LISTENS = "redis://127.0.0.1:9/0"  # the discard port: refused at once
GUESSER = "203.0.113.7"
SOMEONE_ELSE = "198.51.100.20"
WRONG = "AAAA-AAAA-AAAA-AAAA-AAAA"
REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"


def _redis_or_skip() -> redis.Redis:
    server = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        server.ping()
    except redis.RedisError as error:
        reason = f"needs Redis at {REDIS_URL} ({type(error).__name__}); set REDRESS_TEST_REDIS_URL"
        if os.environ.get("REDRESS_REQUIRE_REDIS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return server


@pytest.fixture
def shared(settings) -> Iterator[tuple[redis.Redis, str]]:  # type: ignore[no-untyped-def]
    """This process's throttles counting in Redis, under a prefix no other run uses."""
    server = _redis_or_skip()
    prefix = f"redress-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": REDIS_CACHE,
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    yield server, prefix
    for key in server.scan_iter(match=f"{prefix}:*"):
        server.delete(key)


def _fingerprint(address: str) -> str:
    request = RequestFactory().get("/", REMOTE_ADDR=address)
    RequestPrivacyMiddleware(lambda _: None)(request)  # type: ignore[arg-type, return-value]
    return str(request.client_fingerprint)  # type: ignore[attr-defined]


def _another_web_process(prefix: str, *addresses: str) -> list[bool]:
    """Whether a separate process, configured as a web process is, would refuse each address."""
    program = (
        "import sys, django; django.setup()\n"
        "from django.test import RequestFactory\n"
        "from redress.core.middleware import RequestPrivacyMiddleware\n"
        "from redress.intake.actions import code_entry_paused\n"
        "for address in sys.argv[1:]:\n"
        "    r = RequestFactory().get('/', REMOTE_ADDR=address)\n"
        "    RequestPrivacyMiddleware(lambda q: None)(r)\n"
        "    print(code_entry_paused(r.client_fingerprint, r.client_network))\n"
    )
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="redress.settings",
        REDRESS_CACHE_BACKEND=REDIS_CACHE,
        REDRESS_CACHE_LOCATION=REDIS_URL,
        REDRESS_CACHE_KEY_PREFIX=prefix,
    )
    env.pop("DATABASE_URL", None)  # it reads only the cache
    done = subprocess.run(
        [sys.executable, "-c", program, *addresses],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return [line == "True" for line in done.stdout.split()]


def _check(address: str) -> str:
    return Client(REMOTE_ADDR=address).post("/check", {"code": WRONG}).content.decode()


def test_wrong_codes_counted_in_one_process_lock_the_client_out_in_another(shared) -> None:  # type: ignore[no-untyped-def]
    _, prefix = shared
    for _ in range(5):
        assert "could not find a report" in _check(GUESSER)
    assert "Too many codes" in _check(GUESSER)
    # A second web process, sharing only the cache, refuses the same person and no one else.
    assert _another_web_process(prefix, GUESSER, SOMEONE_ELSE) == [True, False]


def test_the_shared_counts_hold_no_address_and_expire(shared) -> None:  # type: ignore[no-untyped-def]
    server, prefix = shared
    for _ in range(2):
        _check(GUESSER)
    keys = list(server.scan_iter(match=f"{prefix}:*"))
    assert len(keys) == 3  # this client's count, its network's and everyone's
    fingerprint = _fingerprint(GUESSER)
    assert any(fingerprint.encode() in key for key in keys)
    assert not any(b"203.0.113" in key for key in keys)  # the network is a fingerprint too
    for key in keys:
        assert GUESSER.encode() not in key
        assert GUESSER.encode() not in (server.get(key) or b"")
        assert 0 < server.ttl(key) <= 900


def test_an_unreachable_cache_pauses_code_entry_rather_than_stop_counting(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CACHES = {
        "default": {
            "BACKEND": REDIS_CACHE,
            "LOCATION": NOBODY_LISTENS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    page = Client(REMOTE_ADDR=GUESSER).post("/check", {"code": WRONG})
    assert page.status_code == 400  # the form's answer to an error: the page, not a crash
    assert "Too many codes" in page.content.decode()
    assert "could not find a report" not in page.content.decode()
    answer = Client(REMOTE_ADDR=GUESSER).get("/api/reports/me", HTTP_X_RECEIPT=WRONG)
    assert answer.status_code == 429
    assert answer.json()["detail"]
    # Nothing was tried, so nothing was counted on the record either.
    assert not Entry.objects.filter(action__startswith="receipt.").exists()


def test_an_unreachable_cache_pauses_staff_sign_in_even_with_the_right_password(settings) -> None:  # type: ignore[no-untyped-def]
    make_staff("ffion")
    settings.CACHES = {"default": {"BACKEND": REDIS_CACHE, "LOCATION": NOBODY_LISTENS}}
    browser = Client()
    page = browser.post("/staff/sign-in", {"username": "ffion", "password": PASSWORD})
    assert page.status_code == 400
    assert "Too many failed attempts" in page.content.decode()
    assert browser.get("/staff/").status_code == 302  # still signed out


def test_serve_warns_when_its_processes_would_count_apart() -> None:
    warning = shared_counting_warning(2, "django.core.cache.backends.locmem.LocMemCache")
    assert warning is not None
    assert "up to 2 times" in warning
    assert shared_counting_warning(1, "django.core.cache.backends.locmem.LocMemCache") is None
    assert shared_counting_warning(4, REDIS_CACHE) is None


def test_a_cache_that_keeps_no_counts_is_refused() -> None:
    program = "import django; django.setup()"
    env = dict(os.environ, REDRESS_CACHE_BACKEND="django.core.cache.backends.dummy.DummyCache")
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode != 0
    assert "keeps no counts" in done.stderr


def test_email_counts_are_shared_hold_no_address_and_expire(shared) -> None:  # type: ignore[no-untyped-def]
    from redress.accounts.throttle import address_key, email_allowed

    server, prefix = shared
    address = "rhian@example.org"
    assert [email_allowed(address, client=f"client-{n}") for n in range(4)] == [True] * 3 + [False]
    keys = [key for key in server.scan_iter(match=f"{prefix}:*") if b"email-address" in key]
    assert len(keys) == 1
    assert address_key(address).encode() in keys[0]
    for key in server.scan_iter(match=f"{prefix}:*"):
        assert b"rhian" not in key
        assert b"rhian" not in (server.get(key) or b"")
        assert 0 < server.ttl(key) <= 3600


def test_an_unreachable_cache_sends_no_email(settings, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    from redress.accounts.throttle import email_allowed

    settings.CACHES = {
        "default": {
            "BACKEND": REDIS_CACHE,
            "LOCATION": NOBODY_LISTENS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    assert not email_allowed("rhian@example.org", client="a-client")
    body = {
        "category": "bullying",
        "what_happened": "Shouted at in front of the team, again.",
        "identity": "confidential",
        "respondent_description": "The office manager",
        "contact_name": "Rhian",
        "contact_email": "rhian@example.org",
    }
    answer = Client().post("/api/reports", body, content_type="application/json")
    assert answer.status_code == 201  # the report is made; only its email waits
    assert answer.json()["verification_email"] == "skipped"
    assert mailoutbox == []
