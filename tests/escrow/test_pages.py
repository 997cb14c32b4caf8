"""Escrow through the pages: a complainant lodges with a confirmed email, is shown the code
once, sees "held" then "matched" when someone else names the same person, and can delete the
entry or go ahead with a complaint; the counsellor opens the match with the passphrase."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from redress.accounts.models import Role
from redress.cases.models import Case
from redress.directory.models import Person, PersonKind
from redress.escrow import actions
from redress.escrow.models import EscrowEntry, Status
from tests.factories import make_staff, sign_in

pytestmark = pytest.mark.django_db
PASSPHRASE = "the counsellor's long passphrase"


@pytest.fixture
def setup() -> tuple[Person, object]:
    counsellor = make_staff("counsellor", Role.ESCROW_COUNSELLOR)
    actions.create_counsellor_key(counsellor, PASSPHRASE)
    person = Person.objects.create(identifier="M-5", name="Perry Member", kind=PersonKind.MEMBER)
    return person, counsellor


def lodge_through_pages(client: Client, email: str, capture) -> str:  # type: ignore[no-untyped-def]
    mail.outbox.clear()
    with capture(execute=True):
        response = client.post(
            "/escrow",
            {
                "respondent": "M-5",
                "report": f"What {email} went through.",
                "email": email,
                "q": "Perry",
            },
        )
    assert "Check your email" in response.content.decode()
    assert not EscrowEntry.objects.filter(status=Status.HELD, pk__gt=10**9).exists()
    link = re.search(r"/escrow/confirm/\S+", mail.outbox[-1].body)
    assert link is not None
    assert "Lock my entry away" in client.get(link.group(0)).content.decode()
    page = client.post(link.group(0)).content.decode()
    code = re.search(r'id="escrow-code">([^<]+)<', page)
    assert code is not None
    assert client.post(link.group(0)).status_code == 400  # the link works once
    return code.group(1)


def test_lodge_check_match_and_open(setup, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    _person, counsellor = setup
    ann, bea = Client(), Client()
    code = lodge_through_pages(ann, "ann@example.org", django_capture_on_commit_callbacks)
    assert ann.post("/escrow/check", {"code": code.lower()}).status_code == 302
    assert "Held, no match yet" in ann.get("/escrow/entry").content.decode()
    lodge_through_pages(bea, "bea@example.org", django_capture_on_commit_callbacks)
    assert "Matched" in ann.get("/escrow/entry").content.decode()
    staff = Client()
    sign_in(staff, counsellor)
    match_page = staff.get("/staff/escrow").content.decode()
    match_id = re.search(r"/staff/escrow/matches/(\d+)", match_page)
    assert match_id is not None
    wrong = staff.post(
        f"/staff/escrow/matches/{match_id.group(1)}", {"passphrase": "not it at all"}
    )
    assert wrong.status_code == 400
    opened = staff.post(
        f"/staff/escrow/matches/{match_id.group(1)}", {"passphrase": PASSPHRASE}
    ).content.decode()
    assert "What ann@example.org went through." in opened
    assert "bea@example.org" in opened


def test_going_ahead_makes_a_confidential_complaint(
    setup, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    code = lodge_through_pages(client, "ann@example.org", django_capture_on_commit_callbacks)
    client.post("/escrow/check", {"code": code})
    refused = client.post(
        "/escrow/entry", {"category": "harassment", "report": "", "email": "ann@example.org"}
    )
    assert refused.status_code == 400
    made = client.post(
        "/escrow/entry",
        {
            "category": "harassment",
            "report": "It happened at the reception.",
            "email": "ann@example.org",
            "respondent": "M-5",
        },
    )
    assert made.status_code == 302
    case = Case.objects.get()
    assert case.identity == "confidential"
    assert case.narrative == "It happened at the reception."
    entry = EscrowEntry.objects.get()
    assert entry.status == Status.CONVERTED
    assert entry.case == case
    assert bytes(entry.sealed) == b""


def test_delete_and_wrong_codes(setup, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    code = lodge_through_pages(client, "ann@example.org", django_capture_on_commit_callbacks)
    wrong = client.post("/escrow/check", {"code": "AAAAA-BBBBB-CCCCC-DDDDD"})
    assert "could not find an entry" in wrong.content.decode()
    client.post("/escrow/check", {"code": code})
    client.post("/escrow/delete")
    assert "Deleted." in client.get("/escrow/entry").content.decode()
    assert bytes(EscrowEntry.objects.get().sealed) == b""


def test_the_person_search_is_posted_and_never_read_from_the_address(setup) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    assert "Perry Member" not in client.get("/escrow?q=Perry").content.decode()
    page = client.post("/escrow", {"q": "Perry", "search": "1"})
    assert page.status_code == 200  # a search checks nothing: no errors shown
    body = page.content.decode()
    assert "Perry Member" in body
    assert "govuk-error-summary" not in body
    assert not EscrowEntry.objects.exists()
