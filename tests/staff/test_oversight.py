"""Oversight's dashboard: overdue items by stage and owner, escalations, the ledger's last
verification; never the content of a case or the names of the people in it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from redress.accounts.models import Role
from redress.cases import actions
from redress.cases.models import AssignmentRole, Category, Identity
from redress.cases.sweep import sweep
from redress.directory.models import Person, PersonKind
from redress.ledger.models import Verification
from redress.vetting.actions import run_check
from tests.factories import make_staff, sign_in

pytestmark = pytest.mark.django_db
SECRET = "A narrative oversight must never see"


def test_the_dashboard_counts_without_content(capsys: pytest.CaptureFixture[str]) -> None:
    respondent = Person.objects.create(
        identifier="M-1", name="Quill Respondent", kind=PersonKind.MEMBER
    )
    caseworker = make_staff("ffion", Role.CASEWORKER, totp=False, password=None)
    caseworker.display_name = "Ffion Caseworker"
    caseworker.save()
    with time_machine.travel(dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)):
        case = actions.receive(
            category=Category.BULLYING,
            identity=Identity.NAMED,
            narrative=SECRET,
            respondent=respondent,
        )
        actions.assign(case, caseworker, AssignmentRole.CASEWORKER, actor="system:test")
    sweep()
    call_command("ledger", "verify")
    assert Verification.objects.get().ok
    client = Client()
    sign_in(client, make_staff("watcher", Role.OVERSIGHT))
    page = client.get("/staff/oversight")
    assert page.status_code == 200
    text = page.content.decode()
    assert SECRET not in text
    assert "Quill Respondent" not in text
    assert case.reference in text  # escalated items are named by reference only
    assert "Ffion Caseworker" in text  # who owns the overdue items
    assert "intact" in text
    other = Client()
    sign_in(other, make_staff("admin", Role.ADMINISTRATOR))
    assert other.get("/staff/oversight").status_code == 403


def test_heavy_vetting_reaches_oversight_without_whom_or_why(settings: Any) -> None:
    settings.VETTING_DAILY_LIMIT = 2
    subject = Person.objects.create(identifier="M-7", name="Sorrel Subject", kind=PersonKind.MEMBER)
    heavy = make_staff("heavy", Role.VETTING_OFFICER, totp=False, password=None)
    heavy.display_name = "Hollis Heavy"
    heavy.save()
    ordinary = make_staff("ordinary", Role.VETTING_OFFICER, totp=False, password=None)
    ordinary.display_name = "Orla Ordinary"
    ordinary.save()
    for _ in range(3):
        run_check(subject=subject, purpose=SECRET, requesting_body="Arts Council", actor=heavy)
    run_check(subject=subject, purpose=SECRET, requesting_body="Party", actor=ordinary)

    client = Client()
    sign_in(client, make_staff("watcher", Role.OVERSIGHT))
    page = client.get("/staff/oversight")
    assert page.status_code == 200
    text = page.content.decode()
    section = text[text.index('id="heavy-vetting"') :]
    assert "Hollis Heavy" in section
    assert "Arts Council" in section
    assert "Orla Ordinary" not in section
    assert "Party" not in section
    assert "Sorrel Subject" not in text
    assert "M-7" not in text
    assert SECRET not in text

    for role in (Role.VETTING_OFFICER, Role.CASEWORKER, Role.ADMINISTRATOR):
        other = Client()
        sign_in(other, make_staff(f"other-{role}", role))
        assert other.get("/staff/oversight").status_code == 403
