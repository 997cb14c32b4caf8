"""The respondent's case page: answering with evidence, commenting on the findings, the
outcome, the dates that concern them and the appeal window."""

from __future__ import annotations

import datetime as dt
import html

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from redress.cases import actions
from redress.cases.models import (
    Appeal,
    Attachment,
    CaseRecord,
    Deadline,
    DeadlineKind,
    RecordKind,
    Source,
    Stage,
)
from redress.ledger.append import digest_of
from redress.ledger.models import Entry
from tests.respond.journey import DECISION_REASONS, FINDINGS, Journey, open_link, reported

pytestmark = pytest.mark.django_db

ANSWER = "I did not hold anyone. I was handing over the order paper."
GROUNDS = "The steward was not in the room at 14:10, as the rota shows."


@pytest.fixture
def journey(clock: time_machine.Traveller) -> Journey:
    journey = reported()
    journey.to_investigation()
    journey.write_allegations()
    return journey


@pytest.fixture
def respondent(journey: Journey) -> Client:
    return open_link(journey.notify())


def page_of(client: Client) -> str:
    return html.unescape(client.get("/respond/").content.decode())


def day(date: dt.date) -> str:
    return f"{date.day} {date:%B %Y}"


def test_an_answer_is_stored_sealed_ledgered_and_shown_back(
    journey: Journey, respondent: Client
) -> None:
    response = respondent.post("/respond/", {"act": "answer", "body": ANSWER})
    assert response.status_code == 302
    record = CaseRecord.objects.get(case=journey.case, kind=RecordKind.RESPONSE)
    assert record.source == Source.RESPONDENT
    assert record.body == ANSWER
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM cases_caserecord WHERE id = %s", [record.pk])
        (stored,) = cursor.fetchone()
    assert ANSWER.encode() not in bytes(stored)
    entry = Entry.objects.get(action="case.respondent_answered")
    assert (entry.actor, entry.object) == ("respondent", f"case:{journey.case.reference}")
    assert entry.digest == digest_of(ANSWER)
    page = page_of(respondent)
    assert "Your answer has been sent to the investigator." in page
    assert ANSWER in page


def test_an_empty_answer_is_explained_in_the_page(respondent: Client) -> None:
    response = respondent.post("/respond/", {"act": "answer", "body": "   "})
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert 'href="#answer-body"' in page
    assert "Write your answer" in page
    assert "<title>Error:" in page


def test_evidence_is_cleaned_sealed_and_ledgered(journey: Journey, respondent: Client) -> None:
    upload = SimpleUploadedFile("rota.txt", b"Steward rota: 14:00 to 14:30, east corridor.\n")
    response = respondent.post("/respond/", {"act": "evidence", "file": upload})
    assert response.status_code == 302
    attachment = Attachment.objects.get(case=journey.case, source=Source.RESPONDENT)
    assert attachment.kind == "text"
    assert Entry.objects.filter(
        action="case.evidence_added", actor="respondent", object=f"case:{journey.case.reference}"
    ).exists()
    assert "rota.txt" in page_of(respondent)


def test_a_file_of_a_kind_not_accepted_is_refused_in_the_page(
    journey: Journey, respondent: Client
) -> None:
    upload = SimpleUploadedFile("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff")
    response = respondent.post("/respond/", {"act": "evidence", "file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This file is not a type we accept" in page
    assert 'href="#evidence-file"' in page
    assert not Attachment.objects.filter(source=Source.RESPONDENT).exists()
    response = respondent.post("/respond/", {"act": "evidence"})
    assert "Select a file to upload" in response.content.decode()


def test_a_refused_comment_keeps_what_was_typed(respondent: Client) -> None:
    # Under investigation there are no findings to comment on yet.
    response = respondent.post("/respond/", {"act": "comment", "body": "The findings misquote me."})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "Comments are taken while the findings report is being checked." in page
    assert ">The findings misquote me.</textarea>" in page


def test_an_unknown_act_changes_nothing(journey: Journey, respondent: Client) -> None:
    assert respondent.post("/respond/", {"act": "close", "body": "x"}).status_code == 400
    assert Stage(journey.refresh().stage) == Stage.INVESTIGATION


def test_the_dates_that_concern_them(journey: Journey, respondent: Client) -> None:
    investigation = Deadline.objects.get(case=journey.case, kind=DeadlineKind.INVESTIGATION)
    page = page_of(respondent)
    assert day(investigation.due_on) in page
    assert "Send your answer before then." in page
    assert "Support for you" in page


def test_on_hold_the_dates_pause_and_the_reason_is_not_shown(
    journey: Journey, respondent: Client
) -> None:
    investigation = Deadline.objects.get(case=journey.case, kind=DeadlineKind.INVESTIGATION)
    actions.put_on_hold(
        journey.case, actor=journey.caseworker, reason="Police inquiry under way, ref 77-A."
    )
    page = page_of(respondent)
    assert "The case is on hold for now" in page
    assert "Police inquiry" not in page
    assert day(investigation.due_on) not in page
    assert "On hold" in page


def test_a_comment_on_the_findings(journey: Journey, respondent: Client) -> None:
    page = page_of(respondent)
    assert "Comment on the findings" not in page
    journey.write_findings()
    journey.move(Stage.FINDINGS)
    page = page_of(respondent)
    assert FINDINGS in page
    response = respondent.post(
        "/respond/", {"act": "comment", "body": "The vote was at 14:40, not 14:10."}
    )
    assert response.status_code == 302
    comment = CaseRecord.objects.get(kind=RecordKind.ACCURACY_COMMENT)
    assert comment.source == Source.RESPONDENT
    assert Entry.objects.filter(action="case.findings_commented", actor="respondent").exists()
    page = page_of(respondent)
    assert "Your comment on the findings" in page
    assert "The vote was at 14:40, not 14:10." in page


def test_the_outcome_and_an_appeal_within_the_window(journey: Journey, respondent: Client) -> None:
    journey.to_appeal_window()
    closes = actions.appeal_closes_on(journey.case)
    assert closes is not None
    page = page_of(respondent)
    assert "Upheld" in page
    assert "Training" in page
    assert DECISION_REASONS in page
    assert f"You may appeal until {day(closes)}" in page
    response = respondent.post("/respond/", {"act": "appeal", "grounds": GROUNDS})
    assert response.status_code == 302
    appeal = Appeal.objects.get(case=journey.case)
    assert appeal.by == Source.RESPONDENT
    assert Stage(journey.refresh().stage) == Stage.APPEAL
    page = page_of(respondent)
    assert "Your appeal has been lodged" in page
    assert GROUNDS in page
    assert "Lodge the appeal" not in page
    journey.dismiss_appeal()
    page = page_of(respondent)
    assert "No new evidence; the decision stands." in page
    assert "Send the answer" not in page  # a closed case takes no more answers


def test_an_appeal_after_the_window_is_refused_with_a_message(
    journey: Journey, clock: time_machine.Traveller
) -> None:
    journey.to_appeal_window()
    closes = actions.appeal_closes_on(journey.case)
    assert closes is not None
    clock.move_to(dt.datetime.combine(closes + dt.timedelta(days=1), dt.time(10), dt.UTC))
    respondent = open_link(journey.notify())  # the first link has expired by now
    page = page_of(respondent)
    assert f"The time to appeal ended on {day(closes)}." in page
    assert "Lodge the appeal" not in page
    response = respondent.post("/respond/", {"act": "appeal", "grounds": GROUNDS})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "The time to appeal has passed." in page
    assert f">{GROUNDS}</textarea>" in page
    assert not Appeal.objects.exists()


def test_every_showing_of_the_page_is_ledgered(journey: Journey, respondent: Client) -> None:
    reads = Entry.objects.filter(action="case.respondent_read", actor="respondent")
    before = reads.count()
    page_of(respondent)
    page_of(respondent)
    assert reads.count() == before + 2
    assert reads.last().object == f"case:{journey.case.reference}"  # type: ignore[union-attr]
