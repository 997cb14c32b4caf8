"""The counsellor learns whom matched entries are about (they alone) and records contact made;
the complainant who goes ahead starts from what they wrote, without searching or retyping."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from redress.accounts.models import Role
from redress.cases.models import Case
from redress.escrow.models import EscrowEntry, Status
from redress.ledger.events import Action
from redress.ledger.models import Entry
from tests.escrow.test_pages import PASSPHRASE, lodge_through_pages, setup  # noqa: F401
from tests.factories import make_staff, sign_in

pytestmark = pytest.mark.django_db


def _matched(capture) -> tuple[Client, str]:  # type: ignore[no-untyped-def]
    ann, bea = Client(), Client()
    code = lodge_through_pages(ann, "ann@example.org", capture)
    lodge_through_pages(bea, "bea@example.org", capture)
    return ann, code


def test_going_ahead_starts_from_what_the_complainant_wrote(  # type: ignore[no-untyped-def]
    setup,  # noqa: F811
    django_capture_on_commit_callbacks,
) -> None:
    ann = Client()
    code = lodge_through_pages(ann, "ann@example.org", django_capture_on_commit_callbacks)
    assert ann.post("/escrow/check", {"code": code}).status_code == 302
    cookie = ann.cookies["escrow_copy"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    page = ann.get("/escrow/entry").content.decode()
    assert "We have filled in what you wrote" in page
    assert "What ann@example.org went through.</textarea>" in page
    assert 'value="ann@example.org"' in page
    assert re.search(r'value="M-5" checked', page)  # the person, chosen, without a search
    assert "Perry Member" in page
    # Neither the session's row nor the entry's row holds the words or the key in clear.
    for session in Session.objects.all():
        decoded = str(session.get_decoded())
        assert "went through" not in decoded
        assert cookie.value not in decoded
    entry = EscrowEntry.objects.get()
    assert b"went through" not in bytes(entry.own_copy)
    # Going ahead with the words as filled in.
    made = ann.post(
        "/escrow/entry",
        {
            "category": "harassment",
            "report": "What ann@example.org went through.",
            "email": "ann@example.org",
            "respondent": "M-5",
        },
    )
    assert made.status_code == 302
    assert made.cookies["escrow_copy"].value == ""  # the key is dropped from the browser
    case = Case.objects.get()
    assert case.narrative == "What ann@example.org went through."
    assert case.respondent is not None
    assert case.respondent.identifier == "M-5"
    entry.refresh_from_db()
    assert bytes(entry.own_copy) == b""


def test_without_the_cookie_nothing_is_filled_in_and_deleting_wipes_the_copy(  # type: ignore[no-untyped-def]
    setup,  # noqa: F811
    django_capture_on_commit_callbacks,
) -> None:
    ann = Client()
    code = lodge_through_pages(ann, "ann@example.org", django_capture_on_commit_callbacks)
    ann.post("/escrow/check", {"code": code})
    ann.cookies["escrow_copy"] = "AAAA" + ann.cookies["escrow_copy"].value[4:]  # tampered
    page = ann.get("/escrow/entry").content.decode()
    assert "went through" not in page
    assert "cannot be read back" in page
    response = ann.post("/escrow/delete")
    assert response.cookies["escrow_copy"].value == ""
    entry = EscrowEntry.objects.get()
    assert entry.status == Status.DELETED
    assert bytes(entry.own_copy) == b""


def test_the_counsellor_alone_sees_whom_the_entries_are_about_and_records_contact(  # type: ignore[no-untyped-def]
    setup,  # noqa: F811
    django_capture_on_commit_callbacks,
) -> None:
    _person, counsellor = setup
    _matched(django_capture_on_commit_callbacks)
    match_id = EscrowEntry.objects.filter(status=Status.MATCHED).first().match_id  # type: ignore[union-attr]
    staff = Client()
    sign_in(staff, counsellor)
    closed = staff.get(f"/staff/escrow/matches/{match_id}").content.decode()
    assert "Perry Member" not in closed  # not before the passphrase opens the entries
    assert closed.count("Not contacted yet") == 2
    opened = staff.post(
        f"/staff/escrow/matches/{match_id}", {"passphrase": PASSPHRASE}
    ).content.decode()
    assert re.search(r'id="escrow-about">Perry Member<', opened)
    first = EscrowEntry.objects.filter(match_id=match_id).order_by("pk").first()
    assert first is not None
    url = f"/staff/escrow/matches/{match_id}/entries/{first.pk}/contacted"
    assert staff.post(url).status_code == 302
    first.refresh_from_db()
    assert first.contacted_at is not None
    assert first.contacted_by == counsellor
    recorded = Entry.objects.filter(action=Action.ESCROW_CONTACT_RECORDED)
    assert list(recorded.values_list("object", flat=True)) == [f"escrow:{first.pk}"]
    again = staff.post(url, follow=True).content.decode()
    assert "already recorded" in again
    assert recorded.count() == 1
    page = staff.get(f"/staff/escrow/matches/{match_id}").content.decode()
    assert page.count("Not contacted yet") == 1
    # Another counsellor cannot record contact on a match that is not theirs.
    other = make_staff("other-counsellor", Role.ESCROW_COUNSELLOR)
    elsewhere = Client()
    sign_in(elsewhere, other)
    second = EscrowEntry.objects.filter(match_id=match_id).order_by("pk").last()
    assert second is not None
    refused = elsewhere.post(f"/staff/escrow/matches/{match_id}/entries/{second.pk}/contacted")
    assert refused.status_code == 404
    second.refresh_from_db()
    assert second.contacted_at is None
