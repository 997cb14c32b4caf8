"""Vetting against the sanctions register (issue 6): an upheld complaint shows in a later
check; after expiry it does not; an open investigation shows its stage and nothing of its
content; officers see only their own checks; heavy use is flagged; the API answers with clear
errors. The register's own tests are in tests/register."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client

from redress.accounts import tokens
from redress.accounts.models import Role, Scope
from redress.cases import actions
from redress.cases.models import Case, Category, Identity, Stage
from redress.directory.models import Person
from redress.ledger.models import Entry
from redress.register.actions import live_findings
from redress.vetting.actions import run_check
from redress.vetting.models import VettingCheck
from tests.factories import make_staff, sign_in
from tests.register.helpers import SECRET, make_member, upheld_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def member() -> Person:
    return make_member()


def test_an_upheld_complaint_shows_in_a_later_check_until_it_expires(member: Person) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)):
        upheld_case(member)
    officer = make_staff("vet", Role.VETTING_OFFICER, totp=False, password=None)
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)):
        check = run_check(
            subject=member,
            purpose="Appointment as minister",
            requesting_body="Cabinet Office",
            actor=officer,
        )
    assert [f["sanction"] for f in check.result["findings"]] == ["suspension"]
    assert check.result["findings"][0]["category"] == "harassment"
    assert SECRET not in str(check.result)
    assert Entry.objects.filter(action="vetting.checked", digest=check.result_digest).exists()
    # Harassment stays on the register for 7 years by default.
    assert live_findings(member, dt.date(2033, 3, 1))
    assert live_findings(member, dt.date(2033, 3, 3)) == []


def test_an_open_investigation_shows_its_stage_and_nothing_else(member: Person) -> None:
    case = actions.receive(
        category=Category.BULLYING, identity=Identity.ANONYMOUS, narrative=SECRET, respondent=member
    )
    Case.objects.filter(pk=case.pk).update(stage=Stage.INVESTIGATION)
    officer = make_staff("vet", Role.VETTING_OFFICER)
    client = Client()
    sign_in(client, officer)
    response = client.post(
        "/staff/vetting/new",
        {
            "subject": "M-42",
            "purpose": "Appointment",
            "requesting_body": "Clerk",
            "search": "Rowan",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "1 open investigation past its assessment (1 at investigation)" in page
    assert SECRET not in page
    assert case.reference not in page


def test_officers_see_only_their_own_checks_and_others_are_refused(member: Person) -> None:
    first = make_staff("vet1", Role.VETTING_OFFICER)
    second = make_staff("vet2", Role.VETTING_OFFICER)
    check = run_check(subject=member, purpose="x", requesting_body="y", actor=first)
    client = Client()
    sign_in(client, second)
    assert client.get(f"/staff/vetting/{check.pk}").status_code == 403
    assert member.name not in client.get("/staff/vetting").content.decode()
    nosy = Client()
    sign_in(nosy, make_staff("cw", Role.CASEWORKER))
    assert nosy.get("/staff/vetting/new").status_code == 403
    owner = Client()
    sign_in(owner, first)
    assert owner.get(f"/staff/vetting/{check.pk}").status_code == 200


def test_bad_input_keeps_what_was_typed(member: Person) -> None:
    client = Client()
    sign_in(client, make_staff("vet", Role.VETTING_OFFICER))
    response = client.post(
        "/staff/vetting/new", {"purpose": "For the board", "requesting_body": ""}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Search for the person, then choose them" in text
    assert "For the board" in text
    assert VettingCheck.objects.count() == 0


def test_heavy_use_is_flagged_and_the_subject_is_told(
    member: Person, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    settings.VETTING_DAILY_LIMIT = 2
    officer = make_staff("vet", Role.VETTING_OFFICER, totp=False, password=None)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        checks = [
            run_check(subject=member, purpose="p", requesting_body="b", actor=officer)
            for _ in range(3)
        ]
    assert [c.flagged for c in checks] == [False, False, True]
    assert Entry.objects.filter(action="vetting.flagged").count() == 1
    assert mail.outbox[0].to == ["rowan@example.org"]
    assert SECRET not in mail.outbox[0].body


def test_the_api_answers_and_refuses_clearly(member: Person) -> None:
    admin = make_staff("admin", Role.ADMINISTRATOR, totp=False, password=None)
    vetting = tokens.issue(name="appointments", scopes=[Scope.VETTING], actor=admin).secret
    other = tokens.issue(name="other", scopes=[Scope.VETTING], actor=admin).secret
    stats = tokens.issue(name="stats", scopes=[Scope.STATISTICS], actor=admin).secret
    client = Client()
    auth = {"Authorization": f"Bearer {vetting}"}
    body = {"subject": "M-42", "purpose": "Board seat", "requesting_body": "Arts Council"}
    made = client.post("/api/vetting-checks", body, content_type="application/json", headers=auth)
    assert made.status_code == 201
    assert made.json()["nothing_recorded"] is True
    check_id = made.json()["id"]
    assert client.get(f"/api/vetting-checks/{check_id}", headers=auth).status_code == 200
    assert (
        client.get(
            f"/api/vetting-checks/{check_id}", headers={"Authorization": f"Bearer {other}"}
        ).status_code
        == 404
    )
    unknown = client.post(
        "/api/vetting-checks",
        {**body, "subject": "M-0"},
        content_type="application/json",
        headers=auth,
    )
    assert unknown.status_code == 404
    assert "identifier" in unknown.json()["detail"]
    no_purpose = client.post(
        "/api/vetting-checks",
        {**body, "purpose": " "},
        content_type="application/json",
        headers=auth,
    )
    assert no_purpose.status_code == 422
    assert "what the check is for" in no_purpose.json()["detail"]
    wrong_scope = client.post(
        "/api/vetting-checks",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {stats}"},
    )
    assert wrong_scope.status_code == 403
