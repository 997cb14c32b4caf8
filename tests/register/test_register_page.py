"""Oversight's page of the sanctions register: live findings in words with their dates, and
those withdrawn or expired apart; every view ledgered; nobody else may open it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from redress.accounts.models import Role
from redress.directory.models import Person, PersonKind
from redress.ledger.events import Action
from redress.ledger.models import Entry
from redress.register.actions import record_outcome
from tests.factories import make_staff, sign_in

pytestmark = pytest.mark.django_db


def _finding(person: Person, reference: str, decided: dt.date, **more: str) -> None:
    record_outcome(
        person=person,
        case_reference=reference,
        category=more.get("category", "harassment"),
        decision=more.get("decision", "upheld"),
        sanction=more.get("sanction", "behaviour_agreement"),
        decided_on=decided,
        actor="system:test",
    )


def test_oversight_reads_the_register_in_words_and_the_reading_is_ledgered() -> None:
    rowan = Person.objects.create(identifier="M-1", name="Rowan Member", kind=PersonKind.MEMBER)
    sam = Person.objects.create(identifier="M-2", name="Sam Member", kind=PersonKind.MEMBER)
    _finding(rowan, "RDX-LIVE", dt.date(2026, 3, 2))
    _finding(sam, "RDX-GONE", dt.date(2026, 4, 1), category="bullying", decision="partly_upheld")
    _finding(sam, "RDX-GONE", dt.date(2026, 6, 1), decision="not_upheld")  # overturned
    _finding(sam, "RDX-OLD", dt.date(2015, 1, 5), category="bullying")  # expired in 2020
    oversight = make_staff("olwen", Role.OVERSIGHT)
    client = Client()
    sign_in(client, oversight)
    page = client.get("/staff/register").content.decode()
    live = page.split('id="live"')[1].split('id="ended"')[0]
    ended = page.split('id="ended"')[1]
    assert "Rowan Member" in live
    assert "Harassment: complaint upheld" in live
    assert "The sanction was: behaviour agreement." in live
    assert "2 March 2026" in live
    assert "2 March 2033" in live  # harassment stays seven years
    assert "Sam Member" not in live
    assert "Withdrawn on" in ended
    assert "the finding was overturned" in ended
    assert "Expired on 5 January 2020" in ended
    for stored in ("behaviour_agreement", "partly_upheld", "RDX-"):
        assert stored not in page
    reads = Entry.objects.filter(action=Action.REGISTER_READ)
    assert list(reads.values_list("actor", "object")) == [(f"user:{oversight.pk}", "register:all")]


@pytest.mark.parametrize("role", [Role.VETTING_OFFICER, Role.CASEWORKER, Role.ADMINISTRATOR])
def test_only_oversight_opens_the_whole_register(role: Role) -> None:
    client = Client()
    sign_in(client, make_staff("someone", role))
    assert client.get("/staff/register").status_code == 403
    assert not Entry.objects.filter(action=Action.REGISTER_READ).exists()
