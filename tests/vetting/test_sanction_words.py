"""A sanction in words with its terms (issue 19): what a vetting officer and oversight read, in
English and Welsh, dates as GOV.UK writes them; never a stored value."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation

from redress.accounts.models import Role
from redress.directory.models import Person, PersonKind
from redress.register.actions import SanctionTerms, record_outcome
from redress.vetting.words import sanction_words
from tests.factories import make_staff, sign_in

THREE_MONTHS = {"starts_on": "2027-01-04", "months": 3, "ends_on": "2027-04-03"}


def test_a_timed_sanction_is_said_with_its_length_and_dates() -> None:
    assert (
        sanction_words("suspension", **THREE_MONTHS)
        == "Suspension for 3 months, from 4 January 2027 to 3 April 2027."
    )
    one = {"starts_on": "2027-01-31", "months": 1, "ends_on": "2027-02-27"}
    assert sanction_words("restricted_access", **one, conditions="No access to the gym.") == (
        "Restricted access to the estate or staff for 1 month, from 31 January 2027 to "
        "27 February 2027. Conditions: No access to the gym."
    )


def test_other_sanctions_are_said_with_what_they_have() -> None:
    assert sanction_words("dismissal", starts_on="2027-01-04") == "Dismissal, from 4 January 2027."
    assert sanction_words("training") == "The sanction was: training."
    assert sanction_words("none") == "No sanction was recorded."


def test_the_words_are_welsh_for_a_welsh_reader() -> None:
    with translation.override("cy"):
        said = sanction_words("suspension", **THREE_MONTHS, conditions="Dim mynediad.")
    assert said == (
        "Gwaharddiad dros dro am 3 mis, o 4 Ionawr 2027 i 3 Ebrill 2027. Amodau: Dim mynediad."
    )
    assert "January" not in said


@pytest.mark.django_db
def test_the_register_page_shows_the_terms_of_live_and_withdrawn_findings() -> None:
    rowan = Person.objects.create(identifier="M-1", name="Rowan Member", kind=PersonKind.MEMBER)
    terms = SanctionTerms(
        starts_on=dt.date(2027, 1, 4),
        months=3,
        ends_on=dt.date(2027, 4, 3),
        conditions="Not to chair committees.",
    )
    for reference in ("RDX-LIVE", "RDX-GONE"):
        record_outcome(
            person=rowan,
            case_reference=reference,
            category="harassment",
            decision="upheld",
            sanction="suspension",
            decided_on=dt.date(2027, 1, 4),
            actor="system:test",
            terms=terms,
        )
    record_outcome(
        person=rowan,
        case_reference="RDX-GONE",
        category="harassment",
        decision="not_upheld",
        sanction="",
        decided_on=dt.date(2027, 2, 1),
        actor="system:test",
    )
    client = Client()
    sign_in(client, make_staff("olwen", Role.OVERSIGHT))
    page = client.get("/staff/register").content.decode()
    live = page.split('id="live"')[1].split('id="ended"')[0]
    ended = page.split('id="ended"')[1]
    said = "Suspension for 3 months, from 4 January 2027 to 3 April 2027."
    for part in (live, ended):
        assert said in part
        assert "Conditions: Not to chair committees." in part
    assert "4 January 2034" in live  # harassment stays seven years
    for stored in ("2027-01-04", ">upheld<", ">suspension"):
        assert stored not in page
