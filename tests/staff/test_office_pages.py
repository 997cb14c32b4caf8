"""Word evidence shown to staff as pictures of its pages: LibreOffice converts it to PDF in a
limited child process, and poppler draws the pages as for a PDF."""

from __future__ import annotations

import io
import shutil

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from redress.accounts.models import Role
from redress.cases import actions
from redress.cases.models import AssignmentRole, Case
from redress.intake import pages
from tests.intake import samples
from tests.staff.test_console import _case, _signed_in

pytestmark = pytest.mark.skipif(
    not pages.can_render("docx"),
    reason="LibreOffice (soffice) or poppler-utils are not installed: make system-packages",
)


def _with_docx() -> tuple[Client, Case, int]:
    client, user = _signed_in(Role.CASEWORKER)
    case = _case()
    actions.assign(case, user, AssignmentRole.CASEWORKER, actor="system:test")  # type: ignore[arg-type]
    upload = SimpleUploadedFile("statement.docx", samples.docx())
    assert (
        client.post(f"/staff/cases/{case.reference}/evidence", {"file": upload}).status_code == 302
    )
    return client, case, case.attachments.get().pk


@pytest.mark.django_db
def test_a_word_file_is_shown_as_its_pages() -> None:
    client, case, pk = _with_docx()
    url = f"/staff/cases/{case.reference}/evidence/{pk}/pages"
    assert "View as pages" in client.get(f"/staff/cases/{case.reference}").content.decode()
    page = client.get(url)
    assert page.status_code == 200
    assert "The document has 1 page." in page.content.decode()
    picture = client.get(f"{url}/1")
    assert picture.status_code == 200
    assert picture["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(picture.content)).format == "PNG"


def test_a_conversion_is_kept_for_the_page_requests_that_follow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    document = samples.docx()
    converted = pages.as_pdf(document, "docx")
    assert converted.startswith(b"%PDF-")

    def no_second_conversion(*_: object) -> bytes:
        raise AssertionError("converted twice")

    monkeypatch.setattr(pages, "_convert", no_second_conversion)
    assert pages.as_pdf(document, "docx") == converted
    assert pages.page_count(document, "docx") == 1


def test_a_file_libreoffice_cannot_read_is_refused_in_words() -> None:
    with pytest.raises(pages.CannotRender, match="could not be drawn"):
        pages.as_pdf(b"PK\x03\x04 not really a Word file", "docx")


def test_without_libreoffice_word_files_are_for_download_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_which = shutil.which
    monkeypatch.setattr(
        pages.shutil, "which", lambda tool: None if tool == "soffice" else real_which(tool)
    )
    assert not pages.can_render("docx")
    assert pages.can_render("pdf")
