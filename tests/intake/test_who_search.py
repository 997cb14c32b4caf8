"""The respondent search in the wizard is posted: the name searched for never goes into an
address (browser history, server logs), and it still works without JavaScript."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from redress.directory.models import Person, PersonKind
from redress.intake.actions import answers_of
from redress.intake.models import Draft
from tests.intake.helpers import fill_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> None:
    Person.objects.create(identifier="M-1", name="Morgan Member", kind=PersonKind.MEMBER)
    Person.objects.create(identifier="M-2", name="Sasha Smith", kind=PersonKind.MEMBER)


def addresses(page: str) -> list[str]:
    """Every address the page could send the browser to: links and form actions."""
    return [html.unescape(a) for a in re.findall(r'(?:href|action)="([^"]*)"', page)]


def forms_of(page: str) -> list[str]:
    return re.findall(r"<form\b[^>]*>", page)


def test_the_search_is_a_post_and_no_address_carries_the_name(client: Client, people) -> None:  # type: ignore[no-untyped-def]
    client.get("/report/start")
    page = client.get("/report/who").content.decode()
    assert not [form for form in forms_of(page) if 'method="get"' in form]
    assert 'name="q"' in page
    response = client.post("/report/who", {"q": "Smith", "search": "1"})
    assert response.status_code == 200  # a search is not an answer: no redirect
    page = response.content.decode()
    assert "Sasha Smith" in page
    assert "Morgan Member" not in page
    assert 'value="Smith"' in page  # the search box keeps what was typed
    assert not [a for a in addresses(page) if "Smith" in a or "q=" in a]
    assert "respondent_id" not in answers_of(Draft.objects.get())  # nothing saved yet


def test_a_search_keeps_the_chosen_person_and_the_description(client: Client, people) -> None:  # type: ignore[no-untyped-def]
    client.get("/report/start")
    page = client.post(
        "/report/who",
        {"q": "Nobody Here", "search": "1", "respondent_id": "M-1", "respondent_description": ""},
    ).content.decode()
    assert "Morgan Member" in page  # the chosen person stays listed, and chosen
    assert re.search(r'value="M-1" checked', page)
    page = client.post(
        "/report/who",
        {
            "q": "Smith",
            "search": "1",
            "respondent_id": "not-listed",
            "respondent_description": "A clerk",
        },
    ).content.decode()
    assert re.search(r'value="not-listed" checked', page)
    assert "A clerk</textarea>" in page
    assert "There is a problem" not in page  # not checked until Continue


def test_choosing_from_the_results_answers_the_step(client: Client, people) -> None:  # type: ignore[no-untyped-def]
    client.get("/report/start")
    client.post("/report/who", {"q": "Smith", "search": "1"})
    response = client.post("/report/who", {"q": "Smith", "respondent_id": "M-2"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/report/when"
    assert answers_of(Draft.objects.get())["respondent_id"] == "M-2"


def test_a_refused_answer_keeps_the_results(client: Client, people) -> None:  # type: ignore[no-untyped-def]
    client.get("/report/start")
    response = client.post("/report/who", {"q": "Smith", "respondent_id": "M-404"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a person from the list" in page
    assert "Sasha Smith" in page


def test_searching_while_changing_an_answer_goes_back_to_check_your_answers(
    client: Client,
    people,  # type: ignore[no-untyped-def]
) -> None:
    fill_report(client)
    page = client.post("/report/who?change=1", {"q": "Morgan", "search": "1"}).content.decode()
    assert "Morgan Member" in page
    assert 'action="/report/who?change=1"' in page
    assert 'href="/report/check-answers"' in page  # the back link
    response = client.post("/report/who?change=1", {"q": "Morgan", "respondent_id": "M-1"})
    assert response.headers["Location"] == "/report/check-answers"
    assert answers_of(Draft.objects.get())["respondent_id"] == "M-1"


def test_a_search_in_the_address_is_not_read(client: Client, people) -> None:  # type: ignore[no-untyped-def]
    client.get("/report/start")
    page = client.get("/report/who?q=Morgan").content.decode()
    assert "Morgan Member" not in page
    assert 'value="Morgan"' not in page
    assert 'action="/report/who"' in page
