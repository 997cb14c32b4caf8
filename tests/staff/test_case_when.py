"""The case page shows the complainant's answer to "When did it happen?", in English and Welsh."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client

from redress.accounts.models import Role
from redress.cases import actions
from redress.cases.models import AssignmentRole, Case, Category, Identity
from redress.intake.actions import _details
from tests.factories import make_staff, sign_in

pytestmark = pytest.mark.django_db


def _case(answers: dict[str, Any]) -> Case:
    # The details exactly as the report wizard stores them on submission.
    return actions.receive(
        category=Category.BULLYING,
        identity=Identity.NAMED,
        narrative="It kept happening.",
        details=_details(answers),
    )


def _when_on_page(client: Client, case: Case) -> str | None:
    worker = make_staff("ffion", Role.CASEWORKER)
    actions.assign(case, worker, AssignmentRole.CASEWORKER, actor="system:test")
    sign_in(client, worker)
    response = client.get(f"/staff/cases/{case.reference}")
    assert response.status_code == 200
    found = re.search(r'id="case-when">(.*?)</dd>', response.content.decode(), re.S)
    return html.unescape(found.group(1)) if found else None


@pytest.mark.parametrize(
    ("answers", "shown"),
    [
        ({"when_kind": "date", "when_date": "2026-03-03"}, "On 3 March 2026"),
        (
            {"when_kind": "period", "when_period": "Every week since the autumn"},
            "Over a period: Every week since the autumn",
        ),
        ({"when_kind": "not_sure"}, "Not sure"),
    ],
)
def test_each_kind_of_answer_shows_on_the_case_page(
    client: Client, answers: dict[str, Any], shown: str
) -> None:
    assert _when_on_page(client, _case(answers)) == shown


@pytest.mark.parametrize(
    ("answers", "shown"),
    [
        ({"when_kind": "date", "when_date": "2026-03-03"}, "Ar 3 Mawrth 2026"),
        (
            {"when_kind": "period", "when_period": "Bob wythnos"},
            "Dros gyfnod: Bob wythnos",
        ),
        ({"when_kind": "not_sure"}, "Ddim yn siŵr"),
    ],
)
def test_each_kind_of_answer_shows_in_welsh(
    client: Client, answers: dict[str, Any], shown: str
) -> None:
    client.get("/language/cy?next=/")
    assert _when_on_page(client, _case(answers)) == shown


def test_the_period_is_shown_as_text_not_markup(client: Client) -> None:
    case = _case({"when_kind": "period", "when_period": "<b>March</b>"})
    worker = make_staff("ffion", Role.CASEWORKER)
    actions.assign(case, worker, AssignmentRole.CASEWORKER, actor="system:test")
    sign_in(client, worker)
    page = client.get(f"/staff/cases/{case.reference}").content.decode()
    assert "Over a period: &lt;b&gt;March&lt;/b&gt;" in page


def test_no_answer_shows_no_row(client: Client) -> None:
    assert _when_on_page(client, _case({"where": "The tea room"})) is None


def test_the_support_answer_is_shown_in_words(client: Client) -> None:
    case = _case({"when_kind": "not_sure", "support": "yes"})
    worker = make_staff("ffion", Role.CASEWORKER)
    actions.assign(case, worker, AssignmentRole.CASEWORKER, actor="system:test")
    sign_in(client, worker)
    page = client.get(f"/staff/cases/{case.reference}").content.decode()
    assert re.search(r"Support wanted</dt><dd[^>]*>Yes</dd>", page)
