"""The complainant is told which embedded file was removed, by its own name, made safe to show.

A PDF's attachment and a Word file's embedded "Package" object name the file they carry
("invoice.exe"). The name comes from inside the file, so it may hold anything: controls,
bidirectional overrides that make "exe.pdf" read as "fdp.exe", markup, or a thousand characters.
The web process marks every control, cuts the name short and lets the page escape it.
"""

from __future__ import annotations

import html
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from redress.intake import sandbox, upload_words
from redress.intake.sandbox import clean, shown_name
from redress.intake.upload_words import UploadRefused
from tests.intake import samples
from tests.intake.ole_samples import ole_package
from tests.intake.test_hostile_files import (
    EXECUTABLE,
    HOSTILE_DOCUMENT,
    assert_inert_docx,
    docx_hostile,
    pdf_open_action_and_attachment,
)

PACKAGE = ole_package(b"invoice.exe", b"C:\\Users\\sam\\invoice.exe", EXECUTABLE)
RELATIONSHIPS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/\
oleObject" Target="embeddings/oleObject1.bin"/>
</Relationships>"""


CONTENT_TYPES = samples.CONTENT_TYPES.replace(
    b"</Types>",
    b'<Override PartName="/word/embeddings/oleObject1.bin" ContentType="application/'
    b'vnd.openxmlformats-officedocument.oleObject"/></Types>',
)


def docx_with_package(package: bytes = PACKAGE) -> bytes:
    """A Word file with one embedded "Package" object carrying ``package``'s file."""
    return samples.docx(
        document=HOSTILE_DOCUMENT,
        content_types=CONTENT_TYPES,
        extra={
            "word/_rels/document.xml.rels": RELATIONSHIPS,
            "word/embeddings/oleObject1.bin": package,
        },
    )


def test_a_pdf_attachment_is_named_when_removed() -> None:
    cleaned = clean(pdf_open_action_and_attachment(), filename="statement.pdf")
    assert cleaned.removed_names == ("invoice.exe",)
    assert upload_words.EMBEDDED_FILES in cleaned.removed


def test_a_word_package_object_is_named_when_removed() -> None:
    cleaned = clean(docx_with_package(), filename="statement.docx")
    assert_inert_docx(cleaned.data)
    assert cleaned.removed_names == ("invoice.exe",)
    assert upload_words.EMBEDDED_OBJECTS in cleaned.removed


def test_an_object_that_is_not_an_ole_file_goes_without_a_name() -> None:
    cleaned = clean(docx_hostile())
    assert cleaned.removed_names == ()
    assert upload_words.EMBEDDED_OBJECTS in cleaned.removed


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("invoice.exe", "invoice.exe"),
        ("report\u202efdp.exe", "report⟨U+202E⟩fdp.exe"),
        ("a\u2066b\u200fc\u061cd", "a⟨U+2066⟩b⟨U+200F⟩c⟨U+061C⟩d"),
        ("line\nbreak\x00\x1b[31m", "line⟨U+000A⟩break⟨U+0000⟩⟨U+001B⟩[31m"),
        ("para\u2029graph\u2028end", "para⟨U+2029⟩graph⟨U+2028⟩end"),
        ("x" * 200, "x" * 59 + "…"),
        ("  \u3000spaced.exe\t ", "spaced.exe"),
    ],
)
def test_a_name_is_made_safe_to_show(name: str, shown: str) -> None:
    assert shown_name(name) == shown


def test_a_hostile_name_is_marked_and_cut_on_its_way_from_the_child() -> None:
    header = {"ok": True, "found": [], "length": 1, "names": ["evil\u202eexe.pdf", "y" * 500]}
    output = json.dumps(header).encode() + b"\n" + b"x"
    _, _, names = sandbox._read_result(output, keep_original=False)
    assert names == ("evil⟨U+202E⟩exe.pdf", "y" * 59 + "…")


@pytest.mark.parametrize("names", ["invoice.exe", [1], [None], {"a": "b"}])
def test_names_in_any_other_shape_are_refused(names: object) -> None:
    header = {"ok": True, "found": [], "length": 1, "names": names}
    with pytest.raises(UploadRefused):
        sandbox._read_result(json.dumps(header).encode() + b"\n" + b"x", keep_original=False)


def test_at_most_five_names_are_told() -> None:
    names = [f"file{index}.exe" for index in range(20)]
    header = {"ok": True, "found": [], "length": 1, "names": names}
    _, _, told = sandbox._read_result(
        json.dumps(header).encode() + b"\n" + b"x", keep_original=False
    )
    assert told == tuple(names[:5])


def test_a_name_with_markup_is_shown_as_text() -> None:
    package = ole_package(b"<b>x</b>\xae.exe", b"", EXECUTABLE)  # cp1252: the registered sign
    cleaned = clean(docx_with_package(package))
    assert cleaned.removed_names == ("<b>x</b>®.exe",)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "the attached file “invoice.exe”"), ("cy", "y ffeil atodedig “invoice.exe”")],
)
def test_the_wizard_names_the_removed_file(client: Client, language: str, words: str) -> None:
    client.get(f"/language/{language}?next=/report/start")
    client.get("/report/start")
    upload = SimpleUploadedFile("statement.pdf", pdf_open_action_and_attachment())
    client.post("/report/evidence", {"upload": "1", "file": upload})
    page = html.unescape(client.get("/report/evidence").content.decode())
    assert words in page


@pytest.mark.django_db
def test_the_wizard_escapes_a_name_with_markup(client: Client) -> None:
    client.get("/report/start")
    package = ole_package(b"<script>alert(1)</script>.exe", b"", EXECUTABLE)
    upload = SimpleUploadedFile("statement.docx", docx_with_package(package))
    client.post("/report/evidence", {"upload": "1", "file": upload})
    page = client.get("/report/evidence").content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.exe" in page
