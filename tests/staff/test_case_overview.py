"""The case overview and the acts' own pages: the task list offers exactly what the viewer may
do now, each act's page asks one thing, a refusal comes back on that page with what was typed,
a done act returns to the overview with a banner, and time left is counted in working days."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from redress.accounts.models import Role, User
from redress.cases import actions
from redress.cases.models import (
    AssignmentRole,
    Case,
    Category,
    Deadline,
    DeadlineKind,
    Identity,
    MeasureKind,
    RecordKind,
    Source,
    Stage,
)
from redress.directory.models import Person, PersonKind
from redress.ledger.models import Entry
from redress.staff import case_tasks
from tests.factories import make_staff, sign_in
from tests.respond.journey import reported

pytestmark = pytest.mark.django_db
SYSTEM = "system:test"


def _person() -> Person:
    return Person.objects.create(
        identifier="M-77",
        name="Morgan Member",
        kind=PersonKind.MEMBER,
        email="morgan@example.org",
    )


def _case(respondent: Person | None = None) -> Case:
    return actions.receive(
        category=Category.BULLYING,
        identity=Identity.NAMED,
        narrative="He shouted at me in three meetings.",
        respondent=respondent,
    )


def _handler(case: Case, role: AssignmentRole, name: str) -> tuple[Client, User]:
    user = make_staff(name, Role(str(role)))
    actions.assign(case, user, role, actor=SYSTEM)
    client = Client()
    sign_in(client, user)
    return client, user


def _tasks(page: str) -> list[str]:
    """The words of each link in the overview's task list."""
    found = re.search(r'<ul class="govuk-task-list".*?</ul>', page, re.S)
    if found is None:
        return []
    links = re.findall(r'govuk-task-list__link" href="[^"]*"[^>]*>([^<]*)</a>', found.group(0))
    return [html.unescape(link) for link in links]


def _to(case: Case, user: User, *stages: Stage) -> None:
    for stage in stages:
        actions.transition(case, stage, actor=user, reasons=f"On to {stage.label}.")
    case.refresh_from_db()


def test_a_caseworker_at_assessment_is_offered_only_what_would_succeed() -> None:
    case = _case(_person())
    client, caseworker = _handler(case, AssignmentRole.CASEWORKER, "cw")
    _to(case, caseworker, Stage.ACKNOWLEDGED, Stage.ASSESSED)
    tasks = _tasks(client.get(f"/staff/cases/{case.reference}").content.decode())
    for offered in (
        "Move the case to its next stage",
        "Send a message to the complainant",
        "Add a record to the case file",
        "Add evidence",
        "Record an interim measure",
        "Assign someone to the case",
        "Put the case on hold",
    ):
        assert offered in tasks
    # Notification would be refused before the investigation; the hold is not on yet.
    assert "Notify the respondent" not in tasks
    assert "End the hold" not in tasks
    with pytest.raises(actions.CaseError):
        actions.notify_respondent(case, actor=caseworker)


def test_an_investigator_is_offered_only_their_own_acts() -> None:
    case = _case(_person())
    _cw_client, caseworker = _handler(case, AssignmentRole.CASEWORKER, "cw")
    client, investigator = _handler(case, AssignmentRole.INVESTIGATOR, "inv")
    _to(case, caseworker, Stage.ACKNOWLEDGED, Stage.ASSESSED, Stage.INVESTIGATION)
    url = f"/staff/cases/{case.reference}"
    tasks = _tasks(client.get(url).content.decode())
    assert "Move the case to its next stage" in tasks  # to the findings
    assert "Ask to delay telling the respondent (risk exception)" in tasks
    for refused in ("Assign someone to the case", "Put the case on hold", "Notify the respondent"):
        assert refused not in tasks  # the last, until the allegations are written
    assert client.get(f"{url}/assign").status_code == 403
    assert client.get(f"{url}/hold").status_code == 403
    assert client.get(f"{url}/notify").status_code == 403
    actions.add_record(case, RecordKind.ALLEGATIONS, "It is alleged...", actor=investigator)
    assert "Notify the respondent" in _tasks(client.get(url).content.decode())
    assert client.get(f"{url}/notify").status_code == 200


def test_every_offered_act_has_its_own_page_with_a_way_back() -> None:
    case = _case(_person())
    client, caseworker = _handler(case, AssignmentRole.CASEWORKER, "cw")
    _handler(case, AssignmentRole.INVESTIGATOR, "inv")
    _to(case, caseworker, Stage.ACKNOWLEDGED, Stage.ASSESSED, Stage.INVESTIGATION)
    actions.record_measure(case, MeasureKind.NO_CONTACT, "No contact.", actor=caseworker)
    situation = case_tasks.situation(case, caseworker)
    offers = case_tasks.offers(situation)
    hrefs = [offer.href for offer in offers] + list(case_tasks.end_links(situation).values())
    assert len(hrefs) >= 10
    for href in hrefs:
        response = client.get(href)
        assert response.status_code == 200, href
        text = response.content.decode()
        assert f'href="/staff/cases/{case.reference}" class="govuk-back-link"' in text
        assert '<h1 class="govuk-heading-l">' in text
        assert "Cancel" in text


def test_a_refused_act_comes_back_on_its_own_page_with_what_was_typed() -> None:
    case = _case()
    client, caseworker = _handler(case, AssignmentRole.CASEWORKER, "cw")
    actions.put_on_hold(case, actor=caseworker, reason="Police enquiry.")
    response = client.post(
        f"/staff/cases/{case.reference}/hold", {"step": "hold", "reasons": "Typed with care."}
    )
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    assert "There is a problem" in text
    assert "The case is already on hold." in text
    assert "Typed with care." in text
    assert "Why are you putting the case on hold?" in text
    message = client.post(f"/staff/cases/{case.reference}/message", {"body": ""})
    assert message.status_code == 400
    assert "What do you want to tell the complainant?" in html.unescape(message.content.decode())


def test_a_done_act_returns_to_the_overview_with_a_success_banner() -> None:
    case = _case()
    client, _caseworker = _handler(case, AssignmentRole.CASEWORKER, "cw")
    url = f"/staff/cases/{case.reference}"
    assert client.get(f"{url}/message").status_code == 200
    response = client.post(f"{url}/message", {"body": "We are looking into it."}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    text = html.unescape(response.content.decode())
    assert "govuk-notification-banner--success" in text
    assert "Your message is on the complainant's channel." in text
    assert "We are looking into it." in text  # among the latest messages


def test_the_overview_says_what_happens_next_and_when() -> None:
    case = _case(_person())
    client, caseworker = _handler(case, AssignmentRole.CASEWORKER, "cw")
    _handler(case, AssignmentRole.INVESTIGATOR, "inv")
    _to(case, caseworker, Stage.ACKNOWLEDGED, Stage.ASSESSED, Stage.INVESTIGATION)
    page = html.unescape(client.get(f"/staff/cases/{case.reference}").content.decode())
    due = Deadline.objects.get(case=case, kind=DeadlineKind.INVESTIGATION).due_on
    assert "The investigator will send findings." in page
    assert f"Due {due.day} {due:%B %Y}" in page
    assert "working days left" in page


def test_with_nothing_to_do_the_overview_says_so() -> None:
    case = _case()
    client, _user = _handler(case, AssignmentRole.APPEALS_PANEL, "panel")
    actions.withdraw(case, "")  # nothing to tell a complainant who withdrew
    # A closed, withdrawn case: nothing is left to do.
    case.refresh_from_db()
    case.stage, case.decision, case.decision_reasons = Stage.CLOSED, "not_taken_forward", "Gone."
    case.save()
    page = html.unescape(client.get(f"/staff/cases/{case.reference}").content.decode())
    assert _tasks(page) == []
    assert "Nothing is waiting for you on this case." in page
    assert "The case is closed." in page


def test_time_left_is_counted_in_working_days_with_the_holidays() -> None:
    christmas_eve, after_new_year = dt.date(2026, 12, 24), dt.date(2027, 1, 4)
    # 11 calendar days apart; the working days between are 29, 30, 31 December and 4 January.
    with time_machine.travel(dt.datetime(2026, 12, 24, 9, 0, tzinfo=dt.UTC)):
        case = _case()
        client, _user = _handler(case, AssignmentRole.CASEWORKER, "cw")
        Deadline.objects.filter(case=case, kind=DeadlineKind.ASSESS).update(due_on=after_new_year)
        page = client.get(f"/staff/cases/{case.reference}").content.decode()
        assert "4 working days left" in page
    Deadline.objects.filter(case=case, kind=DeadlineKind.ASSESS).update(due_on=christmas_eve)
    with time_machine.travel(dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC)):
        client = Client()
        sign_in(client, _user)
        page = client.get(f"/staff/cases/{case.reference}").content.decode()
    assert "4 working days overdue" in page


def test_roles_are_named_in_words() -> None:
    case = _case()
    client, _caseworker = _handler(case, AssignmentRole.CASEWORKER, "cw")
    _handler(case, AssignmentRole.APPEALS_PANEL, "panel")
    page = client.get(f"/staff/cases/{case.reference}").content.decode()
    assert "Appeals panel" in page
    assert "appeals_panel" not in page.replace("?role=appeals_panel", "")
    assert "End the assignment" in page


def test_the_assign_page_can_come_with_the_role_chosen() -> None:
    case = _case()
    client, _caseworker = _handler(case, AssignmentRole.CASEWORKER, "cw")
    page = client.get(f"/staff/cases/{case.reference}/assign?role=appeals_panel").content.decode()
    assert re.search(r'value="appeals_panel" checked', page)


def test_the_sections_have_their_own_pages_and_reading_them_is_ledgered() -> None:
    case = _case()
    client, caseworker = _handler(case, AssignmentRole.CASEWORKER, "cw")
    for number in range(5):
        actions.send_message_to_complainant(case, f"Update {number}.", actor=caseworker)
    url = f"/staff/cases/{case.reference}"
    overview = client.get(url).content.decode()
    assert "Update 4." in overview
    assert "Update 0." not in overview
    assert "See all 5 messages" in overview
    before = Entry.objects.filter(action="case.viewed").count()
    every = client.get(f"{url}/messages").content.decode()
    assert all(f"Update {n}." in every for n in range(5))
    assert Entry.objects.filter(action="case.viewed").count() == before + 1
    for path in ("/file", "/evidence/all", "/history"):
        assert client.get(url + path).status_code == 200


def test_the_decision_and_the_appeal_are_offered_to_whom_they_fall() -> None:
    journey = reported()
    journey.to_investigation()
    journey.write_findings()
    journey.move(Stage.FINDINGS)

    def offered(user: User) -> dict[str, str]:
        situation = case_tasks.situation(journey.refresh(), user)
        return {offer.title: offer.href for offer in case_tasks.offers(situation)}

    ref = journey.case.reference
    assert offered(journey.maker)["Record the decision"] == f"/staff/cases/{ref}/decision"
    assert "Record the decision" not in offered(journey.caseworker)
    assert "Move the case to its next stage" not in offered(journey.maker)  # it decides
    journey.move(Stage.DECISION, Stage.APPEAL_WINDOW)
    actions.lodge_appeal(journey.refresh(), "The witnesses are my rivals.", by=Source.RESPONDENT)
    tasks = offered(journey.caseworker)
    assert tasks["Assign the appeals panel"] == f"/staff/cases/{ref}/assign?role=appeals_panel"
    assert "Move the case to its next stage" not in tasks  # the appeal's outcome closes it
    actions.assign(journey.case, journey.panel, AssignmentRole.APPEALS_PANEL, actor=SYSTEM)
    assert "Assign the appeals panel" not in offered(journey.caseworker)
    panel = offered(journey.panel)
    assert panel["Decide the appeal"] == f"/staff/cases/{ref}/appeal"
    assert "Move the case to its next stage" not in panel


def test_an_act_page_opens_exactly_when_the_overview_offers_it() -> None:
    case = _case(_person())
    cw_client, caseworker = _handler(case, AssignmentRole.CASEWORKER, "cw")
    inv_client, investigator = _handler(case, AssignmentRole.INVESTIGATOR, "inv")
    # The decision pages guard themselves; the appeals panel's assignment is the assign page.
    skip = ("decide", "appeal", "appeals-panel")
    own = [t for t in case_tasks.TASKS if not t.per and t.name not in skip]
    for stage in (Stage.ACKNOWLEDGED, Stage.ASSESSED, Stage.INVESTIGATION):
        _to(case, caseworker, stage)
        for client, user in ((cw_client, caseworker), (inv_client, investigator)):
            situation = case_tasks.situation(case, user)
            offered = {offer.name for offer in case_tasks.offers(situation)}
            for task in own:
                status = client.get(f"/staff/cases/{case.reference}/{_path(task)}").status_code
                assert (status == 200) == (task.name in offered), (stage, user, task.name)


def _path(task: case_tasks.Task) -> str:
    return reverse(task.url, args=["R"])[len("/staff/cases/R/") :] + task.query
