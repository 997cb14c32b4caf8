"""Hostile input: each gets a clear refusal (a message in the page or a 4xx JSON error), nothing
half-done is stored, and nothing runs: script stays text, SQL stays data, names stay names."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from redress.accounts.models import Role
from redress.cases import actions
from redress.cases.models import AssignmentRole, Attachment, Case
from redress.intake import receipts
from redress.intake.models import Draft
from tests.factories import make_staff, sign_in
from tests.intake import samples
from tests.intake.helpers import fill_report, receipt_on

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SQL = "'; DROP TABLE cases_case; --"


def counts() -> tuple[int, int, int]:
    return Case.objects.count(), Draft.objects.count(), Attachment.objects.count()


def test_script_in_every_free_text_field_stays_text() -> None:
    client = Client()
    fill_report(
        client,
        **{
            "what-happened": {"what_happened": XSS},
            "where": {"where": XSS},
            "impact": {"impact": XSS},
        },
    )
    page = client.get("/report/check-answers").content.decode()
    assert XSS not in page
    assert html.escape(XSS) in page or "&lt;script&gt;" in page
    client.post("/report/submit")
    code = receipt_on(client.get("/report/sent").content.decode())
    case = Case.objects.get()
    worker = make_staff("cw", Role.CASEWORKER)
    actions.assign(case, worker, AssignmentRole.CASEWORKER, actor="system:test")
    staff = Client()
    sign_in(staff, worker)
    staff_page = staff.get(f"/staff/cases/{case.reference}").content.decode()
    assert "<script>alert" not in staff_page
    assert "&lt;script&gt;" in staff_page
    follow = Client()
    follow.post("/check", {"code": code})
    actions.send_message_to_complainant(case, XSS, actor=worker)
    status = follow.get("/check/report").content.decode()
    assert "<script>alert" not in status


@pytest.mark.parametrize("path", ["/report/who?q=", "/staff/conflicts?search="])
def test_sql_in_searches_is_only_a_search(path: str) -> None:
    client = Client()
    if path.startswith("/staff"):
        sign_in(client, make_staff("inv", Role.INVESTIGATOR))
    else:
        client.get("/report/start")
    response = client.get(path + SQL)
    assert response.status_code == 200
    assert Case.objects.count() == 0  # the table is still there to count


def test_sql_and_look_alikes_in_receipt_codes_are_just_wrong_codes() -> None:
    client = Client()
    look_alikes = "\u0391\u0392CD-EFGH-JKMN-PQRS-TVWX"  # Greek Alpha and Beta
    for typed in (SQL, look_alikes, "\uff21" * 20, "\x00" * 20, "9" * 5000):
        response = client.post("/check", {"code": typed})
        assert response.status_code == 400
        text = response.content.decode()
        assert "govuk-error-summary" in text
        assert "Traceback" not in text
    # Full-width characters from a phone keyboard read as the plain ones.
    code = receipts.new_code()
    wide = "".join(chr(ord(ch) + 0xFEE0) if ch.isalnum() else ch for ch in code)
    assert receipts.normalise(wide) == receipts.normalise(code)
    assert receipts.normalise("\u0391" + code[1:]) is None  # Greek Alpha is not A


def test_path_traversal_in_file_names_goes_nowhere() -> None:
    client = Client()
    client.get("/report/start")
    client.post("/report/what-happened", {"what_happened": "x"})
    upload = SimpleUploadedFile(
        "../../../etc/passwd.txt", b"ordinary notes", content_type="text/plain"
    )
    client.post("/report/evidence", {"upload": "1", "file": upload})
    draft = Draft.objects.get()
    from redress.intake.actions import answers_of

    stored = answers_of(draft)["evidence"][0]["stored_name"]
    assert ".." not in stored
    assert "passwd" not in stored


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: samples.png_bomb(), "bomb.png"),
        (lambda: samples.zip_bomb_docx(entries=5000), "bomb.docx"),
        (lambda: samples.html(), "picture.png"),
        (lambda: samples.jpeg() + b"<script>alert(1)</script>", "photo.txt"),
    ],
)
def test_bombs_and_polyglots_are_refused_and_nothing_is_kept(make, name: str) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.get("/report/start")
    before = counts()
    response = client.post(
        "/report/evidence", {"upload": "1", "file": SimpleUploadedFile(name, make())}
    )
    assert response.status_code in (200, 400)
    from redress.intake.actions import answers_of

    assert answers_of(Draft.objects.get()).get("evidence", []) == []
    assert counts()[0] == before[0]


def test_a_huge_upload_is_refused_with_a_message() -> None:
    client = Client()
    client.get("/report/start")
    huge = SimpleUploadedFile("big.txt", b"a" * (21 * 1024 * 1024))
    response = client.post("/report/evidence", {"upload": "1", "file": huge})
    assert response.status_code == 400
    assert "20 MB" in response.content.decode()


def test_a_post_without_the_csrf_token_is_refused_plainly() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/check", {"code": "x"})
    assert response.status_code == 403
    text = response.content.decode()
    assert "Traceback" not in text
    assert "<html" in text.lower()


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"],
)
def test_no_open_redirects(target: str) -> None:
    client = Client()
    response = client.get(f"/language/cy?next={target}")
    assert response.status_code == 302
    assert "evil" not in response["Location"]
    assert not response["Location"].startswith("javascript")
    worker = make_staff("cw", Role.CASEWORKER)
    staff = Client()
    sign_in(staff, worker)
    signed = staff.get(f"/staff/sign-in?next={target}")
    assert "evil" not in signed.get("Location", "")


def test_the_api_refuses_junk_with_json() -> None:
    client = Client()
    for body in (b"{", b"[]", b'{"category": "' + b"x" * 100_000 + b'"}', b"\xff\xfe"):
        response = client.post("/api/reports", body, content_type="application/json")
        assert 400 <= response.status_code < 500
        assert response["Content-Type"].startswith("application/json")
    assert Case.objects.count() == 0


def test_a_pdf_with_a_zip_hidden_after_it_is_kept_only_as_a_pdf() -> None:
    from redress.intake.sandbox import clean

    polyglot = samples.pdf() + samples.zip_archive()
    cleaned = clean(polyglot, filename="report.pdf")
    assert cleaned.kind == "pdf"
    assert b"PK\x03\x04" not in cleaned.data  # rewritten: the hidden archive is gone
