"""The complainant learns when the sanction runs: its kind and its dates in words, in English
and in Welsh; never its conditions, which are written for the register and the respondent."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine
from django.test import Client

from redress.cases import actions
from redress.cases.models import Decision, Sanction, Stage
from redress.cases.sanctions import Terms
from tests.respond.journey import DECISION_REASONS, Journey, reported

pytestmark = pytest.mark.django_db

CONDITIONS = "No access to the members' gym while the suspension runs."
TERMS = Terms(starts_on=dt.date(2027, 2, 1), months=3, conditions=CONDITIONS)


@pytest.fixture
def decided(clock: time_machine.Traveller) -> Journey:
    journey = reported()
    journey.to_investigation()
    journey.write_findings()
    journey.move(Stage.FINDINGS)
    actions.transition(
        journey.refresh(),
        Stage.DECISION,
        actor=journey.maker,
        reasons=DECISION_REASONS,
        decision=Decision.UPHELD,
        sanction=Sanction.SUSPENSION,
        terms=TERMS,
    )
    return journey


def terms_on(client: Client) -> str:
    page = html.unescape(client.get("/check/report").content.decode())
    match = re.search(r'id="sanction-terms"[^>]*>(.*?)</dd>', page, re.S)
    assert match, "no terms on the page"
    assert CONDITIONS not in page
    return match.group(1).strip()


def test_the_complainant_reads_the_sanction_and_its_dates(decided: Journey) -> None:
    assert terms_on(decided.complainant) == (
        "Suspension for 3 months, from 1 February 2027 to 30 April 2027."
    )


def test_and_reads_them_in_welsh(decided: Journey) -> None:
    decided.complainant.cookies["django_language"] = "cy"
    said = terms_on(decided.complainant)
    assert "1 Chwefror 2027" in said
    assert "30 Ebrill 2027" in said
    assert "February" not in said


def test_a_sanction_without_dates_shows_no_terms(clock: time_machine.Traveller) -> None:
    journey = reported()
    journey.to_investigation()
    journey.write_findings()
    journey.move(Stage.FINDINGS, Stage.DECISION)  # training, with no dates
    page = journey.complainant.get("/check/report").content.decode()
    assert 'id="sanction"' in page
    assert 'id="sanction-terms"' not in page
