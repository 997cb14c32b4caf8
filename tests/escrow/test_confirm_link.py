"""The escrow confirmation link: opening it (as a mail scanner or link preview does) changes
nothing; the button on the page, a POST with a CSRF token, lodges the entry and shows the code."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from redress.accounts.models import Role
from redress.directory.models import Person, PersonKind
from redress.escrow import actions
from redress.escrow.models import EscrowEntry, PendingEntry
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(django_capture_on_commit_callbacks) -> str:  # type: ignore[no-untyped-def]
    actions.create_counsellor_key(
        make_staff("counsellor", Role.ESCROW_COUNSELLOR), "the counsellor's long passphrase"
    )
    person = Person.objects.create(identifier="M-5", name="Perry Member", kind=PersonKind.MEMBER)
    with django_capture_on_commit_callbacks(execute=True):
        actions.start(respondent=person, report="It happened twice.", email="ann@example.org")
    found = re.search(r"/escrow/confirm/\S+", mail.outbox[-1].body)
    assert found is not None
    return found.group(0)


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def test_opening_the_link_changes_nothing_and_the_button_lodges(link: str) -> None:
    scanner = Client()
    for _ in range(3):  # a scanner, a preview, then the person
        opened = scanner.get(link)
        assert opened.status_code == 200
        assert "escrow-code" not in opened.content.decode()
    assert PendingEntry.objects.count() == 1
    assert not EscrowEntry.objects.exists()

    person = Client(enforce_csrf_checks=True)
    page = person.get(link).content.decode()
    assert re.search(r'<form method="post"', page)
    assert "Lock my entry away" in page
    lodged = person.post(link, {"csrfmiddlewaretoken": csrf_token(page)})
    assert lodged.status_code == 200
    code = re.search(r'id="escrow-code">([^<]+)<', lodged.content.decode())
    assert code is not None
    assert actions.find(code.group(1)) == EscrowEntry.objects.get()
    assert not PendingEntry.objects.exists()
    # Used once: neither opening nor pressing the button again does anything.
    assert person.get(link).status_code == 400
    assert person.post(link, {"csrfmiddlewaretoken": csrf_token(page)}).status_code == 400
    assert EscrowEntry.objects.count() == 1


def test_a_post_without_the_form_lodges_nothing(link: str) -> None:
    response = Client(enforce_csrf_checks=True).post(link)
    assert response.status_code == 403
    assert not EscrowEntry.objects.exists()
    assert PendingEntry.objects.count() == 1


def test_a_forged_link_shows_no_button() -> None:
    response = Client().get("/escrow/confirm/forged")
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert "Lock my entry away" not in response.content.decode()
