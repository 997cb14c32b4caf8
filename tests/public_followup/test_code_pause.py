"""Wrong receipt codes count per client, per network and across the service: a block of
addresses pauses only its own network, and a service-wide pause takes far more than 60."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from redress.core.middleware import network_of
from redress.ledger.models import Entry
from tests.respond.journey import Journey, reported

pytestmark = pytest.mark.django_db
PAUSED = "Too many codes were not recognised"
NOT_FOUND = "could not find a report"


@pytest.fixture
def journey(clock: time_machine.Traveller) -> Journey:
    return reported()


def _wrong(n: int) -> str:
    return f"{n:020d}".replace("0", "A")


def _try(address: str, code: str) -> str:
    response = Client(REMOTE_ADDR=address).post("/check", {"code": code})
    if response.status_code == 302:
        return "opened"
    page = response.content.decode()
    return "paused" if PAUSED in page else "wrong" if NOT_FOUND in page else page[:300]


def test_networks_are_ipv4_slash_24_and_ipv6_slash_48() -> None:
    assert network_of("203.0.113.77") == "203.0.113.0/24"
    assert network_of("::ffff:203.0.113.77") == "203.0.113.0/24"
    assert network_of("2001:db8:1234:5678::1") == "2001:db8:1234::/48"
    assert network_of("not an address") == "not an address"


@pytest.mark.parametrize(
    ("block", "elsewhere"), [("203.0.113.{n}", "192.0.2.9"), ("2001:db8:7::{n:x}", "2001:db8:8::1")]
)
def test_many_addresses_in_one_network_pause_that_network_only(
    journey: Journey, block: str, elsewhere: str
) -> None:
    """Thirty addresses in one /24 (or /48), each under its own limit, pause their network after
    25 wrong codes between them; a fresh address elsewhere still opens its report."""
    outcomes = [_try(block.format(n=n + 1), _wrong(n * 5 + k)) for n in range(30) for k in range(4)]
    assert outcomes[:25] == ["wrong"] * 25
    assert set(outcomes[25:]) == {"paused"}
    assert _try(block.format(n=200), journey.code) == "paused"  # the whole block, right code too
    assert _try(elsewhere, journey.code) == "opened"
    paused = Entry.objects.filter(action="receipt.entry_paused", object="receipt:one-client")
    assert paused.count() == 1  # the network's pause, ledgered once, without who


def test_62_addresses_with_5_wrong_codes_each_do_not_pause_the_service(journey: Journey) -> None:
    """What paused code entry for everyone before: 62 addresses, 5 wrong codes each, in seconds."""
    outcomes = [_try(f"198.51.{n}.7", _wrong(n * 5 + k)) for n in range(62) for k in range(5)]
    assert outcomes == ["wrong"] * 310
    assert _try("192.0.2.44", journey.code) == "opened"
    assert not Entry.objects.filter(action="receipt.entry_paused", object="receipt:everyone")
