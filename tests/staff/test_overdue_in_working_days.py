"""How late an item is, wherever staff or an integration read it, is counted in working days.

A report received on Thursday 1 October 2026 (England) is due to be acknowledged on Thursday
8 October. On Monday 26 October that is 18 calendar days late but 12 working days, and the
assessment due on Thursday 22 October is 2 working days late.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from redress.accounts import tokens
from redress.accounts.models import Role, Scope
from redress.cases import actions
from redress.cases.models import AssignmentRole, Case, Category, Identity
from redress.cases.sweep import sweep
from tests.factories import make_staff, sign_in

pytestmark = pytest.mark.django_db

RECEIVED = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)
SEEN = dt.datetime(2026, 10, 26, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def late_case(settings: Any) -> Case:
    settings.NATION = "england"
    with time_machine.travel(RECEIVED):
        case = actions.receive(category=Category.OTHER, identity=Identity.ANONYMOUS, narrative="x")
    return case


def test_oversight_counts_escalated_items_in_working_days(late_case: Case) -> None:
    with time_machine.travel(SEEN):
        sweep()
        client = Client()
        sign_in(client, make_staff("watcher", Role.OVERSIGHT))
        text = client.get("/staff/oversight").content.decode()
    escalated = text[text.index("Working days overdue") :]
    assert late_case.reference in escalated
    assert 'numeric">12</td>' in escalated
    assert 'numeric">18</td>' not in escalated


def test_the_queue_and_home_say_how_many_working_days_late(late_case: Case) -> None:
    worker = make_staff("cw", Role.CASEWORKER)
    actions.assign(late_case, worker, AssignmentRole.CASEWORKER, actor="system:test")
    with time_machine.travel(SEEN):
        sweep()
        client = Client()
        sign_in(client, worker)
        queue = client.get("/staff/cases").content.decode()
        home = client.get("/staff/").content.decode()
    assert "12 working days overdue" in queue
    assert "18 working days" not in queue
    assert "12 working days overdue" in home
    assert "2 working days overdue" in home


def test_the_api_counts_working_days_left(late_case: Case) -> None:
    worker = make_staff("cw", Role.CASEWORKER, totp=False, password=None)
    actions.assign(late_case, worker, AssignmentRole.CASEWORKER, actor="system:test")
    secret = tokens.issue(name="cms", scopes=[Scope.CASES_READ], actor=worker).secret
    headers = {"Authorization": f"Bearer {secret}"}
    with time_machine.travel(SEEN):
        client = Client()
        row = client.get("/api/cases", headers=headers).json()[0]
        detail = client.get(f"/api/cases/{late_case.reference}", headers=headers).json()
    assert row["working_days_left"] == -12
    assert {d["kind"]: d["working_days_left"] for d in detail["deadlines"]} == {
        "acknowledge": -12,
        "assess": -2,
    }


def test_an_item_on_a_held_case_is_paused_not_counting(late_case: Case) -> None:
    worker = make_staff("cw", Role.CASEWORKER)
    actions.assign(late_case, worker, AssignmentRole.CASEWORKER, actor="system:test")
    with time_machine.travel(SEEN):
        sweep()
        actions.put_on_hold(late_case, actor=worker, reason="A police investigation")
    with time_machine.travel(SEEN + dt.timedelta(days=14)):
        client = Client()
        sign_in(client, worker)
        home = client.get("/staff/").content.decode()
    assert "Paused" in home
    assert "working days overdue" not in home
