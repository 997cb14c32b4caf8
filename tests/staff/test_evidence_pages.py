"""Evidence shown to staff as pictures of its pages, drawn on the server in a limited child
process, so that a document need not be opened on a staff machine."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from redress.accounts.models import Role
from redress.cases import actions
from redress.cases.models import AssignmentRole, Case
from redress.intake import pages
from redress.ledger.models import Entry
from tests.intake import samples
from tests.staff.test_console import _case, _signed_in

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not pages.can_render("pdf"), reason="poppler-utils are not installed"),
]


def _with_pdf(page_count: int = 3) -> tuple[Client, Case, int]:
    client, user = _signed_in(Role.CASEWORKER)
    case = _case()
    actions.assign(case, user, AssignmentRole.CASEWORKER, actor="system:test")  # type: ignore[arg-type]
    upload = SimpleUploadedFile(
        "letter.pdf", samples.pdf(pages=page_count), content_type="application/pdf"
    )
    assert (
        client.post(f"/staff/cases/{case.reference}/evidence", {"file": upload}).status_code == 302
    )
    return client, case, case.attachments.get().pk


def test_a_pdf_is_shown_as_its_pages_and_every_read_is_ledgered() -> None:
    client, case, pk = _with_pdf(3)
    url = f"/staff/cases/{case.reference}/evidence/{pk}/pages"
    assert "View as pages" in client.get(f"/staff/cases/{case.reference}").content.decode()
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "The document has 3 pages." in text
    assert text.count(f"{url}/") == 3
    picture = client.get(f"{url}/2")
    assert picture.status_code == 200
    assert picture["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(picture.content)).format == "PNG"
    # The listing and the picture each read the evidence: each is in the case's history.
    assert Entry.objects.filter(action="case.evidence_viewed").count() == 2


def test_a_page_that_is_not_there_or_a_file_that_is_not_a_pdf_is_404() -> None:
    client, case, pk = _with_pdf(2)
    url = f"/staff/cases/{case.reference}/evidence/{pk}/pages"
    assert client.get(f"{url}/9").status_code == 404
    assert client.get(f"{url}/{pages.PAGE_LIMIT + 1}").status_code == 404
    note = SimpleUploadedFile("note.txt", b"Minutes.", content_type="text/plain")
    client.post(f"/staff/cases/{case.reference}/evidence", {"file": note})
    text_pk = case.attachments.exclude(pk=pk).get().pk
    assert client.get(f"/staff/cases/{case.reference}/evidence/{text_pk}/pages").status_code == 404


def test_someone_not_on_the_case_cannot_see_the_pages() -> None:
    _client, case, pk = _with_pdf(1)
    other, _user = _signed_in(Role.INVESTIGATOR, name="other")
    url = f"/staff/cases/{case.reference}/evidence/{pk}/pages"
    assert other.get(url).status_code == 403
    assert other.get(f"{url}/1").status_code == 403


def test_what_cannot_be_drawn_is_refused_in_words() -> None:
    with pytest.raises(pages.CannotRender, match="could not be drawn"):
        pages.page_count(b"%PDF-1.4 not really")
    with pytest.raises(pages.CannotRender):
        pages.render_page(samples.pdf(pages=1), 0)
