"""The respondent sees the substance of the allegations, never the complainant's own words,
identity, contact details, evidence, messages or the handlers' internal notes, at any stage;
and nothing at all before they are told."""

from __future__ import annotations

import html
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from redress.cases import actions
from redress.cases.models import RespondentInvitation, Stage
from tests.respond.journey import (
    ALLEGATIONS,
    DECISION_REASONS,
    FINDINGS,
    RESPONDENT_EMAIL,
    SECRETS,
    open_link,
    reported,
)

pytestmark = pytest.mark.django_db

COMPLAINANT_COMMENT = "Paragraph 2 gets the time wrong: it was 14:40, after the vote."
COMPLAINANT_GROUNDS = "Training is too light for what he did to me in the tearoom."


def respondent_pages(client: Client) -> list[str]:
    return [
        client.get(path).content.decode()
        for path in ("/respond/", "/respond/new-link", "/respond/open/forged")
    ]


def assert_nothing_private(pages: list[str], secrets: list[str]) -> None:
    for page in pages:
        for secret in secrets:
            assert secret not in page, secret
            assert html.escape(secret) not in page, secret


def test_at_every_stage_the_respondent_sees_the_substance_and_nothing_private(
    clock: time_machine.Traveller,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    journey = reported()
    journey.to_investigation()
    journey.internal_file()
    journey.write_allegations()
    with django_capture_on_commit_callbacks(execute=True):
        token = journey.notify()
    respondent = open_link(token)
    secrets = [*SECRETS]

    def check(stage: Stage, *shown: str) -> None:
        pages = respondent_pages(respondent)
        assert f'<strong class="govuk-tag">{stage.label}</strong>' in pages[0]
        for text in (ALLEGATIONS, *shown):
            assert text in pages[0]
        assert_nothing_private(pages, secrets)

    check(Stage.INVESTIGATION)
    journey.write_findings()
    check(Stage.INVESTIGATION)  # a draft findings report is not shown
    assert FINDINGS not in respondent.get("/respond/").content.decode()
    journey.move(Stage.FINDINGS)
    response = journey.complainant.post(
        "/check/report", {"findings_comment": "1", "comment": COMPLAINANT_COMMENT}
    )
    assert response.status_code == 302
    secrets.append(COMPLAINANT_COMMENT)
    check(Stage.FINDINGS, FINDINGS)
    journey.move(Stage.DECISION)
    check(Stage.DECISION, FINDINGS, DECISION_REASONS, "Upheld", "Training")
    journey.move(Stage.APPEAL_WINDOW)
    check(Stage.APPEAL_WINDOW, FINDINGS, DECISION_REASONS)
    response = journey.complainant.post(
        "/check/report", {"appeal": "1", "grounds": COMPLAINANT_GROUNDS}
    )
    assert response.status_code == 302
    secrets.append(COMPLAINANT_GROUNDS)
    check(Stage.APPEAL, FINDINGS, DECISION_REASONS)
    journey.dismiss_appeal()
    check(Stage.CLOSED, FINDINGS, DECISION_REASONS, "No new evidence; the decision stands.")

    to_respondent = [m for m in mailoutbox if RESPONDENT_EMAIL in m.to]
    assert to_respondent
    assert_nothing_private([m.subject + m.body for m in to_respondent], [*secrets, ALLEGATIONS])


def test_nothing_reaches_the_respondent_before_they_are_told(
    clock: time_machine.Traveller,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    journey = reported()
    with django_capture_on_commit_callbacks(execute=True):
        journey.to_investigation()
        journey.write_allegations()
    assert not [m for m in mailoutbox if RESPONDENT_EMAIL in m.to]
    assert actions.records_for_respondent(journey.refresh()) == []
    # Even a live invitation row shows nothing while the case does not record the notification.
    RespondentInvitation.objects.create(
        case=journey.case,
        person=journey.respondent,
        token_digest=actions.invitation_digest("early"),
        expires_at=timezone.now() + actions.INVITATION_LIFETIME,
    )
    client = open_link("early")
    page = client.get("/respond/").content.decode()
    assert "There is nothing to show yet." in page
    assert ALLEGATIONS not in page
    assert_nothing_private([page], SECRETS)
    response = client.post("/respond/", {"act": "answer", "body": "Too early."})
    assert response.status_code == 400
    assert "not open for your answer" in response.content.decode()
    assert not journey.case.records.filter(kind="response").exists()
