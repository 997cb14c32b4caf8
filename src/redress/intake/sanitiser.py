"""The upload sanitiser: the child process that parses uploads, so that the web process never does.

``redress.intake.uploads`` runs it once per upload as::

    python -B -m redress.intake.sanitiser KIND --cpu-seconds=N --memory-bytes=N [--keep-original]

with the file on standard input. Before reading a byte it limits itself: address space, CPU
seconds, no files written, no core dumps (a dump would hold the evidence), few descriptors.
It answers on standard output with one JSON line, then the cleaned file when there is one::

    {"ok": true, "found": ["location (GPS)", "camera make and model"], "length": 48213}
    <48213 bytes>

    {"ok": false, "reason": "unreadable", "detail": "UnidentifiedImageError"}

``found`` uses only the words in ``uploads.LABELS``; everything found is removed unless
``--keep-original`` was given, in which case no file follows (``length`` is 0).

What is removed:

- JPEG: re-saved by Pillow with the original quantisation tables and subsampling, keeping only
  the pixels, the colour profile and the orientation (so the picture still looks right). EXIF
  (location, camera, serial numbers, owner, software, dates, thumbnail), XMP, IPTC, comments,
  other application segments and extra pictures (MPO, trailers) are dropped.
- PNG: chunks are filtered losslessly. Only those needed to draw the picture are kept; text
  chunks (tEXt, zTXt, iTXt), eXIf (but the orientation), tIME and private chunks are dropped.
- PDF: the document information dictionary (author, creator, producer, title, dates...), XMP
  streams, application private data, authors of annotations, and EXIF/XMP/IPTC/comments inside
  embedded JPEG pictures (removed segment by segment, pixels untouched).
- DOCX: the core, extended and custom properties are rewritten without author, last editor,
  company, manager, title, dates and custom fields; names of commenters and of people who
  tracked changes are blanked; JPEG and PNG pictures inside lose their metadata as above, but
  losslessly. Every other part is copied unchanged.

This module imports only the standard library, Pillow and pypdf (and ``uploads`` for the shared
words and limits), never Django: the child has no settings.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import resource
import sys
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final
from xml.etree import ElementTree
from xml.parsers import expat
from xml.sax.saxutils import escape

from PIL import ExifTags, Image, JpegImagePlugin

from redress.intake import uploads
from redress.intake.uploads import (
    AUTHOR,
    CAMERA,
    CAMERA_OTHER,
    COMMENTS,
    COMPANY,
    CUSTOM_PROPERTIES,
    DATES,
    EXTRA_PICTURES,
    GPS,
    IPTC,
    LAST_EDITOR,
    OTHER_DATA,
    OTHER_PROPERTIES,
    OWNER,
    PROGRAM,
    REVIEWERS,
    SERIALS,
    SOFTWARE,
    TEXT_NOTES,
    THUMBNAIL,
    TITLE,
    XMP,
)

if TYPE_CHECKING:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, StreamObject

ORIENTATION: Final = 0x0112
PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
DESCRIPTORS: Final = 32


class Refusal(Exception):
    """The file cannot be accepted; ``reason`` is a key of ``uploads.REASONS``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# ---------------------------------------------------------------------------------------------
# The process


def limit_resources(*, cpu_seconds: int, memory_bytes: int) -> None:
    """Cap this process: address space, CPU time, no file writes, no core dumps, few files.

    CPU time beyond ``cpu_seconds`` brings SIGXCPU and a second later SIGKILL. Limits only ever
    go down: a limit already lower than asked is kept.
    """
    _lower(resource.RLIMIT_AS, memory_bytes, memory_bytes)
    _lower(resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 1)
    _lower(resource.RLIMIT_FSIZE, 0, 0)
    _lower(resource.RLIMIT_CORE, 0, 0)
    _lower(resource.RLIMIT_NOFILE, DESCRIPTORS, DESCRIPTORS)


def _lower(limit: int, soft: int, hard: int) -> None:
    current_soft, current_hard = resource.getrlimit(limit)
    if current_hard != resource.RLIM_INFINITY:
        hard = min(hard, current_hard)
    if current_soft != resource.RLIM_INFINITY:
        soft = min(soft, current_soft)
    resource.setrlimit(limit, (min(soft, hard), hard))


def _configure_parsers() -> None:
    Image.MAX_IMAGE_PIXELS = uploads.MAX_PIXELS
    # Pillow warns between one and two times the limit and raises beyond; both are a refusal.
    warnings.simplefilter("error", Image.DecompressionBombWarning)


def main(argv: list[str] | None = None) -> int:
    """Read one file from standard input and answer on standard output; see the module."""
    parser = argparse.ArgumentParser(prog="python -m redress.intake.sanitiser")
    parser.add_argument("kind", choices=sorted(uploads.PARSED_KINDS))
    parser.add_argument("--cpu-seconds", type=int, required=True)
    parser.add_argument("--memory-bytes", type=int, required=True)
    parser.add_argument("--keep-original", action="store_true")
    arguments = parser.parse_args(argv)
    limit_resources(cpu_seconds=arguments.cpu_seconds, memory_bytes=arguments.memory_bytes)
    _configure_parsers()

    data = sys.stdin.buffer.read(uploads.MAX_BYTES + 1)
    try:
        if len(data) > uploads.MAX_BYTES:
            raise Refusal("too_complex")
        cleaned, found = sanitise(arguments.kind, data, keep_original=arguments.keep_original)
    except Refusal as refusal:
        _answer({"ok": False, "reason": refusal.reason})
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, MemoryError) as error:
        _answer({"ok": False, "reason": "too_complex", "detail": type(error).__name__})
    except Exception as error:  # whatever a parser raises, the file is unreadable
        reason = "too_complex" if type(error).__name__ == "LimitReachedError" else "unreadable"
        _answer({"ok": False, "reason": reason, "detail": type(error).__name__})
    else:
        body = b"" if cleaned is None else cleaned
        _answer({"ok": True, "found": found, "length": len(body)}, body)
    return 0


def _answer(header: dict[str, Any], body: bytes = b"") -> None:
    out = sys.stdout.buffer
    out.write(json.dumps(header).encode() + b"\n")
    out.write(body)
    out.flush()


def sanitise(kind: str, data: bytes, *, keep_original: bool) -> tuple[bytes | None, list[str]]:
    """(cleaned bytes, or None when keeping the original; what the original carried).

    Raises ``Refusal`` for files it will not take, and lets a parser's own error through for
    files it cannot read. Expects ``main``'s limits and Pillow settings.
    """
    handlers: dict[str, Callable[[bytes, bool], tuple[bytes | None, list[str]]]] = {
        "jpeg": _jpeg,
        "png": _png,
        "pdf": _pdf,
        "docx": _docx,
    }
    cleaned, found = handlers[kind](data, keep_original)
    return cleaned, list(dict.fromkeys(found))


# ---------------------------------------------------------------------------------------------
# EXIF, wherever it is found

_IFD0_LABELS: Final = {
    0x010F: CAMERA,  # Make
    0x0110: CAMERA,  # Model
    0x0131: SOFTWARE,
    0x013C: SOFTWARE,  # HostComputer
    0x013B: OWNER,  # Artist
    0x8298: OWNER,  # Copyright
    0x9C9D: OWNER,  # XPAuthor
    0x0132: DATES,  # DateTime
    0x010E: TEXT_NOTES,  # ImageDescription
    0x9C9B: TEXT_NOTES,  # XPTitle
    0x9C9C: COMMENTS,  # XPComment
    0x9C9E: TEXT_NOTES,  # XPKeywords
    0x9C9F: TEXT_NOTES,  # XPSubject
}
_EXIF_IFD_LABELS: Final = {
    0x9003: DATES,  # DateTimeOriginal
    0x9004: DATES,  # DateTimeDigitized
    0x9010: DATES,  # OffsetTime
    0x9011: DATES,
    0x9012: DATES,
    0x9290: DATES,  # SubSecTime
    0x9291: DATES,
    0x9292: DATES,
    0x9286: COMMENTS,  # UserComment
    0xA430: OWNER,  # CameraOwnerName
    0xA431: SERIALS,  # BodySerialNumber
    0xA435: SERIALS,  # LensSerialNumber
    0xA432: CAMERA,  # LensSpecification
    0xA433: CAMERA,  # LensMake
    0xA434: CAMERA,  # LensModel
}
# Tags that say how to draw the picture, not who took it or with what.
_EXIF_IFD_TECHNICAL: Final = frozenset({0x9000, 0x9101, 0xA000, 0xA001, 0xA002, 0xA003, 0xA005})


def _load_exif(data: bytes) -> Image.Exif | None:
    """An EXIF block (TIFF, with or without the ``Exif\\0\\0`` prefix), None if unreadable."""
    exif = Image.Exif()
    try:
        exif.load(data)
    except Exception:  # broken EXIF is no reason to refuse a picture; it is removed regardless
        return None
    return exif


def _exif_labels(exif: Image.Exif | None) -> list[str]:
    """What an EXIF block reveals, in the words of ``uploads.LABELS``."""
    if exif is None:
        return [CAMERA_OTHER]
    found: list[str] = []
    try:
        for tag, value in exif.items():
            if tag in _IFD0_LABELS and _has_value(value):
                found.append(_IFD0_LABELS[tag])
        if any(tag != 0 for tag in exif.get_ifd(ExifTags.IFD.GPSInfo)):  # 0 is only a version
            found.append(GPS)
        for tag, value in exif.get_ifd(ExifTags.IFD.Exif).items():
            if tag in _EXIF_IFD_TECHNICAL or not _has_value(value):
                continue
            found.append(_EXIF_IFD_LABELS.get(tag, CAMERA_OTHER))
        if exif.get_ifd(ExifTags.IFD.IFD1):
            found.append(THUMBNAIL)
    except Exception:  # EXIF we cannot read is still EXIF, and still removed
        found.append(CAMERA_OTHER)
    return found


def _has_value(value: object) -> bool:
    if isinstance(value, str):
        return bool(value.strip("\x00 "))
    if isinstance(value, bytes):
        return bool(value.strip(b"\x00 "))
    return value is not None


def _orientation(exif: Image.Exif | None) -> int | None:
    if exif is None:
        return None
    try:
        value = exif.get(ORIENTATION)
    except Exception:  # no readable orientation means the default one
        return None
    return value if isinstance(value, int) and 2 <= value <= 8 else None


def _orientation_exif(orientation: int | None) -> bytes:
    """A minimal EXIF block (``Exif\\0\\0`` + TIFF) holding only the orientation, or nothing."""
    if orientation is None:
        return b""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    return exif.tobytes()


def _application_segment_labels(marker: str, payload: bytes) -> list[str]:
    """What one JPEG application segment or comment reveals; [] for those we keep."""
    if marker == "APP1" and payload.startswith(b"Exif\x00"):
        return _exif_labels(_load_exif(payload))
    if marker == "APP1" and payload.startswith(
        (b"http://ns.adobe.com/xap/1.0/", b"http://ns.adobe.com/xmp/extension/")
    ):
        return [XMP]
    if marker == "APP13":
        return [IPTC]
    if marker == "COM":
        return [COMMENTS] if payload.strip(b"\x00 ") else []
    if marker == "APP0" and payload.startswith(b"JFXX"):
        return [THUMBNAIL]
    if marker == "APP2" and payload.startswith(b"MPF"):
        return [EXTRA_PICTURES]
    if _kept_segment(marker, payload):
        return []
    return [OTHER_DATA]


def _kept_segment(marker: str, payload: bytes) -> bool:
    """JFIF, the colour profile and Adobe's colour transform: needed to draw the picture."""
    return (
        (marker == "APP0" and payload.startswith(b"JFIF\x00"))
        or (marker == "APP2" and payload.startswith(b"ICC_PROFILE\x00"))
        or (marker == "APP14" and payload.startswith(b"Adobe"))
    )


# ---------------------------------------------------------------------------------------------
# JPEG


def _jpeg(data: bytes, keep_original: bool) -> tuple[bytes | None, list[str]]:
    with Image.open(io.BytesIO(data), formats=["JPEG"]) as picture:
        if not isinstance(picture, JpegImagePlugin.JpegImageFile):
            raise Refusal("unreadable")
        found: list[str] = []
        for marker, payload in picture.applist:
            found += _application_segment_labels(marker, payload)
        if getattr(picture, "n_frames", 1) > 1:
            found.append(EXTRA_PICTURES)
        end = _jpeg_end(data)
        if end is not None and data[end:].strip(b"\x00") and EXTRA_PICTURES not in found:
            found.append(OTHER_DATA)
        picture.load()
        if keep_original:
            return None, found
        out = io.BytesIO()
        # Not quality="keep", which Pillow allows only for format JPEG and not MPO; the same
        # tables and subsampling are what "keep" would use.
        qtables = getattr(picture, "quantization", None) or None
        options: dict[str, Any] = (
            {"qtables": qtables, "subsampling": JpegImagePlugin.get_sampling(picture)}
            if qtables
            else {"quality": 95}
        )
        if picture.info.get("icc_profile"):
            options["icc_profile"] = picture.info["icc_profile"]
        if picture.info.get("dpi"):
            options["dpi"] = picture.info["dpi"]
        picture.save(
            out,
            format="JPEG",
            exif=_orientation_exif(_orientation(_load_exif(picture.info.get("exif", b"")))),
            comment=b"",  # Pillow would otherwise copy the original's comment
            progressive=bool(picture.info.get("progressive")),
            **options,
        )
    cleaned = out.getvalue()
    _check_picture(cleaned, "JPEG")
    return cleaned, found


def _check_picture(data: bytes, image_format: str) -> None:
    """Decode the whole picture: what we store must be readable."""
    with Image.open(io.BytesIO(data), formats=[image_format]) as picture:
        picture.load()


def _jpeg_segments(data: bytes) -> Iterator[tuple[int, int, int]]:
    """(marker, start, end) of each segment up to and including EOI; SOS runs to the next marker.

    Entropy-coded data belongs to the SOS before it (stuffed 0xFF00 and restart markers are not
    markers). Raises ``Refusal`` when the structure is broken.
    """
    if not data.startswith(b"\xff\xd8"):
        raise Refusal("unreadable")
    position = 2
    while True:
        if position + 1 >= len(data) or data[position] != 0xFF:
            raise Refusal("unreadable")
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte before a marker
            position += 1
            continue
        if marker == 0xD9:
            yield marker, position, position + 2
            return
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            yield marker, position, position + 2
            position += 2
            continue
        if marker in (0x00, 0xD8):
            raise Refusal("unreadable")
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        end = position + 2 + length
        if length < 2 or end > len(data):
            raise Refusal("unreadable")
        if marker == 0xDA:
            end = _scan_end(data, end)
        yield marker, position, end
        position = end


def _scan_end(data: bytes, position: int) -> int:
    """Where the entropy-coded data starting at ``position`` ends: at the next real marker."""
    while True:
        position = data.find(b"\xff", position)
        if position < 0 or position + 1 >= len(data):
            raise Refusal("unreadable")
        following = data[position + 1]
        if following == 0xFF:
            position += 1
        elif following == 0x00 or 0xD0 <= following <= 0xD7:
            position += 2
        else:
            return position


def _jpeg_end(data: bytes) -> int | None:
    """Where the first picture in ``data`` ends (after its EOI), if its structure is sound."""
    try:
        for marker, _, end in _jpeg_segments(data):
            if marker == 0xD9:
                return end
    except Refusal:
        return None
    return None


def _marker_name(marker: int) -> str:
    return "COM" if marker == 0xFE else f"APP{marker - 0xE0}"


def _strip_jpeg(data: bytes, *, keep_orientation: bool) -> tuple[bytes, list[str]]:
    """Remove metadata segments from a JPEG without touching its pixels (for embedded pictures).

    Keeps JFIF, the colour profile, Adobe's segment and everything that is not an application
    segment or comment; drops anything after the first picture's end. With ``keep_orientation``
    the EXIF orientation is written back in a minimal EXIF segment.
    """
    found: list[str] = []
    kept: list[bytes] = [b"\xff\xd8"]
    orientation: int | None = None
    end = len(data)
    for marker, start, end in _jpeg_segments(data):
        segment = data[start:end]
        if marker == 0xFE or 0xE0 <= marker <= 0xEF:
            name, payload = _marker_name(marker), segment[4:]
            if _kept_segment(name, payload):
                kept.append(segment)
                continue
            found += _application_segment_labels(name, payload)
            if name == "APP1" and payload.startswith(b"Exif\x00"):
                orientation = _orientation(_load_exif(payload))
        else:
            kept.append(segment)
    if data[end:].strip(b"\x00"):
        found.append(OTHER_DATA)
    cleaned = b"".join(kept)
    if not found:
        return data, []
    exif_bytes = _orientation_exif(orientation) if keep_orientation else b""
    if exif_bytes:
        app1 = b"\xff\xe1" + (len(exif_bytes) + 2).to_bytes(2, "big") + exif_bytes
        insert_at = 2
        if cleaned[2:4] == b"\xff\xe0":  # after JFIF, which must come first
            insert_at = 4 + int.from_bytes(cleaned[4:6], "big")
        cleaned = cleaned[:insert_at] + app1 + cleaned[insert_at:]
    return cleaned, found


# ---------------------------------------------------------------------------------------------
# PNG

# Chunks that say how to draw the picture (including APNG animation). Everything else goes.
_PNG_KEPT: Final = frozenset(
    {
        b"IHDR",
        b"PLTE",
        b"IDAT",
        b"IEND",
        b"tRNS",
        b"cHRM",
        b"gAMA",
        b"iCCP",
        b"sBIT",
        b"sRGB",
        b"cICP",
        b"mDCV",
        b"cLLI",
        b"bKGD",
        b"pHYs",
        b"acTL",
        b"fcTL",
        b"fdAT",
    }
)
# Dropped without comment: private or obsolete chunks about layout, not about people.
_PNG_UNREMARKABLE: Final = frozenset(
    {b"iDOT", b"vpAg", b"sPLT", b"hIST", b"oFFs", b"pCAL", b"sCAL", b"sTER", b"dSIG"}
)
_PNG_TEXT_LABELS: Final = {
    b"Author": OWNER,
    b"Copyright": OWNER,
    b"Software": SOFTWARE,
    b"Source": CAMERA,
    b"Creation Time": DATES,
    b"Comment": COMMENTS,
    b"XML:com.adobe.xmp": XMP,
}


def _png(data: bytes, keep_original: bool) -> tuple[bytes | None, list[str]]:
    cleaned, found = _filter_png(data)
    _check_picture(data if keep_original else cleaned, "PNG")
    return (None if keep_original else cleaned), found


def _filter_png(data: bytes) -> tuple[bytes, list[str]]:
    """Keep only the chunks needed to draw the picture; say what the others revealed."""
    if not data.startswith(PNG_SIGNATURE):
        raise Refusal("unreadable")
    found: list[str] = []
    kept: list[bytes] = [PNG_SIGNATURE]
    position = len(PNG_SIGNATURE)
    chunk_type = b""
    while chunk_type != b"IEND":
        if position + 12 > len(data):
            raise Refusal("unreadable")
        length = int.from_bytes(data[position : position + 4], "big")
        chunk_type = data[position + 4 : position + 8]
        end = position + 12 + length
        if length >= 2**31 or end > len(data) or not chunk_type.isalpha():
            raise Refusal("unreadable")
        body = data[position + 8 : end - 4]
        if zlib.crc32(body, zlib.crc32(chunk_type)) != int.from_bytes(data[end - 4 : end], "big"):
            raise Refusal("unreadable")
        if position == len(PNG_SIGNATURE) and chunk_type != b"IHDR":
            raise Refusal("unreadable")
        if chunk_type in _PNG_KEPT:
            kept.append(data[position:end])
        elif chunk_type[:1].isupper():  # a critical chunk we do not know: cannot be drawn
            raise Refusal("unreadable")
        elif chunk_type == b"eXIf":
            exif = _load_exif(body)
            found += _exif_labels(exif)
            orientation = _orientation_exif(_orientation(exif))
            if orientation:
                kept.append(_png_chunk(b"eXIf", orientation.removeprefix(b"Exif\x00\x00")))
        elif chunk_type in (b"tEXt", b"zTXt", b"iTXt"):
            keyword = body.split(b"\x00", 1)[0]
            found.append(_PNG_TEXT_LABELS.get(keyword, TEXT_NOTES))
        elif chunk_type == b"tIME":
            found.append(DATES)
        elif chunk_type not in _PNG_UNREMARKABLE:
            found.append(OTHER_DATA)
        position = end
    if data[position:].strip(b"\x00"):
        found.append(OTHER_DATA)
    return b"".join(kept), found


def _png_chunk(chunk_type: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(body, zlib.crc32(chunk_type))
    return len(body).to_bytes(4, "big") + chunk_type + body + crc.to_bytes(4, "big")


# ---------------------------------------------------------------------------------------------
# PDF

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


def _pdf(data: bytes, keep_original: bool) -> tuple[bytes | None, list[str]]:
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
                stripped, labels = _strip_jpeg(stream.get_data(), keep_orientation=False)
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


# ---------------------------------------------------------------------------------------------
# DOCX

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


def _docx(data: bytes, keep_original: bool) -> tuple[bytes | None, list[str]]:
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
    if len(entries) > uploads.MAX_ARCHIVE_ENTRIES:
        raise Refusal("too_complex")
    if sum(entry.file_size for entry in entries) > uploads.MAX_ARCHIVE_BYTES:
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
            return _strip_jpeg(body, keep_orientation=True)
        cleaned, found = _filter_png(body)
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


if __name__ == "__main__":
    sys.exit(main())
