"""Check your report through case handling: each stage with what happens next and by when, the
findings and a comment on them, the outcome, and an appeal within the window."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine
from django.test import Client

from redress.cases import actions, schedule
from redress.cases.models import Appeal, CaseRecord, DeadlineKind, RecordKind, Source, Stage
from redress.ledger.models import Entry
from tests.respond.journey import (
    ALLEGATIONS,
    DECISION_REASONS,
    FINDINGS,
    Journey,
    check_in,
    open_link,
    reported,
)

pytestmark = pytest.mark.django_db

COMMENT = "The findings put the meeting at 14:10; it was 14:40, after the vote."
GROUNDS = "A training course is not enough for what happened in the tearoom."
RESPONDENT_ANSWER = "I was handing over the order paper, nothing more."


@pytest.fixture
def journey(clock: time_machine.Traveller) -> Journey:
    return reported()


def status_of(client: Client) -> str:
    return html.unescape(client.get("/check/report").content.decode())


def text_of(page: str, element_id: str, closing: str = "dd") -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</{closing}>', page, re.S)
    assert match, element_id
    return re.sub(r"<[^>]+>", " ", match.group(1))


def day(date: dt.date) -> str:
    return f"{date.day} {date:%B %Y}"


def told_dates(journey: Journey) -> dict[str, dt.date]:
    """The case's own open items a complainant is told about: kind -> soonest due date."""
    told: dict[str, dt.date] = {}
    kinds = [
        DeadlineKind.ACKNOWLEDGE,
        DeadlineKind.ASSESS,
        DeadlineKind.FEEDBACK,
        DeadlineKind.SUBSTANTIVE_ANSWER,
        DeadlineKind.DECIDE,
        DeadlineKind.APPEAL_WINDOW,
        DeadlineKind.APPEAL,
    ]
    for item in schedule.open_items(journey.case).filter(kind__in=kinds).order_by("due_on"):
        told.setdefault(item.kind, item.due_on)
    return told


def test_each_stage_is_shown_with_its_dates_from_the_case(journey: Journey) -> None:
    client = journey.complainant

    def sees(stage: Stage, next_kind: DeadlineKind | None) -> str:
        page = status_of(client)
        assert text_of(page, "stage").strip() == stage.label
        dates = told_dates(journey)
        assert dates, stage
        listed = text_of(page, "dates", "dl")
        for due in dates.values():
            assert f"By {day(due)}" in listed, (stage, due)
        what_next = text_of(page, "what-next")
        if next_kind is None:
            assert "This should happen by" not in what_next
        else:
            assert f"This should happen by {day(dates[next_kind])}." in what_next
        return page

    page = sees(Stage.RECEIVED, DeadlineKind.ACKNOWLEDGE)
    assert "A caseworker will acknowledge your report" in page
    journey.move(Stage.ACKNOWLEDGED)
    sees(Stage.ACKNOWLEDGED, DeadlineKind.ASSESS)
    journey.move(Stage.ASSESSED)
    sees(Stage.ASSESSED, DeadlineKind.FEEDBACK)
    journey.move(Stage.INVESTIGATION)
    page = sees(Stage.INVESTIGATION, DeadlineKind.FEEDBACK)
    assert "You get a full answer on your report." in page
    journey.write_findings()
    journey.move(Stage.FINDINGS)
    page = sees(Stage.FINDINGS, DeadlineKind.DECIDE)
    assert "A decision is made on the findings." in page
    journey.move(Stage.DECISION)
    journey.move(Stage.APPEAL_WINDOW)
    page = sees(Stage.APPEAL_WINDOW, None)
    assert "The time to appeal the decision ends." in page
    journey.complainant.post("/check/report", {"appeal": "1", "grounds": GROUNDS})
    page = sees(Stage.APPEAL, DeadlineKind.APPEAL)
    assert "The appeals panel decides." in page
    journey.dismiss_appeal()
    page = status_of(client)
    assert text_of(page, "stage").strip() == "Closed"
    assert 'id="dates"' not in page


def test_on_hold_the_report_says_paused_without_the_reason(journey: Journey) -> None:
    journey.move(Stage.ACKNOWLEDGED)
    before = told_dates(journey)
    actions.put_on_hold(journey.case, actor=journey.caseworker, reason="Police inquiry, ref 77-A.")
    page = status_of(journey.complainant)
    assert "Your case is paused for now" in page
    assert "Police inquiry" not in page
    assert "This should happen by" not in page
    for due in before.values():
        assert day(due) not in page
    assert "On hold" in text_of(page, "dates", "dl")
    actions.resume(journey.refresh(), actor=journey.caseworker, reasons="Inquiry finished.")
    assert "This should happen by" in status_of(journey.complainant)


def test_findings_are_shown_once_written_up_and_take_a_comment(journey: Journey) -> None:
    journey.to_investigation()
    journey.write_findings()
    page = status_of(journey.complainant)
    assert FINDINGS not in page  # a draft under investigation is not shown
    assert "Send your comment" not in page
    journey.move(Stage.FINDINGS)
    page = status_of(journey.complainant)
    assert FINDINGS in text_of(page, "findings", "div")
    response = journey.complainant.post(
        "/check/report", {"findings_comment": "1", "comment": COMMENT}
    )
    assert response.status_code == 302
    record = CaseRecord.objects.get(kind=RecordKind.ACCURACY_COMMENT)
    assert (record.source, record.body) == (Source.COMPLAINANT, COMMENT)
    assert Entry.objects.filter(
        action="case.findings_commented",
        actor="complainant",
        object=f"case:{journey.case.reference}",
    ).exists()
    journey.move(Stage.DECISION)
    page = status_of(journey.complainant)
    assert FINDINGS in page  # still there to read after the decision
    assert "Send your comment" not in page


def test_an_empty_comment_is_explained_in_the_page(journey: Journey) -> None:
    journey.to_investigation()
    journey.write_findings()
    journey.move(Stage.FINDINGS)
    response = journey.complainant.post("/check/report", {"findings_comment": "1", "comment": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_comment"' in page
    assert "Write your comment" in page


def test_the_outcome_and_an_appeal_within_the_window(journey: Journey) -> None:
    journey.to_investigation()
    journey.to_appeal_window()
    closes = actions.appeal_closes_on(journey.case)
    assert closes is not None
    page = status_of(journey.complainant)
    assert text_of(page, "decision").strip() == "Upheld"
    assert text_of(page, "sanction").strip() == "Training"
    assert DECISION_REASONS in page
    assert f"You may appeal until {day(closes)}." in page
    response = journey.complainant.post("/check/report", {"appeal": "1", "grounds": GROUNDS})
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.by == Source.COMPLAINANT
    assert appeal.grounds.body == GROUNDS
    page = status_of(journey.complainant)
    assert text_of(page, "stage").strip() == "Under appeal"
    assert "Lodge the appeal" not in page


def test_an_appeal_after_the_window_is_refused_with_a_message(
    journey: Journey, clock: time_machine.Traveller
) -> None:
    journey.to_investigation()
    journey.to_appeal_window()
    closes = actions.appeal_closes_on(journey.case)
    assert closes is not None
    clock.move_to(dt.datetime.combine(closes + dt.timedelta(days=1), dt.time(10), dt.UTC))
    client = check_in(journey.code)  # the earlier visit's session has long expired
    page = status_of(client)
    assert f"The time to appeal ended on {day(closes)}." in page
    assert "Lodge the appeal" not in page
    response = client.post("/check/report", {"appeal": "1", "grounds": GROUNDS})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "The time to appeal has passed." in page
    assert f">{GROUNDS}</textarea>" in page
    assert not Appeal.objects.exists()


def test_the_complainant_never_sees_the_respondents_side(journey: Journey) -> None:
    journey.to_investigation()
    journey.write_allegations()
    respondent = open_link(journey.notify())
    respondent.post("/respond/", {"act": "answer", "body": RESPONDENT_ANSWER})
    journey.write_findings()
    journey.move(Stage.FINDINGS)
    respondent.post("/respond/", {"act": "comment", "body": "Comment from the respondent."})
    page = status_of(journey.complainant)
    assert RESPONDENT_ANSWER not in page
    assert "Comment from the respondent." not in page
    assert ALLEGATIONS not in page
    assert "m.ashdown@example.org" not in page


def test_a_withdrawn_report_shows_no_dates_or_forms(journey: Journey) -> None:
    journey.complainant.post("/check/withdraw", {"reason": "", "confirm": "on"})
    page = status_of(journey.complainant)
    assert "Withdrawn" in page
    assert 'id="dates"' not in page
    assert "Lodge the appeal" not in page
