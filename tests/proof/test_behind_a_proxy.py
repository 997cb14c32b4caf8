"""Behind the TLS proxy that production puts in front, every request comes from the proxy's
address: throttling must still count each complainant on their own, and a client must not
escape its count by writing its own X-Forwarded-For."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.cache import cache
from django.test import Client

from redress.core.middleware import client_address

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"
WRONG = "AAAA-AAAA-AAAA-AAAA-AAAA"


@pytest.fixture(autouse=True)
def _behind_one_proxy(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PROXY_HOPS = 1
    cache.clear()


def _through_proxy(client_ip: str, forged: str = "") -> Client:
    # The proxy appends the address it saw to whatever the client sent.
    chain = f"{forged}, {client_ip}" if forged else client_ip
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=chain)


def _refused(client: Client) -> bool:
    return "could not find a report" in client.post("/check", {"code": WRONG}).content.decode()


def test_one_complainants_wrong_codes_do_not_lock_out_the_others() -> None:
    guesser = _through_proxy("203.0.113.7")
    for _ in range(5):
        assert _refused(guesser)
    assert not _refused(guesser)  # locked out
    assert _refused(_through_proxy("198.51.100.20"))  # another person behind the same proxy


def test_a_forged_forwarded_for_does_not_reset_the_count() -> None:
    for n in range(5):
        assert _refused(_through_proxy("203.0.113.7", forged=f"192.0.2.{n}"))
    assert not _refused(_through_proxy("203.0.113.7", forged="192.0.2.99"))


def test_the_address_is_the_one_the_outermost_proxy_saw(settings) -> None:  # type: ignore[no-untyped-def]
    meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "1.1.1.1, 203.0.113.7, 10.0.0.1"}
    settings.PROXY_HOPS = 2
    assert client_address(meta) == "203.0.113.7"
    settings.PROXY_HOPS = 0
    assert client_address(meta) == PROXY
    settings.PROXY_HOPS = 3
    assert client_address({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "x"}) == PROXY


def test_every_web_process_gives_a_client_the_same_fingerprint() -> None:
    # Several processes sharing a throttling cache must count one client's failures together.
    program = (
        "import django; django.setup();"
        "from django.test import RequestFactory;"
        "from redress.core.middleware import RequestPrivacyMiddleware;"
        "r = RequestFactory().get('/', REMOTE_ADDR='203.0.113.7');"
        "RequestPrivacyMiddleware(lambda q: None)(r); print(r.client_fingerprint)"
    )
    prints = {
        subprocess.run(
            [sys.executable, "-c", program], capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    }
    assert len(prints) == 1
    assert "203.0.113.7" not in prints.pop()
