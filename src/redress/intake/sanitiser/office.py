"""Word documents (DOCX): a ZIP of XML parts, rewritten part by part.

Removed: the core, extended and custom properties are rewritten without author, last editor,
company, manager, title, dates and custom fields; names of commenters and of people who tracked
changes are blanked; JPEG and PNG pictures inside lose their metadata as in ``images``, but
losslessly. Active content goes too:

- every relationship with ``TargetMode="External"`` in any ``*.rels`` part: remote templates
  (``attachedTemplate``), external OLE objects, linked pictures, and hyperlinks too (their text
  stays, but it no longer points anywhere: a caseworker who wants the address reads it);
  attributes in the owning part that name a removed relationship (``r:id``, ``r:link``...) go
  with it;
- embedded OLE objects and ActiveX controls: every part under ``embeddings/`` or ``activeX/``,
  the relationships that point at them and their content-type overrides (the object's preview
  picture stays, so the page still shows where it was); the name a "Package" object gives the
  file it carries ("invoice.exe") is found by ``ole`` and told to the complainant;
- DDE fields: a ``w:fldSimple`` or complex field (``w:instrText`` runs, joined, entities decoded)
  whose instruction is ``DDE`` or ``DDEAUTO`` keeps its shown result but loses its instruction.

Every other part is copied unchanged. Archives too large, encrypted, with macros or with a DTD in
their XML are refused. The rewritten archive is read again and must hold none of the above.

Tools: the standard library's ``zipfile`` and ``xml.etree`` (after ``_check_xml`` has refused a
DTD, so no entity tricks), plus regular expressions over the bytes of Word's own parts, because
re-serialising them with ElementTree would rename their namespace prefixes and break
``mc:Ignorable``. oletools was evaluated and is not used: ``olevba``, ``oleobj`` and ``msodde``
detect macros, OLE objects, external relationships and DDE in OOXML but do not rewrite a file,
and their findings would have to be mapped back onto parts anyway; mat2 rewrites Office files
for metadata but keeps external relationships and embedded objects. The hand-written code is the
relationship, content-type and field rewriting, which no well-kept Python tool does.
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile
from typing import Final
from xml.etree import ElementTree
from xml.parsers import expat
from xml.sax.saxutils import escape

from redress.intake import filetypes
from redress.intake.sanitiser.images import PNG_SIGNATURE, filter_png, strip_jpeg
from redress.intake.sanitiser.ole import embedded_file_name
from redress.intake.sanitiser.shared import NAMES_LIMIT, Refusal
from redress.intake.upload_words import (
    ACTIVE_CONTENT,
    AUTHOR,
    COMPANY,
    CUSTOM_PROPERTIES,
    DATES,
    DDE_FIELDS,
    EMBEDDED_OBJECTS,
    LAST_EDITOR,
    OTHER_PROPERTIES,
    OUTSIDE_LINKS,
    REVIEWERS,
    TITLE,
    WEB_LINKS,
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
_WORD_XML_PART: Final = re.compile(r"word/(?:[^/]+/)*[^/]+\.xml")  # glossary and subfolders too
_ALLOWED_COMPRESSION: Final = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_RELATIONSHIPS_NS: Final = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_RELATIONSHIP: Final = re.compile(rb"<(?:[A-Za-z][\w.-]*:)?Relationship\b[^>]*?(?:/>|>\s*</[^>]*>)")
_OVERRIDE: Final = re.compile(rb"<(?:[A-Za-z][\w.-]*:)?Override\b[^>]*?(?:/>|>\s*</[^>]*>)")
_HYPERLINK_TYPE: Final = "/hyperlink"
# Folders whose parts are objects or controls that run: dropped whole.
_ACTIVE_FOLDER: Final = re.compile(r"(?:^|/)(?:embeddings|activeX)/", re.IGNORECASE)
_FIELD_SIMPLE: Final = re.compile(
    rb"""(<w:fldSimple\b[^>]*?\sw:instr\s*=\s*)(?:"([^"]*)"|'([^']*)')"""
)
_FIELD_PIECE: Final = re.compile(
    rb"<w:fldChar\b[^>]*?w:fldCharType\s*=\s*[\"'](begin|separate|end)[\"'][^>]*>"
    rb"|(<w:instrText\b[^>]*>)(.*?)(</w:instrText>)",
    re.DOTALL,
)
_DDE: Final = re.compile(r"\s*DDE(?:AUTO)?\b", re.IGNORECASE)


def sanitise_docx(data: bytes, keep_original: bool) -> tuple[bytes | None, list[str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = archive.infolist()
        _check_archive(entries)
        content_types = _read_entry(archive, archive.getinfo(_CONTENT_TYPES))
        if b"macroEnabled" in content_types:
            raise Refusal("macros")
        part_types = _part_types(content_types)
        dropped = {entry.filename for entry in entries if _ACTIVE_FOLDER.search(entry.filename)}
        found: list[str] = [EMBEDDED_OBJECTS] if dropped else []
        for entry in entries:
            if entry.filename in dropped and len(found) <= NAMES_LIMIT:
                found += embedded_file_name(_read_entry(archive, entry))
        relationships: dict[str, bytes] = {}  # cleaned .rels parts
        unlinked: dict[str, set[str]] = {}  # owning part: ids of the relationships removed
        for entry in entries:
            if entry.filename.endswith(".rels") and entry.filename not in dropped:
                owner = _owner_of(entry.filename)
                cleaned_rels, ids, labels = _clean_relationships(
                    entry.filename, _read_entry(archive, entry), dropped
                )
                relationships[entry.filename] = cleaned_rels
                found += labels
                if ids:
                    unlinked[owner] = ids
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as cleaned_archive:
            for entry in entries:
                if entry.filename in dropped:
                    continue
                body = relationships.get(entry.filename) or _read_entry(archive, entry)
                if entry.filename == _CONTENT_TYPES:
                    body = _drop_overrides(body, dropped)
                cleaned_body, labels = _clean_part(entry.filename, body, part_types)
                if entry.filename in unlinked:
                    cleaned_body = _drop_references(cleaned_body, unlinked[entry.filename])
                found += labels
                if not keep_original:
                    # A fresh entry: no timestamps of when it was saved, no owner or uid extras.
                    fresh = zipfile.ZipInfo(entry.filename, date_time=(1980, 1, 1, 0, 0, 0))
                    fresh.compress_type = entry.compress_type
                    cleaned_archive.writestr(fresh, cleaned_body)
    if keep_original:
        if any(label in ACTIVE_CONTENT for label in found):
            raise Refusal("active_kept")
        return None, found
    cleaned = out.getvalue()
    _check_inert(cleaned)
    return cleaned, found


def _owner_of(rels_name: str) -> str:
    """``word/_rels/document.xml.rels`` belongs to ``word/document.xml``."""
    folder, name = posixpath.split(rels_name)
    return posixpath.join(posixpath.dirname(folder), name.removesuffix(".rels"))


def _clean_relationships(
    name: str, body: bytes, dropped: set[str]
) -> tuple[bytes, set[str], list[str]]:
    """(the part without outside or dropped targets, the ids removed, what they were)."""
    _check_xml(body)
    base = posixpath.dirname(_owner_of(name))
    removed: set[str] = set()
    found: list[str] = []

    def keep_or_drop(match: re.Match[bytes]) -> bytes:
        element = ElementTree.fromstring(match.group(0))  # noqa: S314 - checked, without a DTD
        target = element.get("Target", "")
        kind = element.get("Type", "")
        if element.get("TargetMode", "").lower() == "external":
            found.append(WEB_LINKS if kind.endswith(_HYPERLINK_TYPE) else OUTSIDE_LINKS)
        elif _resolve(base, target) in dropped:
            found.append(EMBEDDED_OBJECTS)
        else:
            return match.group(0)
        removed.add(element.get("Id", ""))
        return b""

    cleaned = _RELATIONSHIP.sub(keep_or_drop, body)
    return (cleaned if removed else body), removed, found


def _resolve(base: str, target: str) -> str:
    path = target.split("#", 1)[0]
    if path.startswith("/"):
        return posixpath.normpath(path.lstrip("/"))
    return posixpath.normpath(posixpath.join(base, path))


def _drop_overrides(body: bytes, dropped: set[str]) -> bytes:
    if not dropped:
        return body

    def keep_or_drop(match: re.Match[bytes]) -> bytes:
        element = ElementTree.fromstring(match.group(0))  # noqa: S314 - small, no DTD possible
        return b"" if element.get("PartName", "").lstrip("/") in dropped else match.group(0)

    return _OVERRIDE.sub(keep_or_drop, body)


def _drop_references(body: bytes, ids: set[str]) -> bytes:
    """Remove attributes (``r:id``, ``r:link``, ``r:embed``...) naming a removed relationship."""
    for identifier in ids - {""}:
        value = re.escape(escape(identifier, {'"': "&quot;"}).encode())
        body = re.sub(rb"\s[A-Za-z][\w.-]*:[A-Za-z][\w.-]*\s*=\s*\"" + value + rb"\"", b"", body)
    return body


def _remove_dde(body: bytes) -> tuple[bytes, list[str]]:
    """Empty the instruction of every DDE field, simple or complex; the shown result stays."""
    found: list[str] = []

    def simple(match: re.Match[bytes]) -> bytes:
        instruction = (match.group(2) or match.group(3) or b"").decode("utf-8", "replace")
        if not _DDE.match(html.unescape(instruction)):
            return match.group(0)
        found.append(DDE_FIELDS)
        return match.group(1) + b'""'

    body = _FIELD_SIMPLE.sub(simple, body)
    # Complex fields: the instruction may be split over many w:instrText runs, fields may nest.
    # Each open field holds its instruction pieces, or None once past its separator.
    blanks: list[tuple[int, int]] = []
    open_fields: list[list[tuple[int, int, bytes]] | None] = []
    for match in _FIELD_PIECE.finditer(body):
        piece = match.group(1)
        if piece == b"begin":
            open_fields.append([])
        elif piece in (b"separate", b"end"):
            if open_fields:
                pieces = open_fields[-1]
                if pieces is not None:
                    _judge_field(pieces, blanks, found)
                if piece == b"end":
                    open_fields.pop()
                else:
                    open_fields[-1] = None
        else:
            text = (match.start(3), match.end(3), match.group(3))
            current = open_fields[-1] if open_fields else None
            if current is None:  # an instruction outside any field's: judged on its own
                _judge_field([text], blanks, found)
            else:
                current.append(text)
    for field in open_fields:  # a field never closed is still judged
        if field is not None:
            _judge_field(field, blanks, found)
    for start, end in sorted(blanks, reverse=True):
        body = body[:start] + body[end:]
    return body, found


def _judge_field(
    pieces: list[tuple[int, int, bytes]], blanks: list[tuple[int, int]], found: list[str]
) -> None:
    instruction = html.unescape(b"".join(text for _, _, text in pieces).decode("utf-8", "replace"))
    if _DDE.match(instruction):
        found.append(DDE_FIELDS)
        blanks.extend((start, end) for start, end, _ in pieces)


def _check_inert(cleaned: bytes) -> None:
    """Read the rewritten archive again: nothing outside, no objects, no DDE, or refuse."""
    with zipfile.ZipFile(io.BytesIO(cleaned)) as archive:
        for entry in archive.infolist():
            if _ACTIVE_FOLDER.search(entry.filename):
                raise Refusal("unreadable")
            body = archive.read(entry)
            if entry.filename.endswith(".rels"):
                for element in _parse_xml(body).iter(f"{_RELATIONSHIPS_NS}Relationship"):
                    if element.get("TargetMode", "").lower() == "external":
                        raise Refusal("unreadable")
            elif _WORD_XML_PART.fullmatch(entry.filename) and _remove_dde(body)[1]:
                raise Refusal("unreadable")


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
        body, dde = _remove_dde(body)
        body, reviewers = _blank_reviewers(body)
        return body, dde + reviewers
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
