"""The data protection officer's pages, from recording a request to the one-time link, and
the plain refusals of bad input: nothing changed, status 400, what was typed kept."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile

import pytest
from django.test import Client
from django.utils import timezone

from redress.accounts.models import Role, User
from redress.ledger.models import Entry
from redress.subjectaccess.models import DataRequest, Finding, Redaction, State
from tests.factories import make_staff, sign_in
from tests.subjectaccess.helpers import reported_case, respondent

pytestmark = pytest.mark.django_db


def _officer(client: Client, name: str) -> User:
    user = make_staff(name, Role.DATA_PROTECTION_OFFICER)
    sign_in(client, user)
    return user


def _record(client: Client, **changes: str) -> DataRequest:
    form = {
        "kind": "access",
        "subject_name": "Rupert Vane",
        "subject_identifier": "M-1",
        "identity_check": "Passport seen in person",
        "received_on": timezone.localdate().isoformat(),
        **changes,
    }
    response = client.post("/staff/data-requests/new", form)
    assert response.status_code == 302, response.content
    return DataRequest.objects.latest("pk")


def test_a_request_goes_from_record_to_one_time_link() -> None:
    reported_case(respondent())
    handler, second = Client(), Client()
    _officer(handler, "dpo-a")
    _officer(second, "dpo-b")
    home = handler.get("/staff/")
    assert b"/staff/data-requests" in home.content
    obj = _record(handler)
    page = handler.get("/staff/data-requests")
    assert obj.reference.encode() in page.content
    assert b"days left" in page.content
    assert handler.post(f"/staff/data-requests/{obj.pk}/search").status_code == 302
    detail = handler.get(f"/staff/data-requests/{obj.pk}")
    assert b"Respondent" in detail.content
    assert handler.post(f"/staff/data-requests/{obj.pk}/assemble").status_code == 302
    refused = handler.post(f"/staff/data-requests/{obj.pk}/approve")
    assert refused.status_code == 400
    assert b"second data protection officer" in refused.content
    assert second.post(f"/staff/data-requests/{obj.pk}/approve").status_code == 302
    released = handler.post(f"/staff/data-requests/{obj.pk}/release")
    assert released.status_code == 200
    link = re.search(rb"/data-request/[\w-]+", released.content)
    assert link is not None
    url = link.group().decode()
    person = Client()
    for _opened in range(2):  # opening the link, as a mail scanner does, spends nothing
        page = person.get(url)
        assert page.status_code == 200
        assert b"Download your answer" in page.content
        assert b"This link works once" in page.content
        assert b'method="post"' in page.content
    first = person.post(url)
    assert first.status_code == 200
    assert first["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(first.content)) as archive:
        names = sorted(archive.namelist())
        assert names == [f"{obj.reference}.json", f"{obj.reference}.pdf"]
        answer = json.loads(archive.read(f"{obj.reference}.json"))
    assert "Halloran" not in json.dumps(answer, ensure_ascii=False)
    for again in (Client().get(url), Client().post(url)):
        assert again.status_code == 410
        assert b"This link has been used" in again.content


def test_a_request_without_an_identity_check_is_refused_with_the_typing_kept() -> None:
    client = Client()
    _officer(client, "dpo-a")
    response = client.post(
        "/staff/data-requests/new",
        {"kind": "access", "subject_name": "Rupert Vane", "received_on": "2026-01-05"},
    )
    assert response.status_code == 400
    assert b"Say how the person" in response.content
    assert b'value="Rupert Vane"' in response.content
    assert not DataRequest.objects.exists()


def test_an_extension_without_reasons_changes_nothing() -> None:
    client = Client()
    _officer(client, "dpo-a")
    obj = _record(client, received_on="2026-01-31", subject_identifier="")
    response = client.post(f"/staff/data-requests/{obj.pk}/extend", {"months": "1"})
    assert response.status_code == 400
    assert b"Enter the reasons for the extension" in response.content
    obj.refresh_from_db()
    assert obj.due_on == dt.date(2026, 2, 28)
    response = client.post(
        f"/staff/data-requests/{obj.pk}/extend", {"months": "2", "reason": "Many cases"}
    )
    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.due_on == dt.date(2026, 4, 30)
    too_far = client.post(
        f"/staff/data-requests/{obj.pk}/extend", {"months": "1", "reason": "More"}
    )
    assert too_far.status_code == 400
    assert b"two months at most" in too_far.content


def test_overlapping_redactions_are_refused_plainly() -> None:
    reported_case(respondent())
    client = Client()
    _officer(client, "dpo-a")
    obj = _record(client)
    client.post(f"/staff/data-requests/{obj.pk}/search")
    finding = Finding.objects.get(request=obj, field="narrative")
    url = f"/staff/data-requests/{obj.pk}/findings/{finding.pk}"
    form = {"words": "Priya Nair", "reason": "A witness", "exemption": "dpa2018_sch2_p16"}
    assert client.post(url, form).status_code == 302
    before = Redaction.objects.count()
    response = client.post(url, {**form, "words": "Nair saw"})
    assert response.status_code == 400
    assert b"overlap" in response.content
    assert b'value="Nair saw"' in response.content
    assert Redaction.objects.count() == before
    marked = Redaction.objects.get(finding=finding, automatic=False)
    back = client.post(f"{url}/redactions/{marked.pk}/remove")
    assert back.status_code == 302
    assert not Redaction.objects.filter(finding=finding, automatic=False).exists()
    automatic = Redaction.objects.filter(finding=finding, automatic=True).first()
    assert automatic is not None
    kept = client.post(f"{url}/redactions/{automatic.pk}/remove")
    assert kept.status_code == 400
    assert b"only their consent can lift it" in kept.content


def test_a_release_without_approval_is_refused() -> None:
    reported_case(respondent())
    client = Client()
    _officer(client, "dpo-a")
    obj = _record(client)
    client.post(f"/staff/data-requests/{obj.pk}/search")
    client.post(f"/staff/data-requests/{obj.pk}/assemble")
    response = client.post(f"/staff/data-requests/{obj.pk}/release")
    assert response.status_code == 400
    assert b"has not approved it" in response.content
    obj.refresh_from_db()
    assert obj.state == State.ASSEMBLED
    assert obj.release_digest is None


def test_an_overdue_request_is_tagged() -> None:
    client = Client()
    _officer(client, "dpo-a")
    past = (timezone.localdate() - dt.timedelta(days=40)).isoformat()
    _record(client, received_on=past, subject_identifier="")
    assert b"Overdue" in client.get("/staff/data-requests").content


def test_reading_a_finding_or_the_answer_is_ledgered() -> None:
    reported_case(respondent())
    client = Client()
    _officer(client, "dpo-a")
    obj = _record(client)
    client.post(f"/staff/data-requests/{obj.pk}/search")
    finding = Finding.objects.filter(request=obj).first()
    assert finding is not None
    before = Entry.objects.filter(action="subjectaccess.read").count()
    assert client.get(f"/staff/data-requests/{obj.pk}/findings/{finding.pk}").status_code == 200
    client.post(f"/staff/data-requests/{obj.pk}/assemble")
    assert client.get(f"/staff/data-requests/{obj.pk}").status_code == 200
    reads = Entry.objects.filter(action="subjectaccess.read")
    assert reads.count() == before + 2
    assert {e.object for e in reads} == {f"subjectaccess.request:{obj.pk}"}
