"""The caseworker console: the queue by due date, taking a case, each act through the pages,
refusals shown with what was typed, and every reading ledgered."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client

from redress.accounts.models import Role
from redress.cases import actions
from redress.cases.models import (
    Assignment,
    AssignmentRole,
    Case,
    Category,
    Deadline,
    DeadlineKind,
    DirectoryLink,
    Identity,
    RecordKind,
    Stage,
)
from redress.cases.sweep import sweep
from redress.directory.models import Party, Person, PersonKind
from redress.ledger.models import Entry
from tests.factories import make_staff, sign_in

pytestmark = pytest.mark.django_db
SECRET = "He cornered me by the lifts after the committee"


@pytest.fixture
def respondent() -> Person:
    return Person.objects.create(
        identifier="M-9",
        name="Morgan Member",
        kind=PersonKind.MEMBER,
        party=Party.objects.create(name="Harbour"),
        email="morgan@example.org",
    )


def _case(respondent: Person | None = None, **kw: object) -> Case:
    return actions.receive(
        category=Category.HARASSMENT,
        identity=Identity.CONFIDENTIAL,
        narrative=SECRET,
        respondent=respondent,
        details={"contact_name": "Casey Complainant", "contact_email": "casey@example.org"},
        **kw,  # type: ignore[arg-type]
    )


def _signed_in(*roles: Role, name: str = "cw") -> tuple[Client, object]:
    client = Client()
    user = make_staff(name, *roles)
    sign_in(client, user)
    return client, user


def test_a_caseworker_takes_a_case_from_the_pool_and_reads_it(respondent: Person) -> None:
    case = _case(respondent)
    client, user = _signed_in(Role.CASEWORKER)
    queue = client.get("/staff/cases").content.decode()
    assert case.reference in queue
    assert SECRET not in queue
    assert client.get(f"/staff/cases/{case.reference}").status_code == 403  # not yet theirs
    response = client.post(f"/staff/cases/{case.reference}/take")
    assert response.status_code == 302
    page = client.get(f"/staff/cases/{case.reference}")
    assert page.status_code == 200
    text = page.content.decode()
    assert SECRET in text
    assert "casey@example.org" in text  # a confidential complainant's contact: their caseworker
    assert Entry.objects.filter(action="case.viewed", actor=f"user:{user.pk}").count() == 1  # type: ignore[attr-defined]


def test_a_conflicted_caseworker_cannot_take_the_case(respondent: Person) -> None:
    case = _case(respondent)
    client, user = _signed_in(Role.CASEWORKER)
    own = Person.objects.create(
        identifier="S-1", name="Staffer", kind=PersonKind.STAFF, party=respondent.party
    )
    DirectoryLink.objects.create(user=user, person=own)  # type: ignore[misc]
    response = client.post(f"/staff/cases/{case.reference}/take", follow=True)
    assert "belong to the respondent's party" in html.unescape(response.content.decode())
    assert not Assignment.objects.filter(case=case).exists()


def test_the_queue_is_ordered_by_due_date_and_flags_overdue() -> None:
    client, user = _signed_in(Role.CASEWORKER)
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)):
        old = _case()
    recent = _case()
    for case in (recent, old):
        actions.assign(case, user, AssignmentRole.CASEWORKER, actor="system:test")  # type: ignore[arg-type]
    sweep()
    text = client.get("/staff/cases").content.decode()
    assert text.index(old.reference) < text.index(recent.reference)
    assert "Overdue" in text
    only_overdue = client.get("/staff/cases?overdue=on").content.decode()
    assert old.reference in only_overdue
    assert recent.reference not in only_overdue


def test_a_refused_step_keeps_what_was_typed_and_changes_nothing() -> None:
    client, user = _signed_in(Role.CASEWORKER)
    case = _case()
    actions.assign(case, user, AssignmentRole.CASEWORKER, actor="system:test")  # type: ignore[arg-type]
    before = Entry.objects.exclude(action="case.viewed").count()
    response = client.post(
        f"/staff/cases/{case.reference}/move", {"to": "closed", "reasons": "Typed with care."}
    )
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    assert "There is a problem" in text
    assert "Choose one of the stages listed" in text
    assert "Typed with care." in text
    case.refresh_from_db()
    assert case.stage == Stage.RECEIVED
    assert Entry.objects.exclude(action="case.viewed").count() == before
    response = client.post(
        f"/staff/cases/{case.reference}/move", {"to": "acknowledged", "reasons": ""}
    )
    assert "Give your reasons" in response.content.decode()


def test_the_road_through_the_console(
    respondent: Person, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    mail.outbox.clear()
    client, caseworker = _signed_in(Role.CASEWORKER, name="cw")
    investigator = make_staff("inv", Role.INVESTIGATOR)
    maker_client, maker = _signed_in(Role.DECISION_MAKER, name="dm")
    case = _case(respondent)
    actions.assign(case, caseworker, AssignmentRole.CASEWORKER, actor="system:test")  # type: ignore[arg-type]
    url = f"/staff/cases/{case.reference}"
    for stage in ("acknowledged", "assessed"):
        assert client.post(f"{url}/move", {"to": stage, "reasons": "In scope."}).status_code == 302
    assert client.post(f"{url}/message", {"body": "We are looking into it."}).status_code == 302
    assert (
        client.post(f"{url}/assign", {"role": "investigator", "user": investigator.pk}).status_code
        == 302
    )
    assert (
        client.post(f"{url}/assign", {"role": "decision_maker", "user": maker.pk}).status_code
        == 302
    )  # type: ignore[attr-defined]
    assert (
        client.post(f"{url}/move", {"to": "investigation", "reasons": "Serious."}).status_code
        == 302
    )
    refused = html.unescape(client.post(f"{url}/notify", follow=True).content.decode())
    assert "Write the substance of the allegations first" in refused
    client.post(
        f"{url}/record",
        {"kind": "allegations", "body": "It is alleged that you cornered a colleague."},
    )
    client.post(
        f"{url}/measures", {"kind": "no_contact", "details": "No contact outside meetings."}
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{url}/notify")
    link = re.search(r"http://\S+/respond/open/\S+", mail.outbox[-1].body)
    assert link is not None
    assert mail.outbox[-1].to == ["morgan@example.org"]
    case.refresh_from_db()
    assert case.respondent_notified_at is not None
    assert Deadline.objects.get(case=case, kind=DeadlineKind.NOTIFY_RESPONDENT).met_at is not None
    assert case.records.filter(kind=RecordKind.ALLEGATIONS).count() == 1
    hold = client.post(f"{url}/hold", {"step": "hold", "reasons": "Police enquiry."})
    assert hold.status_code == 302
    case.refresh_from_db()
    assert case.held_since is not None
    client.post(f"{url}/hold", {"step": "resume", "reasons": "Police finished."})
    case.refresh_from_db()
    assert case.held_since is None
    page = maker_client.get(f"{url}/history").content.decode()
    assert "Timeline" in page
    assert "Respondent told of the allegations" in page


def test_an_unassigned_handler_is_refused_everywhere_on_a_case() -> None:
    case = _case()
    client, _user = _signed_in(Role.INVESTIGATOR)
    url = f"/staff/cases/{case.reference}"
    for path in ("", "/move", "/message", "/record", "/notify", "/hold", "/evidence/1"):
        method = client.get if path in ("", "/evidence/1") else client.post
        assert method(url + path).status_code == 403
    for path in ("/move", "/message", "/notify", "/history", "/messages", "/file"):
        assert client.get(url + path).status_code == 403


def test_evidence_upload_and_download_are_ledgered() -> None:
    client, user = _signed_in(Role.CASEWORKER)
    case = _case()
    actions.assign(case, user, AssignmentRole.CASEWORKER, actor="system:test")  # type: ignore[arg-type]
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("note.txt", b"Minutes of the meeting.", content_type="text/plain")
    assert (
        client.post(f"/staff/cases/{case.reference}/evidence", {"file": upload}).status_code == 302
    )
    attachment = case.attachments.get()
    download = client.get(f"/staff/cases/{case.reference}/evidence/{attachment.pk}")
    assert download.status_code == 200
    assert download.content == b"Minutes of the meeting."
    assert Entry.objects.filter(action="case.evidence_viewed").count() == 1
    disguised = SimpleUploadedFile(
        "photo.png", b"<html>not a picture</html>", content_type="image/png"
    )
    refused = client.post(f"/staff/cases/{case.reference}/evidence", {"file": disguised})
    assert refused.status_code == 400
    assert case.attachments.count() == 1


def test_conflicts_are_declared_from_their_page(respondent: Person) -> None:
    client, _user = _signed_in(Role.INVESTIGATOR)
    found = client.get("/staff/conflicts?search=Morgan").content.decode()
    assert "Morgan Member" in found
    response = client.post(
        "/staff/conflicts", {"person": "M-9", "reason": "A friend.", "search": "Morgan"}
    )
    assert response.status_code == 302
    missing = client.post("/staff/conflicts", {"reason": "Nobody chosen."})
    assert "Choose the person, party or office" in missing.content.decode()
