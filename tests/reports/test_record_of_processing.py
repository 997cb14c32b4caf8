"""The record of processing: built from the settings in force, for the data protection officer
and oversight only."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from redress.accounts.models import Role
from redress.accounts.roles import HANDLING_ROLES
from redress.reports.processing import build
from tests.factories import make_staff, sign_in

pytestmark = pytest.mark.django_db

CATEGORIES = [
    "Complainant identity and contact details (sealed)",
    "What happened, and evidence (sealed)",
    "Respondent directory entries: name, role, party, office, email",
    "Staff accounts: name, email, roles, sign-in factors",
    "Escrow entries: sealed report and contact, readable only on a match",
    "Vetting checks: who asked, why, and the answer given",
    "Ledger entries: who, what, when, a digest; never content",
]


def _client(*roles: Role) -> Client:
    client = Client()
    sign_in(client, make_staff("dpo-" + "-".join(str(r) for r in roles), *roles))
    return client


def test_the_page_lists_each_category_purpose_and_where_data_is_kept() -> None:
    page = _client(Role.DATA_PROTECTION_OFFICER).get("/staff/record-of-processing")
    assert page.status_code == 200
    text = page.content.decode()
    for category in CATEGORIES:
        assert category in text
    for heading in ["Lawful basis", "Recipients", "Database", "Data folder", "How long it is kept"]:
        assert heading in text
    # Where each activity's data lives is read from the models, not written by hand.
    assert "<code>cases_case</code>" in text
    assert "<code>register_registerentry</code>" in text
    assert "Each case is encrypted at rest under its own key" in text
    assert "Record of processing" in _client(Role.OVERSIGHT).get("/staff/").content.decode()


def test_retention_figures_follow_the_settings(settings: Any) -> None:
    client = _client(Role.DATA_PROTECTION_OFFICER)
    before = client.get("/staff/record-of-processing").content.decode()
    assert "10 years" in before  # sexual misconduct on the register, by default
    assert "15 minutes" in before  # idle sessions
    assert "4 hours" in before  # unsent drafts
    settings.REGISTER_RETENTION = {"sexual_misconduct": 12}
    settings.IDLE_TIMEOUT_SECONDS = 1800
    settings.BACKUP_RETENTION_DAYS = 35
    after = client.get("/staff/record-of-processing").content.decode()
    assert "12 years" in after
    assert "10 years" not in after
    assert "30 minutes" in after
    assert "15 minutes" not in after
    assert "35 days" in after
    settings.LEDGER_SIGNING_KEY = ""
    assert "no signing key is set" in client.get("/staff/record-of-processing").content.decode()


def test_the_case_schedule_follows_the_retention_setting(settings: Any) -> None:
    def row(outcome: str) -> str:
        rows = dict(next(a for a in build().activities if a.key == "complaints").retention)
        return rows[f"Closed cases: {outcome}"]

    assert row("Not taken forward") == "Content shredded 2 years after closure"
    assert row("Upheld") == "Content shredded when the register's entry expires"
    settings.RETENTION_SCHEDULE = {"not_taken_forward": 4, "not_upheld": {"bullying": 1}}
    assert row("Not taken forward") == "Content shredded 4 years after closure"
    assert "Bullying: 1 year" in row("Not upheld")
    assert "Sexual misconduct: 6 years" in row("Not upheld")


def test_lawful_basis_and_recipients_are_configurable(settings: Any) -> None:
    assert "UK GDPR Art. 6(1)" in build().lawful_basis
    settings.PROCESSING_LAWFUL_BASIS = "Legal obligation under the scheme's constitution"
    settings.PROCESSING_RECIPIENTS = ["The Standards Commissioner", "Police Scotland"]
    text = _client(Role.OVERSIGHT).get("/staff/record-of-processing").content.decode()
    assert "Legal obligation under the scheme&#x27;s constitution" in text
    assert "The Standards Commissioner" in text
    assert "Police Scotland" in text


def test_the_csv_has_one_row_per_fact() -> None:
    response = _client(Role.DATA_PROTECTION_OFFICER).get("/staff/record-of-processing.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Activity", "Heading", "Value"]
    assert {row[2] for row in rows if row[1] == "Category of data"} >= set(CATEGORIES)


@pytest.mark.parametrize(
    "role", [r for r in Role if r not in {Role.DATA_PROTECTION_OFFICER, Role.OVERSIGHT}]
)
def test_only_the_data_protection_officer_and_oversight_may_open_it(role: Role) -> None:
    client = _client(role)
    assert client.get("/staff/record-of-processing").status_code == 403
    assert client.get("/staff/record-of-processing.csv").status_code == 403
    assert "Record of processing" not in client.get("/staff/").content.decode()


def test_the_data_protection_officer_is_not_a_handling_role() -> None:
    assert Role.DATA_PROTECTION_OFFICER not in HANDLING_ROLES


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    assert Client().get("/staff/record-of-processing").status_code == 302


def test_the_page_is_in_welsh() -> None:
    client = _client(Role.DATA_PROTECTION_OFFICER)
    client.get("/language/cy?next=/")
    text = client.get("/staff/record-of-processing").content.decode()
    assert "Cofnod prosesu" in text


def test_data_protection_requests_are_an_activity_of_their_own() -> None:
    """Answering subject access, erasure and rectification requests is itself processing: the
    record says what it holds, why, for how long, who receives it, and in which tables."""
    activity = next(a for a in build().activities if a.key == "data-requests")
    assert "UK GDPR Arts. 15 to 17" in activity.purpose
    assert any("how their identity was checked" in c for c in activity.categories)
    assert any("what was removed and why" in c for c in activity.categories)
    retention = dict(activity.retention)
    assert retention["Links to released answers"] == "14 days"
    assert "No automatic expiry" in retention["Requests, what they found and their answers"]
    assert activity.recipients[0] == "The person who asked, through a link that works once"
    assert {"subjectaccess_datarequest", "subjectaccess_finding"} <= set(activity.tables)
    page = _client(Role.DATA_PROTECTION_OFFICER).get("/staff/record-of-processing")
    text = page.content.decode()
    assert "Subject access, erasure and rectification requests" in text
    assert "<code>subjectaccess_redaction</code>" in text
    rows = list(
        csv.reader(
            io.StringIO(
                _client(Role.OVERSIGHT).get("/staff/record-of-processing.csv").content.decode()
            )
        )
    )
    assert [
        "Subject access, erasure and rectification requests",
        "Category of data",
        "The answer released to them, as PDF and JSON (sealed)",
    ] in rows
