"""A complaint as it really arrives and moves: a confidential complainant reports through the
wizard (with name, email and phone), names a member from the directory, and the assigned team
moves the case on with the actions. Shared by the respondent's and the complainant's tests."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from redress.accounts.models import User
from redress.cases import actions
from redress.cases.models import (
    AppealOutcome,
    AssignmentRole,
    Case,
    Decision,
    Direction,
    Message,
    RecordKind,
    Sanction,
    Stage,
)
from redress.directory.models import Person, PersonKind
from tests.cases.helpers import team
from tests.intake.helpers import fill_report, receipt_on

# What the complainant tells the scheme and nobody else: none of it may reach the respondent.
NARRATIVE = "In the tearoom on 3 March he pinned my arm and hissed at me about the vote."
NAME = "Rhian Cadwaladr"
EMAIL = "rhian.cadwaladr@example.org"
PHONE = "01632 960 417"
WHERE = "The Pimlico tearoom annexe"
IMPACT = "I now take the long stairs to avoid the east corridor."
OUTCOME = "A written apology and a different desk."
EVIDENCE_NAME = "rhian-diary-march.txt"
COMPLAINANT_MESSAGE = "My line manager Gwenllian saw the bruise the next morning."
CASEWORKER_MESSAGE = "Thank you, Rhian. Your caseworker is Ffion."
INTERNAL_NOTE = "Interview with the tearoom steward: confirms raised voices at 14:10."
EVIDENCE_NOTE = "CCTV request sent to the estates team, ticket 5521."
SECRETS = [
    NARRATIVE,
    NAME,
    "Rhian",
    EMAIL,
    PHONE,
    WHERE,
    IMPACT,
    OUTCOME,
    EVIDENCE_NAME,
    COMPLAINANT_MESSAGE,
    CASEWORKER_MESSAGE,
    INTERNAL_NOTE,
    EVIDENCE_NOTE,
]

# What the respondent is told.
ALLEGATIONS = "It is alleged that on 3 March you held the arm of a staff member during an argument."
FINDINGS = "Two witnesses describe the arm being held; the steward heard raised voices."
DECISION_REASONS = "The witnesses are consistent and independent of each other."
RESPONDENT_EMAIL = "m.ashdown@example.org"


@dataclass
class Journey:
    case: Case
    code: str
    complainant: Client
    people: dict[AssignmentRole, User]
    respondent: Person

    @property
    def caseworker(self) -> User:
        return self.people[AssignmentRole.CASEWORKER]

    @property
    def investigator(self) -> User:
        return self.people[AssignmentRole.INVESTIGATOR]

    @property
    def maker(self) -> User:
        return self.people[AssignmentRole.DECISION_MAKER]

    @property
    def panel(self) -> User:
        return self.people[AssignmentRole.APPEALS_PANEL]

    def refresh(self) -> Case:
        self.case.refresh_from_db()
        return self.case

    def move(self, *stages: Stage) -> Case:
        for stage in stages:
            actor = {
                Stage.FINDINGS: self.investigator,
                Stage.DECISION: self.maker,
                Stage.APPEAL_WINDOW: self.maker,
            }.get(stage, self.caseworker)
            extra = (
                {"decision": Decision.UPHELD, "sanction": Sanction.TRAINING}
                if stage == Stage.DECISION
                else {}
            )
            reasons = DECISION_REASONS if stage == Stage.DECISION else f"On to {stage.label}."
            actions.transition(self.refresh(), stage, actor=actor, reasons=reasons, **extra)
        return self.refresh()

    def to_investigation(self) -> Case:
        return self.move(Stage.ACKNOWLEDGED, Stage.ASSESSED, Stage.INVESTIGATION)

    def write_allegations(self) -> None:
        actions.add_record(self.case, RecordKind.ALLEGATIONS, ALLEGATIONS, actor=self.caseworker)

    def notify(self) -> str:
        """The respondent's emailed link's secret."""
        return actions.notify_respondent(self.refresh(), actor=self.caseworker)

    def write_findings(self) -> None:
        actions.add_record(self.case, RecordKind.FINDINGS, FINDINGS, actor=self.investigator)

    def to_appeal_window(self) -> Case:
        self.write_findings()
        return self.move(Stage.FINDINGS, Stage.DECISION, Stage.APPEAL_WINDOW)

    def dismiss_appeal(self) -> Case:
        actions.assign(self.case, self.panel, AssignmentRole.APPEALS_PANEL, actor="system:test")
        actions.decide_appeal(
            self.refresh(),
            actor=self.panel,
            outcome=AppealOutcome.DISMISSED,
            reasons="No new evidence; the decision stands.",
        )
        return self.refresh()

    def internal_file(self) -> None:
        """What only handlers see: an interview note, an evidence note, a message each way."""
        actions.add_record(self.case, RecordKind.INTERVIEW, INTERNAL_NOTE, actor=self.investigator)
        actions.add_record(
            self.case, RecordKind.EVIDENCE_NOTE, EVIDENCE_NOTE, actor=self.caseworker
        )
        actions.send_message_to_complainant(self.case, CASEWORKER_MESSAGE, actor=self.caseworker)


def respondent_person() -> Person:
    return Person.objects.create(
        identifier="M-0417",
        name="Marcus Ashdown",
        kind=PersonKind.MEMBER,
        role_title="Member for Eastleigh Vale",
        email=RESPONDENT_EMAIL,
    )


def check_in(code: str) -> Client:
    """A complainant's browser, opened on their report with the receipt code."""
    client = Client()
    response = client.post("/check", {"code": code})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def reported(*, with_team: bool = True) -> Journey:
    """A confidential complaint about a directory member, with evidence and a message."""
    respondent = respondent_person()
    complainant = Client()
    fill_report(
        complainant,
        **{
            "what-happened": {"what_happened": NARRATIVE},
            "who": {"respondent_id": respondent.identifier},
            "where": {"where": WHERE},
            "impact": {"impact": IMPACT},
            "outcome": {"outcome": OUTCOME},
            "identity": {"identity": "confidential"},
            "contact": {"contact_name": NAME, "contact_email": EMAIL, "contact_phone": PHONE},
        },
    )
    complainant.post("/report/submit")
    code = receipt_on(complainant.get("/report/sent").content.decode())
    case = Case.objects.get()
    assert case.respondent == respondent
    complainant = check_in(code)
    upload = SimpleUploadedFile(EVIDENCE_NAME, b"3 March: arm held in the tearoom.\n")
    response = complainant.post("/check/report", {"upload": "1", "file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    response = complainant.post("/check/report", {"send": "1", "body": COMPLAINANT_MESSAGE})
    assert response.status_code == 302
    assert Message.objects.filter(case=case, direction=Direction.FROM_COMPLAINANT).exists()
    people = team() if with_team else {}
    for role, user in people.items():
        if role != AssignmentRole.APPEALS_PANEL:  # the panel comes in only for an appeal
            actions.assign(case, user, role, actor="system:test")
    return Journey(case, code, complainant, people, respondent)


def open_link(token: str) -> Client:
    """The respondent's browser after following the emailed link."""
    client = Client()
    response = client.get(f"/respond/open/{token}")
    assert response.status_code == 302, response.content.decode()[:500]
    assert response.headers["Location"] == "/respond/"
    return client


def link_in(body: str) -> str:
    match = re.search(r"/respond/open/\S+", body)
    assert match, body
    return match.group(0)
