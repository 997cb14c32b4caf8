"""Word documents (DOCX): a ZIP of XML parts, rewritten part by part.

Removed: the core, extended and custom properties are rewritten without author, last editor,
company, manager, title, dates and custom fields; names of commenters and of people who tracked
changes are blanked; JPEG and PNG pictures inside lose their metadata as in ``images``, but
losslessly. Every other part is copied unchanged. Archives too large, encrypted, with macros or
with a DTD in their XML are refused.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Final
from xml.etree import ElementTree
from xml.parsers import expat
from xml.sax.saxutils import escape

from redress.intake import filetypes
from redress.intake.sanitiser.images import PNG_SIGNATURE, filter_png, strip_jpeg
from redress.intake.sanitiser.shared import Refusal
from redress.intake.upload_words import (
    AUTHOR,
    COMPANY,
    CUSTOM_PROPERTIES,
    DATES,
    LAST_EDITOR,
    OTHER_PROPERTIES,
    REVIEWERS,
    TITLE,
)

_CONTENT_TYPES: Final = "[Content_Types].xml"
_CORE_TYPE: Final = "application/vnd.openxmlformats-package.core-properties+xml"
_APP_TYPE: Final = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
_CUSTOM_TYPE: Final = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_CONTENT_TYPES_NS: Final = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_APP_NS: Final = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
_VT_NS: Final = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_CUSTOM_NS: Final = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_XML_DECLARATION: Final = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_EMPTY_CORE: Final = (
    _XML_DECLARATION + "<cp:coreProperties"
    ' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
    ' xmlns:dcterms="http://purl.org/dc/terms/"'
    ' xmlns:dcmitype="http://purl.org/dc/dcmitype/"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
).encode()
_EMPTY_CUSTOM: Final = (
    _XML_DECLARATION + f'<Properties xmlns="{_CUSTOM_NS}" xmlns:vt="{_VT_NS}"/>'
).encode()
_CORE_LABELS: Final = {
    "creator": AUTHOR,
    "lastModifiedBy": LAST_EDITOR,
    "title": TITLE,
    "subject": TITLE,
    "keywords": TITLE,
    "description": TITLE,
    "category": TITLE,
    "created": DATES,
    "modified": DATES,
    "lastPrinted": DATES,
}
_APP_LABELS: Final = {
    "Company": COMPANY,
    "Manager": COMPANY,
    "TitlesOfParts": TITLE,
    "Template": OTHER_PROPERTIES,
    "HyperlinkBase": OTHER_PROPERTIES,
}
# Extended properties that only count or describe the program: kept.
_APP_KEPT: Final = (
    "Application",
    "AppVersion",
    "DocSecurity",
    "ScaleCrop",
    "LinksUpToDate",
    "SharedDoc",
    "HyperlinksChanged",
    "TotalTime",
    "Pages",
    "Words",
    "Characters",
    "CharactersWithSpaces",
    "Lines",
    "Paragraphs",
)
# Names of commenters and of people who tracked changes, and their account ids (people.xml).
_REVIEWER_ATTRIBUTE: Final = re.compile(
    rb"""(\s[A-Za-z][A-Za-z0-9]*:(?:author|initials|userId)\s*=\s*)(?:"([^"]*)"|'([^']*)')"""
)
_WORD_XML_PART: Final = re.compile(r"word/[^/]+\.xml")
_ALLOWED_COMPRESSION: Final = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def sanitise_docx(data: bytes, keep_original: bool) -> tuple[bytes | None, list[str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = archive.infolist()
        _check_archive(entries)
        content_types = _read_entry(archive, archive.getinfo(_CONTENT_TYPES))
        if b"macroEnabled" in content_types:
            raise Refusal("macros")
        part_types = _part_types(content_types)
        found: list[str] = []
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as cleaned_archive:
            for entry in entries:
                body = _read_entry(archive, entry)
                cleaned_body, labels = _clean_part(entry.filename, body, part_types)
                found += labels
                if not keep_original:
                    # A fresh entry: no timestamps of when it was saved, no owner or uid extras.
                    fresh = zipfile.ZipInfo(entry.filename, date_time=(1980, 1, 1, 0, 0, 0))
                    fresh.compress_type = entry.compress_type
                    cleaned_archive.writestr(fresh, cleaned_body)
    if keep_original:
        return None, found
    return out.getvalue(), found


def _check_archive(entries: list[zipfile.ZipInfo]) -> None:
    if len(entries) > filetypes.MAX_ARCHIVE_ENTRIES:
        raise Refusal("too_complex")
    if sum(entry.file_size for entry in entries) > filetypes.MAX_ARCHIVE_BYTES:
        raise Refusal("too_complex")
    names = [entry.filename for entry in entries]
    if len(set(names)) != len(names):  # two parts of one name: which one would Word read?
        raise Refusal("unreadable")
    if any(entry.flag_bits & 0x1 for entry in entries):
        raise Refusal("protected")
    if any(entry.compress_type not in _ALLOWED_COMPRESSION for entry in entries):
        raise Refusal("unreadable")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise Refusal("macros")
    if not {_CONTENT_TYPES, "word/document.xml"} <= set(names):
        raise Refusal("unreadable")


def _read_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bytes:
    """An entry's content, never more than its directory promised (the CRC is checked)."""
    with archive.open(entry) as member:
        body = member.read(entry.file_size + 1)
    if len(body) != entry.file_size:
        raise Refusal("unreadable")
    return body


def _part_types(content_types: bytes) -> dict[str, str]:
    """Part name (without the leading slash) to content type, from the overrides."""
    root = _parse_xml(content_types)
    types: dict[str, str] = {}
    for override in root.iter(f"{_CONTENT_TYPES_NS}Override"):
        name, content_type = override.get("PartName", ""), override.get("ContentType", "")
        types[name.lstrip("/")] = content_type
    return types


def _clean_part(name: str, body: bytes, part_types: dict[str, str]) -> tuple[bytes, list[str]]:
    """A part's cleaned content and what the original revealed."""
    part_type = part_types.get(name, "")
    if part_type == _CORE_TYPE or name == "docProps/core.xml":
        return _EMPTY_CORE, _core_labels(_parse_xml(body))
    if part_type == _APP_TYPE or name == "docProps/app.xml":
        return _clean_app(_parse_xml(body))
    if part_type == _CUSTOM_TYPE or name == "docProps/custom.xml":
        root = _parse_xml(body)
        return _EMPTY_CUSTOM, ([CUSTOM_PROPERTIES] if len(root) else [])
    if name == _CONTENT_TYPES:
        return body, []
    if _WORD_XML_PART.fullmatch(name):
        _check_xml(body)
        return _blank_reviewers(body)
    if body.startswith(b"\xff\xd8\xff"):
        return _embedded_picture(body, jpeg=True)
    if body.startswith(PNG_SIGNATURE):
        return _embedded_picture(body, jpeg=False)
    return body, []


def _core_labels(root: ElementTree.Element) -> list[str]:
    found: list[str] = []
    for child in root:
        local_name = child.tag.rsplit("}", 1)[-1]
        if (child.text or "").strip() or len(child):
            found.append(_CORE_LABELS.get(local_name, OTHER_PROPERTIES))
    return found


def _clean_app(root: ElementTree.Element) -> tuple[bytes, list[str]]:
    """Extended properties rebuilt from the harmless ones (counts, the program's name)."""
    found: list[str] = []
    kept: dict[str, str] = {}
    for child in root:
        local_name = child.tag.rsplit("}", 1)[-1]
        if local_name in _APP_KEPT and not len(child):
            kept[local_name] = (child.text or "").strip()
        elif local_name in _APP_LABELS and ((child.text or "").strip() or len(child)):
            found.append(_APP_LABELS[local_name])
    elements = "".join(
        f"<{name}>{escape(kept[name])}</{name}>" for name in _APP_KEPT if name in kept
    )
    rebuilt = (
        f'{_XML_DECLARATION}<Properties xmlns="{_APP_NS}" xmlns:vt="{_VT_NS}">'
        f"{elements}</Properties>"
    )
    return rebuilt.encode(), found


def _blank_reviewers(body: bytes) -> tuple[bytes, list[str]]:
    """Blank w:author, w:initials and w15:userId values; unchanged bytes when there are none."""
    if not any(match.group(2) or match.group(3) for match in _REVIEWER_ATTRIBUTE.finditer(body)):
        return body, []
    return _REVIEWER_ATTRIBUTE.sub(rb'\1""', body), [REVIEWERS]


def _embedded_picture(body: bytes, *, jpeg: bool) -> tuple[bytes, list[str]]:
    """A picture inside a document, cleaned losslessly; kept as it is if we cannot parse it."""
    try:
        if jpeg:
            return strip_jpeg(body, keep_orientation=True)
        cleaned, found = filter_png(body)
    except Refusal:
        return body, []
    return (cleaned, found) if found else (body, [])


def _parse_xml(body: bytes) -> ElementTree.Element:
    """Parse a small XML part (properties, content types) once ``_check_xml`` has passed it."""
    _check_xml(body)
    return ElementTree.fromstring(body)  # noqa: S314 - well-formed and without a DTD


def _check_xml(body: bytes) -> None:
    """Refuse XML that is not well-formed or has a DTD: OOXML has none; entity bombs need one.

    Streams through expat without building a tree, so a large document.xml costs little memory.
    """
    parser = expat.ParserCreate()

    def refuse(*_: object) -> None:
        raise Refusal("unreadable")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(body, True)
    except expat.ExpatError:
        raise Refusal("unreadable") from None
