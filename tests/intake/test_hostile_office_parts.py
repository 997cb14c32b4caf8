"""Outside links hide in every part of a Word file, not only the document: each part type here
gets one (a linked picture, object, frame or template), and the cleaned file is read again,
part by part, to hold none. Excel and PowerPoint files are not accepted at all."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree

import pytest

from redress.intake import upload_words
from redress.intake.sandbox import clean
from redress.intake.upload_words import UploadRefused
from tests.intake import samples
from tests.intake.test_hostile_files import OUTSIDE, RELS, WORD

PART_TYPES = {
    "header": "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml",
    "footer": "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml",
    "numbering": "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml",
    "styles": "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml",
    "footnotes": "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
    "endnotes": "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml",
    "comments": "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml",
    "webSettings": "application/vnd.openxmlformats-officedocument.wordprocessingml.webSettings+xml",
    "fontTable": "application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml",
    "settings": "application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml",
}
# (part, its root element, a reference to the outside relationship, the relationship's type)
PARTS = [
    ("header1.xml", "hdr", '<w:p><w:r><w:pict r:id="rId7"/></w:r></w:p>', "image"),
    ("footer1.xml", "ftr", '<w:p><w:r><w:object r:id="rId7"/></w:r></w:p>', "oleObject"),
    (
        "numbering.xml",
        "numbering",
        '<w:numPicBullet w:numPicBulletId="0"><w:pict r:id="rId7"/></w:numPicBullet>',
        "image",
    ),
    ("styles.xml", "styles", '<w:style w:styleId="x"><w:name r:id="rId7"/></w:style>', "image"),
    ("footnotes.xml", "footnotes", '<w:footnote w:id="1"><w:p r:id="rId7"/></w:footnote>', "image"),
    ("endnotes.xml", "endnotes", '<w:endnote w:id="1"><w:p r:id="rId7"/></w:endnote>', "hyperlink"),
    ("comments.xml", "comments", '<w:comment w:id="1"><w:p r:id="rId7"/></w:comment>', "image"),
    ("webSettings.xml", "webSettings", '<w:frameset><w:frame r:id="rId7"/></w:frameset>', "frame"),
    ("fontTable.xml", "fonts", '<w:font w:name="x"><w:embedRegular r:id="rId7"/></w:font>', "font"),
    ("settings.xml", "settings", '<w:attachedTemplate r:id="rId7"/>', "attachedTemplate"),
]


def docx_with_outside_link(part: str, root: str, reference: str, kind: str) -> bytes:
    """A Word file whose ``part`` (linked from the document) points outside through its own
    relationships."""
    content_types = samples.CONTENT_TYPES.replace(
        b"</Types>",
        f'<Override PartName="/word/{part}" ContentType="{PART_TYPES[part[:-4].rstrip("1")]}"/>'
        "</Types>".encode(),
    )
    body = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:{root} xmlns:w="{WORD}" xmlns:r="{RELS}">{reference}</w:{root}>'
    )
    relationships = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId7" Type="{RELS}/{kind}" Target="{OUTSIDE}/{kind}"'
        ' TargetMode="External"/></Relationships>'
    )
    document_relationships = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{RELS}/{part[:-4].rstrip("1")}" Target="{part}"/>'
        "</Relationships>"
    )
    return samples.docx(
        content_types=content_types,
        extra={
            "word/_rels/document.xml.rels": document_relationships.encode(),
            f"word/{part}": body.encode(),
            f"word/_rels/{part}.rels": relationships.encode(),
        },
    )


def assert_every_part_reads(data: bytes) -> None:
    """Every XML part of the cleaned file parses, and none points outside or names the address."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        for name in archive.namelist():
            assert OUTSIDE.encode() not in archive.read(name), name
            if name.endswith((".xml", ".rels")):
                root = ElementTree.fromstring(archive.read(name))  # noqa: S314 - our own output
                for element in root.iter():
                    assert element.get("TargetMode") != "External", name
                    assert not any(OUTSIDE in value for value in element.attrib.values()), name


@pytest.mark.parametrize(("part", "root", "reference", "kind"), PARTS)
def test_an_outside_link_goes_from_every_part_type(
    part: str, root: str, reference: str, kind: str
) -> None:
    original = docx_with_outside_link(part, root, reference, kind)
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        assert OUTSIDE.encode() in archive.read(f"word/_rels/{part}.rels")

    cleaned = clean(original, filename="statement.docx")

    assert_every_part_reads(cleaned.data)
    label = upload_words.WEB_LINKS if kind == "hyperlink" else upload_words.OUTSIDE_LINKS
    assert label in cleaned.removed
    with zipfile.ZipFile(io.BytesIO(cleaned.data)) as archive:
        cleaned_part = archive.read(f"word/{part}")
        assert b'r:id="rId7"' not in cleaned_part  # the reference went with its relationship
        assert f"<w:{root}".encode() in cleaned_part  # the part itself stays


def test_an_outside_link_at_the_package_level_goes_too() -> None:
    relationships = samples.RELATIONSHIPS.replace(
        b"</Relationships>",
        f'<Relationship Id="rId99" Type="{RELS}/hyperlink" Target="{OUTSIDE}/package"'
        ' TargetMode="External"/></Relationships>'.encode(),
    )
    original = samples.docx(extra={"_rels/.rels": relationships})
    cleaned = clean(original)
    assert_every_part_reads(cleaned.data)


def _office_archive(parts: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


OUTSIDE_RELATIONSHIP = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{RELS}/externalLinkPath" Target="{OUTSIDE}/book.xlsx"'
    ' TargetMode="External"/></Relationships>'
)


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        (
            "book.xlsx",
            {
                "[Content_Types].xml": "<Types/>",
                "xl/workbook.xml": "<workbook/>",
                "xl/externalLinks/externalLink1.xml": "<externalLink/>",
                "xl/externalLinks/_rels/externalLink1.xml.rels": OUTSIDE_RELATIONSHIP,
            },
        ),
        (
            "slides.pptx",
            {
                "[Content_Types].xml": "<Types/>",
                "ppt/presentation.xml": "<presentation/>",
                "ppt/slides/slide1.xml": "<sld/>",
                "ppt/slides/_rels/slide1.xml.rels": OUTSIDE_RELATIONSHIP,
            },
        ),
    ],
)
def test_excel_and_powerpoint_files_are_not_accepted(name: str, parts: dict[str, str]) -> None:
    for filename in (name, "statement.docx", "plain"):
        with pytest.raises(UploadRefused) as refused:
            clean(_office_archive(parts), filename=filename)
        assert refused.value.reason in (upload_words.NOT_ACCEPTED, upload_words.DISGUISED)
