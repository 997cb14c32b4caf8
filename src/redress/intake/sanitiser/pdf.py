"""PDF, read and rewritten with pypdf.

Removed: the document information dictionary (author, creator, producer, title, dates...), XMP
streams, application private data, authors of annotations, and EXIF/XMP/IPTC/comments inside
embedded JPEG pictures (removed segment by segment, pixels untouched).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final

from redress.intake.sanitiser.images import strip_jpeg
from redress.intake.sanitiser.shared import Refusal
from redress.intake.upload_words import (
    AUTHOR,
    CUSTOM_PROPERTIES,
    DATES,
    OTHER_DATA,
    PROGRAM,
    REVIEWERS,
    TITLE,
    XMP,
)

if TYPE_CHECKING:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, StreamObject


_PDF_INFO_LABELS: Final = {
    "/Author": AUTHOR,
    "/Creator": PROGRAM,
    "/Producer": PROGRAM,
    "/Title": TITLE,
    "/Subject": TITLE,
    "/Keywords": TITLE,
    "/CreationDate": DATES,
    "/ModDate": DATES,
    "/Trapped": None,  # a printing flag
}


def sanitise_pdf(data: bytes, keep_original: bool) -> tuple[bytes | None, list[str]]:
    from pypdf import PasswordType, PdfReader, PdfWriter  # only PDFs pay for importing it

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("") is not PasswordType.NOT_DECRYPTED
        except Exception:  # e.g. AES without the optional library
            opened = False
        if not opened:
            raise Refusal("protected")
    pages = len(reader.pages)
    found = _pdf_info_labels(reader)
    found += _pdf_clean_document(reader, remove=False)
    if keep_original:
        return None, found

    writer = PdfWriter(clone_from=reader)
    writer.metadata = None
    _pdf_clean_document(writer, remove=True)
    # Objects nothing points to any more (the old XMP, for one) would still be written out.
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    out = io.BytesIO()
    writer.write(out)
    cleaned = out.getvalue()

    check = PdfReader(io.BytesIO(cleaned))
    if len(check.pages) != pages or check.metadata:
        raise Refusal("unreadable")
    return cleaned, found


def _pdf_info_labels(reader: PdfReader) -> list[str]:
    info = reader.metadata
    if not info:
        return []
    found: list[str] = []
    for key, value in info.items():
        label = _PDF_INFO_LABELS.get(key, CUSTOM_PROPERTIES)
        if label is not None and str(value).strip():
            found.append(label)
    return found


def _pdf_clean_document(document: PdfReader | PdfWriter, *, remove: bool) -> list[str]:
    """What the catalogue, pages, annotations and pictures reveal; with ``remove``, remove it."""
    found: list[str] = []
    root = document.root_object
    found += _pdf_drop_keys(root, ("/Metadata",), XMP, remove=remove)
    found += _pdf_drop_keys(root, ("/PieceInfo",), OTHER_DATA, remove=remove)
    resources: list[DictionaryObject] = []
    for page in document.pages:
        found += _pdf_drop_keys(page, ("/Metadata",), XMP, remove=remove)
        found += _pdf_drop_keys(page, ("/PieceInfo",), OTHER_DATA, remove=remove)
        found += _pdf_annotation_authors(page.get("/Annots"), remove=remove)
        page_resources = page.get("/Resources")
        if page_resources is not None:
            resources.append(page_resources.get_object())
    for stream in _pdf_xobjects(resources):
        found += _pdf_drop_keys(stream, ("/Metadata",), XMP, remove=remove)
        found += _pdf_drop_keys(stream, ("/PieceInfo",), OTHER_DATA, remove=remove)
        if stream.get("/Subtype") == "/Image" and stream.get("/Filter") in (
            "/DCTDecode",
            ["/DCTDecode"],
        ):
            try:
                stripped, labels = strip_jpeg(stream.get_data(), keep_orientation=False)
            except Refusal:
                continue  # a picture we cannot parse stays as it is; the viewer decides
            found += labels
            if remove and labels:
                _set_encoded_data(stream, stripped)
    return found


def _set_encoded_data(stream: StreamObject, data: bytes) -> None:
    """Replace a stream's bytes as stored (still JPEG, still /DCTDecode).

    ``EncodedStreamObject.set_data`` would re-encode and refuses filters other than Flate; the
    base class stores what it is given.
    """
    from pypdf.generic import StreamObject

    StreamObject.set_data(stream, data)
    stream.decoded_self = None  # a cached decoding of the old bytes


def _pdf_drop_keys(dictionary: Any, keys: Iterable[str], label: str, *, remove: bool) -> list[str]:
    found: list[str] = []
    for key in keys:
        if key in dictionary:
            found.append(label)
            if remove:
                del dictionary[key]
    return found


def _pdf_annotation_authors(annotations: Any, *, remove: bool) -> list[str]:
    """Markup annotations (comments, highlights) carry their author in /T; form fields do not."""
    found: list[str] = []
    if annotations is None:
        return found
    for reference in annotations.get_object():
        annotation = reference.get_object()
        if not hasattr(annotation, "get") or annotation.get("/Subtype") == "/Widget":
            continue
        if str(annotation.get("/T", "")).strip():
            found.append(REVIEWERS)
            if remove:
                del annotation["/T"]
    return found


def _pdf_xobjects(resources: list[DictionaryObject]) -> Iterator[StreamObject]:
    """Every picture and form reachable from these resources, each once (forms nest)."""
    from pypdf.generic import DictionaryObject, StreamObject

    seen: set[int] = set()
    pending = list(resources)
    while pending:
        current = pending.pop()
        xobjects = current.get("/XObject")
        if xobjects is None:
            continue
        xobjects = xobjects.get_object()
        if not isinstance(xobjects, DictionaryObject):
            continue
        for reference in xobjects.values():
            stream = reference.get_object()
            if not isinstance(stream, StreamObject) or id(stream) in seen:
                continue
            seen.add(id(stream))
            yield stream
            nested = stream.get("/Resources")
            if nested is not None and isinstance(nested.get_object(), DictionaryObject):
                pending.append(nested.get_object())
