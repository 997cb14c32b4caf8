"""The respondent reads what the sanction asks of them: its kind, dates, length and conditions,
in words and in Welsh, and the new terms once an appeal varies them."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine
from django.test import Client

from redress.cases import actions
from redress.cases.models import AppealOutcome, AssignmentRole, Decision, Sanction, Source, Stage
from redress.cases.sanctions import Terms
from tests.respond.journey import DECISION_REASONS, Journey, open_link, reported

pytestmark = pytest.mark.django_db

CONDITIONS = "No access to the members' gym while the suspension runs."
TERMS = Terms(starts_on=dt.date(2027, 2, 1), months=3, conditions=CONDITIONS)


@pytest.fixture
def journey(clock: time_machine.Traveller) -> Journey:
    journey = reported()
    journey.to_investigation()
    journey.write_allegations()
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


@pytest.fixture
def respondent(journey: Journey) -> Client:
    return open_link(journey.notify())


def shown(client: Client, element_id: str) -> str:
    page = html.unescape(client.get("/respond/").content.decode())
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</dd>', page, re.S)
    assert match, element_id
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_the_respondent_reads_the_terms_and_conditions(respondent: Client) -> None:
    assert shown(respondent, "respondent-sanction-terms") == (
        "Suspension for 3 months, from 1 February 2027 to 30 April 2027."
    )
    assert shown(respondent, "respondent-sanction-terms-conditions") == CONDITIONS


def test_and_reads_them_in_welsh(respondent: Client) -> None:
    respondent.cookies["django_language"] = "cy"
    said = shown(respondent, "respondent-sanction-terms")
    assert "1 Chwefror 2027" in said
    assert "30 Ebrill 2027" in said
    page = respondent.get("/respond/").content.decode()
    assert "Telerau" in page
    assert "Amodau" in page


def test_an_appeal_that_varies_the_terms_shows_the_new_ones(
    journey: Journey, respondent: Client
) -> None:
    actions.transition(journey.refresh(), Stage.APPEAL_WINDOW, actor=journey.maker, reasons="Told.")
    actions.lodge_appeal(journey.refresh(), "Too long for what was found.", by=Source.RESPONDENT)
    actions.assign(journey.case, journey.panel, AssignmentRole.APPEALS_PANEL, actor="system:test")
    actions.decide_appeal(
        journey.refresh(),
        actor=journey.panel,
        outcome=AppealOutcome.ALLOWED,
        reasons="One month is proportionate.",
        decision=Decision.UPHELD,
        sanction=Sanction.SUSPENSION,
        terms=Terms(starts_on=dt.date(2027, 2, 1), months=1, conditions=CONDITIONS),
    )
    assert shown(respondent, "respondent-sanction-terms") == (
        "Suspension for 1 month, from 1 February 2027 to 28 February 2027."
    )
