"""Both parties are told of what concerns them, and forms close once their stage has passed: the
respondent is emailed (content-free) when the decision is made, when the complainant appeals
and when the appeal is decided; the complainant hears when the respondent appeals; both pages
show the appeal and the panel's reasons; the respondent cannot answer after the decision and the
complainant cannot withdraw after it."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client

from redress.cases.models import Case
from redress.cases.notices import case_updated
from tests.respond.journey import (
    ALLEGATIONS,
    RESPONDENT_EMAIL,
    SECRETS,
    Journey,
    check_in,
    open_link,
    reported,
)

pytestmark = pytest.mark.django_db
GROUNDS = "The steward was not in the room at 14:10, as the rota shows."


@pytest.fixture
def journey(clock: time_machine.Traveller) -> Journey:
    journey = reported()
    journey.to_investigation()
    journey.write_allegations()
    return journey


@pytest.fixture
def complainant_news() -> Iterator[list[str]]:
    """The references of cases announced to their complainant, in order."""
    told: list[str] = []

    def note(sender: Any, *, case: Case, **kwargs: Any) -> None:
        told.append(case.reference)

    case_updated.connect(note, weak=False, dispatch_uid="test.complainant_news")
    yield told
    case_updated.disconnect(dispatch_uid="test.complainant_news")


def _news_for_respondent() -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.subject.startswith("There is news on the complaint")]


def page_of(client: Client, path: str) -> str:
    return html.unescape(client.get(path).content.decode())


def test_the_respondent_is_told_of_the_decision_and_the_appeal_by_email_without_content(
    journey: Journey,
    complainant_news: list[str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    respondent = open_link(journey.notify())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        journey.to_appeal_window()
    decision_news = _news_for_respondent()
    assert decision_news, "the respondent hears that a decision was made"
    assert all(m.to == [RESPONDENT_EMAIL] for m in decision_news)
    for message in decision_news:
        assert "/respond/new-link" in message.body
        assert "Upheld" not in message.body
        assert ALLEGATIONS not in message.body
        for secret in SECRETS:
            assert secret not in message.body
    # The respondent appeals: the complainant is told there is news, and sees who appealed.
    told_before = len(complainant_news)
    with django_capture_on_commit_callbacks(execute=True):
        response = respondent.post("/respond/", {"act": "appeal", "grounds": GROUNDS})
    assert response.status_code == 302
    assert len(complainant_news) == told_before + 1
    complainant = check_in(journey.code)
    page = page_of(complainant, "/check/report")
    assert "By the person you complained about" in page
    assert "The appeals panel has not decided yet." in page
    assert GROUNDS not in page  # their grounds are theirs
    # The panel decides: both are told, and both pages give the outcome and the reasons.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        journey.dismiss_appeal()
    assert len(_news_for_respondent()) == 1
    assert len(complainant_news) == told_before + 2
    for client, path in ((complainant, "/check/report"), (respondent, "/respond/")):
        page = page_of(client, path)
        assert "Appeal dismissed: the decision stands" in page
        assert "No new evidence; the decision stands." in page
    assert "in your messages" not in page_of(complainant, "/check/report")


def test_the_respondent_is_told_when_the_complainant_appeals(
    journey: Journey, django_capture_on_commit_callbacks: Any
) -> None:
    respondent = open_link(journey.notify())
    journey.to_appeal_window()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = check_in(journey.code).post(
            "/check/report", {"appeal": "1", "grounds": "The sanction is too light."}
        )
    assert response.status_code == 302, response.content.decode()[:300]
    assert len(_news_for_respondent()) == 1
    page = page_of(respondent, "/respond/")
    assert "By the person who complained" in page
    assert "The sanction is too light." not in page


def test_a_respondent_not_yet_told_of_the_complaint_hears_nothing(
    journey: Journey, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        journey.to_appeal_window()
    assert _news_for_respondent() == []


def test_after_the_decision_the_respondent_cannot_answer_and_the_complainant_cannot_withdraw(
    journey: Journey,
) -> None:
    respondent = open_link(journey.notify())
    assert "Answer the allegations" in page_of(respondent, "/respond/")
    journey.to_appeal_window()
    page = page_of(respondent, "/respond/")
    assert "Answer the allegations" not in page
    assert "Your evidence" not in page
    refused = respondent.post("/respond/", {"act": "answer", "body": "One more thing."})
    assert refused.status_code == 400
    assert "This case is not open for your answer." in html.unescape(refused.content.decode())
    complainant = check_in(journey.code)
    assert "Withdraw your report" not in page_of(complainant, "/check/report")
    assert complainant.get("/check/withdraw").status_code == 302
    response = complainant.post("/check/withdraw", {"reason": "Changed my mind."})
    assert response.status_code == 302
    assert journey.refresh().withdrawn_at is None
