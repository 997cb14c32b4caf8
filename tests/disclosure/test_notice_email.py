"""A complainant who opted in to email updates hears of a disclosure notice by the same email
as any other update: that there is news, never who their identity goes to."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from redress.accounts.models import Role
from redress.cases import actions as case_actions
from redress.cases.models import AssignmentRole, Case
from redress.disclosure import actions
from tests.cases.helpers import team
from tests.disclosure.helpers import PURPOSE, RECIPIENT
from tests.factories import make_staff
from tests.intake.test_contact import EMAIL, link_in, report_with_email

pytestmark = pytest.mark.django_db


def test_the_notice_sends_the_content_free_update_email(
    client: Client, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    report_with_email(client, django_capture_on_commit_callbacks)
    Client().get(link_in(mailoutbox[0]))  # the address is confirmed
    case = Case.objects.get()
    people = team()
    for role in (AssignmentRole.CASEWORKER, AssignmentRole.DECISION_MAKER):
        case_actions.assign(case, people[role], role, actor="system:test")
    asked = actions.ask(
        case,
        by=people[AssignmentRole.CASEWORKER],
        scope="outside",
        reason="A statement.",
        recipient=RECIPIENT,
        purpose=PURPOSE,
    )
    officer = make_staff("dpo", Role.DATA_PROTECTION_OFFICER, password=None)
    actions.decide(asked, by=officer, approve=True, reason="Needed.")
    sent = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        actions.notify(asked, by=people[AssignmentRole.CASEWORKER])
    assert len(mailoutbox) == sent + 1
    email = mailoutbox[-1]
    assert email.to == [EMAIL]
    assert "There is an update on your report" in email.subject
    assert RECIPIENT not in email.body
    assert PURPOSE not in email.body
