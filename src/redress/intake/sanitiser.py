"""The upload sanitiser: the child process that parses uploads, so that the web process never does.

``redress.intake.sandbox`` runs it once per upload as::

    python -B -m redress.intake.sanitiser KIND --cpu-seconds=N --memory-bytes=N [--keep-original]

with the file on standard input. Before reading a byte it limits itself: address space, CPU
seconds, no files written, no core dumps (a dump would hold the evidence), few descriptors.
It answers on standard output with one JSON line, then the cleaned file when there is one::

    {"ok": true, "found": ["location (GPS)", "camera make and model"], "length": 48213}
    <48213 bytes>

    {"ok": false, "reason": "unreadable", "detail": "UnidentifiedImageError"}

``found`` uses only the words in ``upload_words.LABELS``; everything found is removed unless
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
- Audio: tags are cut out by hand and the sound is kept byte for byte. MP3 loses its ID3v2 tag
  at the start and ID3v1, APE, Lyrics3 and appended ID3v2 tags at the end. WAV keeps only the
  chunks that hold or describe the sound (fmt, data, fact, cue...) and drops LIST/INFO, ID3,
  bext, iXML and the rest. Ogg (Vorbis, Opus, Speex, FLAC) gets an empty comment header, with
  no vendor, and FLAC pictures become padding; the header pages are laid out anew and later
  pages renumbered if their number changed. M4A's user data, metadata (iTunes and QuickTime),
  XMP and '©xyz' locations are overwritten in place by ``free`` boxes of the same size, so no
  chunk offset moves. A recording that revealed nothing is returned as it came.

This module imports only the standard library, Pillow and pypdf (and ``upload_words`` and
``filetypes`` for the shared words and limits), never Django: the child has no settings.
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

from redress.intake import filetypes
from redress.intake.upload_words import (
    AUDIO_TAGS,
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
    RECORDED_AT,
    RECORDER,
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
_AUDIO_KINDS: Final = frozenset({"mp3", "wav", "ogg", "m4a"})


class Refusal(Exception):
    """The file cannot be accepted; ``reason`` is a key of ``upload_words.REASONS``."""

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
    Image.MAX_IMAGE_PIXELS = filetypes.MAX_PIXELS
    # Pillow warns between one and two times the limit and raises beyond; both are a refusal.
    warnings.simplefilter("error", Image.DecompressionBombWarning)


def main(argv: list[str] | None = None) -> int:
    """Read one file from standard input and answer on standard output; see the module."""
    parser = argparse.ArgumentParser(prog="python -m redress.intake.sanitiser")
    parser.add_argument("kind", choices=sorted(filetypes.PARSED_KINDS))
    parser.add_argument("--cpu-seconds", type=int, required=True)
    parser.add_argument("--memory-bytes", type=int, required=True)
    parser.add_argument("--keep-original", action="store_true")
    arguments = parser.parse_args(argv)
    limit_resources(cpu_seconds=arguments.cpu_seconds, memory_bytes=arguments.memory_bytes)
    _configure_parsers()

    data = sys.stdin.buffer.read(filetypes.MAX_BYTES + 1)
    try:
        if len(data) > filetypes.MAX_BYTES:
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
        "mp3": _mp3,
        "wav": _wav,
        "ogg": _ogg,
        "m4a": _m4a,
    }
    if kind in _AUDIO_KINDS and filetypes.sniff(data) != kind:  # the cutting trusts the type
        raise Refusal("unreadable")
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
    """What an EXIF block reveals, in the words of ``upload_words.LABELS``."""
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


# ---------------------------------------------------------------------------------------------
# Audio: tags are cut out by hand, byte for byte. The sound itself is never decoded or changed.


def _audio_result(
    kind: str, data: bytes, cleaned: bytes, found: list[str], keep_original: bool
) -> tuple[bytes | None, list[str]]:
    """What an audio handler answers: the original when it revealed nothing, else the cut copy."""
    if keep_original:
        return None, found
    if not found:
        return data, found
    if filetypes.sniff(cleaned) != kind:  # what we store must still be the same kind of recording
        raise Refusal("unreadable")
    return cleaned, found


def _read(data: bytes, offset: int, length: int) -> bytes:
    """Exactly ``length`` bytes at ``offset``, or a refusal: a structure that runs off the end."""
    if offset < 0 or length < 0 or offset + length > len(data):
        raise Refusal("unreadable")
    return data[offset : offset + length]


def _le32(data: bytes, offset: int) -> int:
    return int.from_bytes(_read(data, offset, 4), "little")


def _be32(data: bytes, offset: int) -> int:
    return int.from_bytes(_read(data, offset, 4), "big")


def _syncsafe(four: bytes) -> int:
    """An ID3 "synchsafe" integer: seven bits a byte, the top bit always clear."""
    value = 0
    for byte in four:
        value = value << 7 | (byte & 0x7F)
    return value


# Free-form names of tags (Vorbis comments, APE items, QuickTime keys, ID3 TXXX descriptions)
# are judged by the words in them. A place comes first: "location name" is a place, not a name.
_PLACE_WORDS: Final = re.compile(r"location|gps|latitude|longitude|iso6709|coordinates")
_HARMLESS_WORDS: Final = re.compile(
    r"replaygain|r128|mp3gain|itunsmpb|itunnorm|waveformatextensible|bpm"
    r"|tracknumber|tracktotal|totaltracks|discnumber|disctotal|totaldiscs"
)
_NAME_WORDS: Final = (
    (
        re.compile(
            r"make|model|device|manufacturer|software|encoder|encoding|tool|version|hardware"
            r"|vendor|recorder"
        ),
        RECORDER,
    ),
    (
        re.compile(
            r"author|owner|copyright|publisher|organi[sz]ation|contact|encoded|email|license"
            r"|engineer"
        ),
        OWNER,
    ),
    (re.compile(r"picture|cover|artwork"), EXTRA_PICTURES),
    (re.compile(r"date|time|year"), DATES),
    (
        re.compile(
            r"title|artist|album|comment|description|genre|lyric|performer|composer|keyword"
            r"|subject|name|note"
        ),
        AUDIO_TAGS,
    ),
)
_NAME_PREFIXES: Final = ("com.apple.quicktime.", "com.apple.", "com.android.")


def _label_for_name(name: str) -> str | None:
    """What a tag of this free-form name reveals; None for loudness and track numbers."""
    name = name.lower()
    for prefix in _NAME_PREFIXES:
        name = name.removeprefix(prefix)
    if _PLACE_WORDS.search(name):
        return RECORDED_AT
    if _HARMLESS_WORDS.search(name):
        return None
    for words, label in _NAME_WORDS:
        if words.search(name):
            return label
    return OTHER_DATA


# --- ID3 (MP3, and inside WAV) -----------------------------------------------------------------

_ID3_FRAME_LABELS: Final[dict[bytes, str | None]] = {
    **dict.fromkeys(
        b"TIT1 TIT2 TIT3 TALB TPE1 TPE2 TPE3 TPE4 TCOM TEXT TOLY TOPE TOAL TOFN TCON TSST TMOO"
        b" TSOA TSOP TSOT TSO2 TSOC COMM USLT SYLT".split(),
        AUDIO_TAGS,
    ),
    **dict.fromkeys(b"TENC TCOP TPRO TOWN TPUB TRSN TRSO TIPL TMCL IPLS POPM OWNE".split(), OWNER),
    b"TSSE": RECORDER,
    **dict.fromkeys(b"TDRC TDRL TDOR TDEN TDTG TYER TDAT TIME TORY TRDA".split(), DATES),
    b"APIC": EXTRA_PICTURES,
    b"CHAP": TEXT_NOTES,  # chapters, with their titles
    b"CTOC": TEXT_NOTES,
    # How to play it, not who made it.
    **dict.fromkeys(
        b"TLEN TBPM TKEY TFLT TMED TLAN TRCK TPOS TCMP TDLY TSRC RVA2 RVAD EQU2 EQUA ETCO MLLT"
        b" SYTC SEEK ASPI RBUF POSS PCNT MCDI".split(),
        None,
    ),
}
# ID3v2.2 spells frames with three letters: each here with its later name.
_ID3V22_FRAMES: Final = dict(
    zip(
        b"TT1 TT2 TT3 TAL TP1 TP2 TP3 TP4 TCM TXT TOL TOA TOT TOF TCO COM ULT SLT TSS TEN TCR"
        b" TPB IPL POP TYE TDA TIM TOR TRD PIC TXX TLE TBP TKE TFT TMT TLA TRK TPA TRC RVA EQU"
        b" ETC MLL STC BUF CNT MCI".split(),
        b"TIT1 TIT2 TIT3 TALB TPE1 TPE2 TPE3 TPE4 TCOM TEXT TOLY TOPE TOAL TOFN TCON COMM USLT"
        b" SYLT TSSE TENC TCOP TPUB IPLS POPM TYER TDAT TIME TORY TRDA APIC TXXX TLEN TBPM TKEY"
        b" TFLT TMED TLAN TRCK TPOS TSRC RVAD EQUA ETCO MLLT SYTC RBUF PCNT MCDI".split(),
        strict=True,
    )
)
_ID3_FRAME_ID: Final = re.compile(rb"[A-Z0-9]{3,4}")


def _id3v2_end(data: bytes, start: int) -> int:
    """Where the ID3v2 tag at ``start`` ends: header, body and footer (as ``filetypes.sniff``
    reads it)."""
    header = _read(data, start, 10)
    if header[3] not in (2, 3, 4) or any(byte & 0x80 for byte in header[6:10]):
        raise Refusal("unreadable")
    end = start + 10 + _syncsafe(header[6:10]) + (10 if header[5] & 0x10 else 0)
    if end > len(data):
        raise Refusal("unreadable")
    return end


def _id3v2_labels(tag: bytes) -> list[str]:
    """What a whole ID3v2 tag (header first) reveals. A tag we cannot walk is other data."""
    major, flags = tag[3], tag[5]
    body = tag[10 : 10 + _syncsafe(tag[6:10])]
    if major == 2 and flags & 0x40:  # a compressed v2.2 tag: no scheme was ever defined
        return [OTHER_DATA] if body.strip(b"\x00") else []
    if major == 3 and flags & 0x80:  # v2.3 unsynchronises the whole tag; v2.4 frame by frame
        body = body.replace(b"\xff\x00", b"\xff")
    position = 0
    if flags & 0x40 and len(body) >= 4:  # an extended header
        position = 4 + int.from_bytes(body[:4], "big") if major == 3 else _syncsafe(body[:4])
    id_length, header_length = (3, 6) if major == 2 else (4, 10)
    found: list[str] = []
    while position + header_length <= len(body):
        frame_id = body[position : position + id_length]
        if frame_id[0] == 0:  # padding
            break
        size_bytes = body[position + id_length : position + id_length + (3 if major == 2 else 4)]
        if major == 4 and not any(byte & 0x80 for byte in size_bytes):
            size = _syncsafe(size_bytes)
        else:  # v2.2, v2.3, and v2.4 tags written with plain sizes
            size = int.from_bytes(size_bytes, "big")
        start = position + header_length
        if not _ID3_FRAME_ID.fullmatch(frame_id) or start + size > len(body):
            found.append(OTHER_DATA)
            break
        frame_flags = 0 if major == 2 else body[position + 9]
        found += _id3_frame_labels(
            _ID3V22_FRAMES.get(frame_id, frame_id), body[start : start + size], major, frame_flags
        )
        position = start + size
    return found


def _id3_frame_labels(frame_id: bytes, content: bytes, major: int, flags: int) -> list[str]:
    if not content.strip(b"\x00 "):
        return []
    if frame_id[:1] == b"T" and not content[1:].strip(b"\x00 \xff\xfe"):  # only an encoding
        return []
    if frame_id in (b"TXXX", b"WXXX"):
        packed = flags & (0xC0 if major == 3 else 0x0C)  # compressed or encrypted
        if major == 4 and flags & 0x01:  # a data length indicator comes first
            content = content[4:]
        label = _label_for_name(_id3_description(content)) if not packed else OTHER_DATA
        return [] if label is None else [label]
    label = _ID3_FRAME_LABELS.get(frame_id, OTHER_DATA)
    return [] if label is None else [label]


def _id3_description(content: bytes) -> str:
    """The description that starts a TXXX or WXXX frame, in whatever encoding it declares."""
    if not content:
        return ""
    encoding, rest = content[0], content[1:]
    if encoding in (1, 2):  # UTF-16, ended by two NULs on an even offset
        for index in range(0, len(rest) - 1, 2):
            if rest[index : index + 2] == b"\x00\x00":
                rest = rest[:index]
                break
        return rest.decode("utf-16" if encoding == 1 else "utf-16-be", errors="replace")
    return rest.split(b"\x00", 1)[0].decode("utf-8" if encoding == 3 else "latin-1", "replace")


# --- MP3 ----------------------------------------------------------------------------------------


def _mp3(data: bytes, keep_original: bool) -> tuple[bytes | None, list[str]]:
    """ID3v2 tags at the start; ID3v1, Enhanced TAG, APE, Lyrics3 and ID3v2 (by its footer) at
    the end. The MPEG frames between them are kept byte for byte."""
    found: list[str] = []
    start = 0
    while data.startswith(b"ID3", start):
        tag_end = _id3v2_end(data, start)
        found += _id3v2_labels(data[start:tag_end])
        start = tag_end
        while start < len(data) and data[start] == 0:  # padding some taggers leave after it
            start += 1
    end, trailing = _mp3_trailing_tags(data, start)
    found += trailing
    return _audio_result("mp3", data, data[start:end], found, keep_original)


def _mp3_trailing_tags(data: bytes, start: int) -> tuple[int, list[str]]:
    """Where the audio ends once the tags after it are cut off, and what those tags reveal."""
    found: list[str] = []
    end = len(data)
    while end - start >= 10:
        if end - start >= 128 and data[end - 128 : end - 125] == b"TAG":
            found += _id3v1_labels(data[end - 128 : end])
            end -= 128
            if end - start >= 227 and data[end - 227 : end - 223] == b"TAG+":
                if data[end - 223 : end - 40].strip(b"\x00 "):  # title, artist, album
                    found.append(AUDIO_TAGS)
                end -= 227
        elif end - start >= 32 and data[end - 32 : end - 24] == b"APETAGEX":
            size, count, flags = (_le32(data, end - offset) for offset in (20, 16, 12))
            total = size + (32 if flags & 0x80000000 else 0)  # the header is not counted
            if size < 32 or end - total < start:
                raise Refusal("unreadable")
            found += _ape_labels(data[end - size : end - 32], count)
            end -= total
        elif data[end - 9 : end] == b"LYRICS200" and data[end - 15 : end - 9].isdigit():
            begin = end - 15 - int(data[end - 15 : end - 9])
            if begin < start or data[begin : begin + 11] != b"LYRICSBEGIN":
                raise Refusal("unreadable")
            found.append(AUDIO_TAGS)
            end = begin
        elif data[end - 9 : end] == b"LYRICSEND":
            begin = data.rfind(b"LYRICSBEGIN", max(start, end - 5100 - 9), end)
            if begin < 0:
                raise Refusal("unreadable")
            found.append(AUDIO_TAGS)
            end = begin
        elif data[end - 10 : end - 7] == b"3DI":  # an ID3v2.4 tag appended, found by its footer
            begin = end - 20 - _syncsafe(data[end - 4 : end])
            if begin < start or data[begin : begin + 3] != b"ID3":
                raise Refusal("unreadable")
            found += _id3v2_labels(data[begin:end])
            end = begin
        else:
            break
    return end, found


def _id3v1_labels(tag: bytes) -> list[str]:
    found: list[str] = []
    title, artist, album, comment = tag[3:33], tag[33:63], tag[63:93], tag[97:125]
    if any(field.strip(b"\x00 ") for field in (title, artist, album, comment)):
        found.append(AUDIO_TAGS)
    if tag[93:97].strip(b"\x00 "):
        found.append(DATES)
    return found


def _ape_labels(items: bytes, count: int) -> list[str]:
    """What an APE tag's items reveal, judged by their keys."""
    found: list[str] = []
    position = 0
    for _ in range(count):
        if position + 8 > len(items):
            return [*found, OTHER_DATA]
        value_size = int.from_bytes(items[position : position + 4], "little")
        key_end = items.find(b"\x00", position + 8)
        if key_end < 0 or key_end + 1 + value_size > len(items):
            return [*found, OTHER_DATA]
        value = items[key_end + 1 : key_end + 1 + value_size]
        if value.strip(b"\x00 "):
            label = _label_for_name(items[position + 8 : key_end].decode("latin-1"))
            if label is not None:
                found.append(label)
        position = key_end + 1 + value_size
    return found


# --- WAV ----------------------------------------------------------------------------------------

# Chunks that hold or describe the sound: kept as they are. Padding goes without comment.
_WAV_KEPT: Final = frozenset(
    {b"fmt ", b"data", b"fact", b"cue ", b"smpl", b"inst", b"plst", b"wavl", b"slnt", b"PEAK"}
)
_WAV_PADDING: Final = frozenset({b"JUNK", b"junk", b"PAD ", b"pad ", b"FLLR", b"fllr"})
_WAV_CHUNK_LABELS: Final = {
    b"iXML": RECORDER,  # a field recorder's notes: device, project, scene, take
    b"_PMX": XMP,
    b"XMP ": XMP,
    b"cart": AUDIO_TAGS,
    b"DISP": AUDIO_TAGS,
}
_RIFF_INFO_LABELS: Final = {
    **dict.fromkeys(
        b"INAM IART IPRD IGNR ISBJ IKEY ICMT ITRK IPRT IWRI ISRF IMED".split(), AUDIO_TAGS
    ),
    **dict.fromkeys((b"ICRD", b"IDIT", b"YEAR"), DATES),
    **dict.fromkeys((b"ISFT", b"ITOC"), RECORDER),
    **dict.fromkeys(b"IENG ITCH ICOP ICMS ISRC ICNM".split(), OWNER),
    b"IARL": RECORDED_AT,  # where the subject of the file is kept
}
_CHUNK_ID: Final = re.compile(rb"[\x20-\x7e]{4}")


def _wav(data: bytes, keep_original: bool) -> tuple[bytes | None, list[str]]:
    """Keep the chunks that hold the sound (fmt, data and their kin); drop LIST, ID3, bext, iXML
    and the rest, then write the RIFF size anew.

    The declared RIFF size is not trusted (recorders that stop abruptly leave it 0 or wrong):
    chunks are walked to the end of the file. A data chunk of placeholder size, or one longer than
    the file, runs to the end (an interrupted recording is kept as it is).
    """
    position, kept, found = 12, [data[:12]], []
    formats = sounds = 0
    while position + 8 <= len(data) and _CHUNK_ID.fullmatch(data[position : position + 4]):
        chunk_id = data[position : position + 4]
        size = _le32(data, position + 4)
        body_start = position + 8
        end = body_start + size
        if chunk_id == b"data" and (end > len(data) or _placeholder_size(data, size, end)):
            end = len(data)
        if size & 1 and end < len(data) and data[end] == 0:  # the pad byte to an even length
            end += 1
        end = min(end, len(data))
        body = data[body_start:end]
        if chunk_id in _WAV_KEPT:
            formats += chunk_id == b"fmt "
            sounds += chunk_id == b"data"
            kept.append(data[position:end])
        elif chunk_id not in _WAV_PADDING:
            found += _wav_chunk_labels(chunk_id, body)
        position = end
    trailing = data[position:]
    if trailing.startswith(b"ID3") and len(trailing) >= 10:  # a tag stuck on after the RIFF
        found += _id3v2_labels(trailing)
    elif trailing.strip(b"\x00"):
        found.append(OTHER_DATA)
    if formats != 1 or sounds != 1:
        raise Refusal("unreadable")
    body = b"".join(kept)[8:]
    cleaned = b"RIFF" + len(body).to_bytes(4, "little") + body
    return _audio_result("wav", data, cleaned, found, keep_original)


def _placeholder_size(data: bytes, size: int, end: int) -> bool:
    """A data chunk whose size was never filled in (0 or all ones) with sound after it."""
    if size == 0xFFFFFFFF:
        return True
    if size != 0 or end >= len(data):
        return False
    following = data[end : end + 8]  # a real chunk after an empty data chunk?
    return not (
        len(following) == 8
        and _CHUNK_ID.fullmatch(following[:4])
        and end + 8 + int.from_bytes(following[4:], "little") <= len(data)
    )


def _wav_chunk_labels(chunk_id: bytes, body: bytes) -> list[str]:
    """What a chunk we drop revealed."""
    if not body.strip(b"\x00 "):
        return []
    if chunk_id == b"LIST":
        return _riff_list_labels(body)
    if chunk_id in (b"id3 ", b"ID3 ", b"ID32"):
        try:
            return _id3v2_labels(_read(body, 0, _id3v2_end(body, 0)))
        except Refusal:
            return [OTHER_DATA]
    if chunk_id == b"bext":
        return _bext_labels(body)
    return [_WAV_CHUNK_LABELS.get(chunk_id, OTHER_DATA)]


def _riff_list_labels(body: bytes) -> list[str]:
    """INFO lists name the recording and its maker; adtl lists hold notes on cue points."""
    list_type = body[:4]
    if list_type == b"adtl":
        return [TEXT_NOTES]
    if list_type != b"INFO":
        return [OTHER_DATA]
    found: list[str] = []
    position = 4
    while position + 8 <= len(body):
        sub_id = body[position : position + 4]
        size = int.from_bytes(body[position + 4 : position + 8], "little")
        value = body[position + 8 : position + 8 + size]
        if position + 8 + size > len(body) or not _CHUNK_ID.fullmatch(sub_id):
            return [*found, OTHER_DATA]
        if value.strip(b"\x00 "):
            found.append(_RIFF_INFO_LABELS.get(sub_id, OTHER_DATA))
        position += 8 + size + (size & 1)
    return found


def _bext_labels(body: bytes) -> list[str]:
    """Broadcast WAV: a description, the recorder that made it, when, and a coding history."""
    found: list[str] = []
    if body[0:256].strip(b"\x00 "):
        found.append(AUDIO_TAGS)
    if body[256:320].strip(b"\x00 "):  # originator and its reference
        found.append(RECORDER)
    if body[320:338].strip(b"\x00 "):
        found.append(DATES)
    if body[348:412].strip(b"\x00") or body[602:].strip(b"\x00 \r\n"):  # UMID, coding history
        found.append(OTHER_DATA)
    return found


# --- Ogg (Vorbis, Opus, Speex, FLAC) ------------------------------------------------------------

_BIT_REVERSED: Final = bytes(int(f"{value:08b}"[::-1], 2) for value in range(256))
_NO_GRANULE: Final = b"\xff" * 8


def _ogg_crc(page: bytes) -> int:
    """Ogg's CRC-32: polynomial 0x04C11DB7 taken most significant bit first, start 0, no final
    inversion. zlib's CRC-32 is the same polynomial taken least significant bit first; fed each
    byte with its bits reversed it walks the same register mirrored, so mirroring its answer gives
    Ogg's (and at zlib's speed, which a 20 MB file needs)."""
    mirrored = zlib.crc32(page.translate(_BIT_REVERSED), 0xFFFFFFFF) ^ 0xFFFFFFFF
    return int(f"{mirrored:032b}"[::-1], 2)


class _OggPage:
    """One page: where it lies in the file and its fields. ``crc_ok`` is checked on reading."""

    def __init__(self, data: bytes, start: int, lacing_count: int) -> None:
        self.start = start
        self.flags = data[start + 5]
        self.granule = data[start + 6 : start + 14]
        self.serial = int.from_bytes(data[start + 14 : start + 18], "little")
        self.sequence = int.from_bytes(data[start + 18 : start + 22], "little")
        self.lacing = data[start + 27 : start + 27 + lacing_count]
        self.body_start = start + 27 + lacing_count
        self.end = self.body_start + sum(self.lacing)
        stored = data[start + 22 : start + 26]
        unsigned = data[start : start + 22] + b"\x00\x00\x00\x00" + data[start + 26 : self.end]
        self.crc_ok = _ogg_crc(unsigned).to_bytes(4, "little") == stored

    @classmethod
    def read(cls, data: bytes, start: int) -> _OggPage | None:
        """The page at ``start``; None when the file ends before the page does."""
        if start + 27 > len(data):
            return None
        if data[start + 4] != 0:  # the only version there is
            raise Refusal("unreadable")
        lacing_count = data[start + 26]
        body_start = start + 27 + lacing_count
        if body_start > len(data) or body_start + sum(data[start + 27 : body_start]) > len(data):
            return None
        return cls(data, start, lacing_count)

    def pieces(self, data: bytes) -> Iterator[tuple[bytes, bool, int]]:
        """(bytes, whether a packet ends with them, lacing values used so far) for each packet
        or part of one on this page."""
        position, size = self.body_start, 0
        for index, value in enumerate(self.lacing):
            size += value
            if value < 255:
                yield data[position : position + size], True, index + 1
                position, size = position + size, 0
        if size:  # a packet that goes on to the next page
            yield data[position : position + size], False, len(self.lacing)


def _ogg_page(
    flags: int, granule: bytes, serial: int, sequence: int, lacing: bytes, body: bytes
) -> bytes:
    header = (
        b"OggS\x00"
        + bytes([flags])
        + granule
        + serial.to_bytes(4, "little")
        + (sequence & 0xFFFFFFFF).to_bytes(4, "little")
    )
    tail = bytes([len(lacing)]) + lacing + body
    crc = _ogg_crc(header + b"\x00\x00\x00\x00" + tail)
    return header + crc.to_bytes(4, "little") + tail


class _OggStream:
    """The header packets of one logical stream, gathered from its first pages."""

    def __init__(self, bos: _OggPage) -> None:
        self.bos = bos
        self.codec = ""
        self.needed: int | None = None  # header packets in all; None until known
        self.packets: list[bytes] = []
        self.partial: list[bytes] = []
        self.partial_size = 0
        self.header_pages: list[_OggPage] = []  # after the first: where the other headers lie
        self.rest: tuple[bytes, bytes] | None = None  # lacing and body after the last header
        self.done = False

    def take(self, data: bytes, page: _OggPage) -> None:
        """Gather the header packets on this page of the stream."""
        if page is not self.bos:
            self.header_pages.append(page)
        if bool(page.flags & 0x01) != bool(self.partial) or not page.crc_ok:
            raise Refusal("unreadable")
        for piece, ends, used in page.pieces(data):
            self.partial.append(piece)
            self.partial_size += len(piece)
            if self.partial_size > filetypes.MAX_BYTES:
                raise Refusal("too_complex")
            if not ends:
                continue
            self.packets.append(b"".join(self.partial))
            self.partial, self.partial_size = [], 0
            if len(self.packets) == 1:
                self._identify(page)
            elif self.codec == "flac" and self.needed is None and self.packets[-1][:1] >= b"\x80":
                self.needed = len(self.packets)  # the metadata block marked last
            if len(self.packets) == self.needed:
                self.done = True
                if used < len(page.lacing):
                    body_used = page.body_start + sum(page.lacing[:used])
                    self.rest = (page.lacing[used:], data[body_used : page.end])
                return

    def _identify(self, page: _OggPage) -> None:
        first = self.packets[0]
        if page is not self.bos or sum(page.lacing) != len(first):
            raise Refusal("unreadable")  # every mapping puts the first packet alone on page one
        if first.startswith(b"\x01vorbis"):
            self.codec, self.needed = "vorbis", 3
        elif first.startswith(b"OpusHead"):
            self.codec, self.needed = "opus", 2
        elif first.startswith(b"Speex   ") and len(first) >= 80:
            self.codec, self.needed = "speex", 2 + _le32(first, 68)  # its extra headers too
        elif first.startswith(b"\x7fFLAC") and len(first) >= 17:
            declared = int.from_bytes(first[7:9], "big")
            if declared:
                self.codec, self.needed = "flac", 1 + declared
            else:  # "unknown": up to the block marked last, unless the stream info is the last
                self.codec, self.needed = "flac", (1 if first[13] & 0x80 else None)
        else:
            raise Refusal("unreadable")
        if self.needed is not None and self.needed > 1024:
            raise Refusal("too_complex")


def _ogg_read(data: bytes) -> tuple[list[_OggPage], bytes, bool]:
    """The pages; a last page cut off by the end of the file; whether there were stray bytes.

    Bytes between or after pages are read by no player (a tag stuck on the end, say).
    """
    pages: list[_OggPage] = []
    stray = False
    position = 0
    while position < len(data):
        if data.startswith(b"OggS", position):
            page = _OggPage.read(data, position)
            if page is not None:
                pages.append(page)
                position = page.end
                continue
            if data.find(b"OggS", position + 4) < 0:
                # An interrupted recording: the part page at its end stays as it is.
                return pages, data[position:], stray
        following = data.find(b"OggS", position + 1)
        gap_end = len(data) if following < 0 else following
        stray = stray or bool(data[position:gap_end].strip(b"\x00"))
        position = gap_end
    return pages, b"", stray


def _ogg(data: bytes, keep_original: bool) -> tuple[bytes | None, list[str]]:
    """Rewrite each stream's comment header with no comments and no vendor; drop pictures.

    The header pages after the first are laid out anew; the stream's later pages are renumbered
    (and their CRCs recomputed) only when the number of header pages changes. Audio packets are
    never touched. Bytes outside any page go too.
    """
    pages, cut_off, stray = _ogg_read(data)
    found = [OTHER_DATA] if stray else []
    streams: dict[int, _OggStream] = {}
    for page in pages:
        if page.flags & 0x02:
            if page.serial in streams:
                raise Refusal("unreadable")
            streams[page.serial] = _OggStream(page)
        stream = streams.get(page.serial)
        if stream is not None and not stream.done:
            stream.take(data, page)
    if not streams or not all(stream.done for stream in streams.values()):
        raise Refusal("unreadable")  # headers missing: nothing could play it

    cleaned_headers: dict[int, list[bytes]] = {}
    for serial, stream in streams.items():
        packets, labels = _ogg_clean_headers(stream.codec, stream.packets)
        found += labels
        if labels and stream.header_pages:
            cleaned_headers[serial] = packets
    if keep_original or not found:
        return _audio_result("ogg", data, data, found, keep_original)

    replacements: dict[int, list[bytes]] = {}  # first header page's start: the pages instead
    dropped: set[int] = set()
    shift: dict[int, tuple[int, int]] = {}  # serial: (after which page, by how much)
    for serial, packets in cleaned_headers.items():
        stream = streams[serial]
        rebuilt = _ogg_header_pages(stream, packets[1:])
        replacements[stream.header_pages[0].start] = rebuilt
        dropped |= {page.start for page in stream.header_pages[1:]}
        if len(rebuilt) != len(stream.header_pages):
            shift[serial] = (stream.header_pages[-1].start, len(rebuilt) - len(stream.header_pages))
    out: list[bytes] = []
    for page in pages:
        after, by = shift.get(page.serial, (len(data), 0))
        if page.start in replacements:
            out += replacements[page.start]
        elif page.start in dropped:
            continue
        elif page.start > after:
            out.append(_ogg_renumbered(data, page, by))
        else:
            out.append(data[page.start : page.end])
    out.append(cut_off)
    return _audio_result("ogg", data, b"".join(out), found, keep_original)


def _ogg_renumbered(data: bytes, page: _OggPage, shift: int) -> bytes:
    """A page with its sequence number moved; a page whose CRC was wrong keeps the wrong one."""
    raw = bytearray(data[page.start : page.end])
    raw[18:22] = ((page.sequence + shift) & 0xFFFFFFFF).to_bytes(4, "little")
    if page.crc_ok:
        raw[22:26] = b"\x00\x00\x00\x00"
        raw[22:26] = _ogg_crc(bytes(raw)).to_bytes(4, "little")
    return bytes(raw)


def _ogg_header_pages(stream: _OggStream, packets: list[bytes]) -> list[bytes]:
    """The header packets after the first, on fresh pages; then what followed them on the last."""
    segments: list[tuple[int, bool]] = []  # lacing value, whether a packet ends with it
    for packet in packets:
        full, last = divmod(len(packet), 255)
        segments += [(255, False)] * full + [(last, True)]
    body = b"".join(packets)
    last_page = stream.header_pages[-1]
    serial, sequence = stream.bos.serial, stream.bos.sequence + 1
    pages: list[bytes] = []
    position, continued = 0, False
    for first in range(0, len(segments), 255):
        group = segments[first : first + 255]
        size = sum(value for value, _ in group)
        ends = any(packet_ends for _, packet_ends in group)
        flags = 0x01 if continued else 0
        if first + 255 >= len(segments) and stream.rest is None:
            flags |= last_page.flags & 0x04  # the stream's end, if it ended there
        lacing = bytes(value for value, _ in group)
        granule = b"\x00" * 8 if ends else _NO_GRANULE
        pages.append(
            _ogg_page(flags, granule, serial, sequence, lacing, body[position : position + size])
        )
        position += size
        sequence += 1
        continued = not group[-1][1]
    if stream.rest is not None:
        lacing, rest = stream.rest
        flags = last_page.flags & 0x04
        pages.append(_ogg_page(flags, last_page.granule, serial, sequence, lacing, rest))
    return pages


def _ogg_clean_headers(codec: str, packets: list[bytes]) -> tuple[list[bytes], list[str]]:
    """The header packets with comments emptied and pictures dropped, and what went."""
    cleaned = list(packets)
    found: list[str] = []
    empty_comments = b"\x00" * 8  # no vendor, no comments
    if codec == "vorbis":
        if not packets[1].startswith(b"\x03vorbis") or not packets[2].startswith(b"\x05vorbis"):
            raise Refusal("unreadable")
        found, _ = _comment_labels(packets[1], 7)
        cleaned[1] = b"\x03vorbis" + empty_comments + b"\x01"  # and the framing bit
    elif codec == "opus":
        if not packets[1].startswith(b"OpusTags"):
            raise Refusal("unreadable")
        found, end = _comment_labels(packets[1], 8)
        extra = packets[1][end:]
        if extra[:1] and extra[0] & 0x01:  # binary data an application chose to keep there
            found.append(OTHER_DATA)
        cleaned[1] = b"OpusTags" + empty_comments
    elif codec == "speex":
        found, _ = _comment_labels(packets[1], 0)
        cleaned[1] = empty_comments
        for index in range(2, len(packets)):  # extra headers: whatever an application put there
            if packets[index].strip(b"\x00"):
                found.append(OTHER_DATA)
                cleaned[index] = b""
    else:
        for index in range(1, len(packets)):
            cleaned[index], labels = _flac_block(packets[index])
            found += labels
    return cleaned, found


def _comment_labels(packet: bytes, offset: int) -> tuple[list[str], int]:
    """``_vorbis_comment_labels``, but a block we cannot read is other data (it goes anyway)."""
    try:
        return _vorbis_comment_labels(packet, offset)
    except Refusal:
        return [OTHER_DATA], len(packet)


def _vorbis_comment_labels(packet: bytes, offset: int) -> tuple[list[str], int]:
    """What a Vorbis comment block (vendor, then NAME=value comments) reveals; and its end."""
    found: list[str] = []
    vendor_length = _le32(packet, offset)
    if _read(packet, offset + 4, vendor_length).strip(b"\x00 "):
        found.append(RECORDER)  # the program that encoded it, which may name the app
    position = offset + 4 + vendor_length
    count = _le32(packet, position)
    position += 4
    for _ in range(count):
        length = _le32(packet, position)
        comment = _read(packet, position + 4, length)
        position += 4 + length
        name, _, value = comment.partition(b"=")
        if value.strip(b"\x00 "):
            label = _label_for_name(name.decode("latin-1"))
            if label is not None:
                found.append(label)
    return found, position


_FLAC_PADDING: Final = 1
_FLAC_APPLICATION: Final = 2
_FLAC_COMMENT: Final = 4
_FLAC_PICTURE: Final = 6


def _flac_block(packet: bytes) -> tuple[bytes, list[str]]:
    """A FLAC metadata block in its own packet: comments emptied, pictures and application data
    made empty padding; the number of packets (and the last-block flag) stays the same."""
    header = _read(packet, 0, 4)
    last, block_type = header[0] & 0x80, header[0] & 0x7F
    if int.from_bytes(header[1:4], "big") != len(packet) - 4:
        raise Refusal("unreadable")
    padding = bytes([last | _FLAC_PADDING]) + b"\x00\x00\x00"
    if block_type == _FLAC_COMMENT:
        found, _ = _comment_labels(packet, 4)
        return bytes([last | _FLAC_COMMENT]) + b"\x00\x00\x08" + b"\x00" * 8, found
    if block_type == _FLAC_PICTURE:
        return padding, [EXTRA_PICTURES]
    if block_type == _FLAC_APPLICATION:
        return padding, [OTHER_DATA]
    if block_type == _FLAC_PADDING and packet[4:].strip(b"\x00"):
        return padding, [OTHER_DATA]  # padding is zeros; anything else was left behind
    return packet, []


# --- M4A (MP4) ----------------------------------------------------------------------------------

# Boxes that only hold other boxes, where a location or tags may be found further down.
_MP4_CONTAINERS: Final = frozenset(b"moov trak mdia minf stbl edts dinf mvex".split())
_MP4_XMP_UUID: Final = bytes.fromhex("be7acfcb97a942e89c71999491e3afac")
_MP4_LABELS: Final[dict[bytes, str | None]] = {
    b"\xa9xyz": RECORDED_AT,
    b"loci": RECORDED_AT,
    **dict.fromkeys(
        b"\xa9nam \xa9ART aART \xa9alb \xa9cmt \xa9gen gnre \xa9wrt \xa9lyr \xa9des \xa9grp \xa9inf"
        b" \xa9dir \xa9prd desc ldes titl dscp perf albm kywd name".split(),
        AUDIO_TAGS,
    ),
    **dict.fromkeys((b"\xa9day", b"purd", b"yrrc"), DATES),
    **dict.fromkeys(b"\xa9too \xa9swr \xa9enc \xa9mak \xa9mod \xa9fmt \xa9hst".split(), RECORDER),
    **dict.fromkeys(b"cprt \xa9cpy auth \xa9aut apID ownr \xa9prf \xa9pub".split(), OWNER),
    b"covr": EXTRA_PICTURES,
    b"chpl": TEXT_NOTES,
    # Track numbers, tempo, gapless playback: how to play it. Padding and the key table.
    **dict.fromkeys(b"trkn disk tmpo cpil pgap stik rtng hdlr hnti free skip keys".split(), None),
}
_MP4_DEPTH: Final = 16


def _mp4_boxes(
    data: bytes, start: int, end: int, *, top: bool = False
) -> Iterator[tuple[bytes, int, int, int]]:
    """(type, start, content start, end) of each box from ``start`` to ``end``.

    A box of size 0 runs to the end of its parent. A list may end in four zero bytes (QuickTime
    user data does). At the top, the media data of an interrupted recording may run off the end.
    """
    position = start
    while position < end:
        if end - position < 8:
            if data[position:end].strip(b"\x00"):
                raise Refusal("unreadable")
            return
        size = _be32(data, position)
        box_type = data[position + 4 : position + 8]
        header = 8
        if size == 1:
            size, header = int.from_bytes(_read(data, position + 8, 8), "big"), 16
        elif size == 0:
            size = end - position
        if position + size > end and top and box_type == b"mdat":
            size = end - position
        if size < header or position + size > end:
            raise Refusal("unreadable")
        yield box_type, position, position + header, position + size
        position += size


def _m4a(data: bytes, keep_original: bool) -> tuple[bytes | None, list[str]]:
    """Overwrite user data, metadata, XMP and locations with ``free`` boxes of the same size.

    Nothing moves, so the chunk offsets into the media data stay right and no size changes.
    """
    out = bytearray(data)
    found: list[str] = []
    for box_type, start, content, end in _mp4_boxes(data, 0, len(data), top=True):
        if box_type in _MP4_CONTAINERS:
            found += _mp4_clean_container(data, out, content, end)
        else:
            found += _mp4_clean_box(data, out, box_type, start, content, end)
    return _audio_result("m4a", data, bytes(out), found, keep_original)


def _mp4_clean_container(
    data: bytes, out: bytearray, start: int, end: int, depth: int = 0
) -> list[str]:
    if depth > _MP4_DEPTH:
        raise Refusal("too_complex")
    found: list[str] = []
    for box_type, box_start, content, box_end in _mp4_boxes(data, start, end):
        if box_type in _MP4_CONTAINERS:
            found += _mp4_clean_container(data, out, content, box_end, depth + 1)
        else:
            found += _mp4_clean_box(data, out, box_type, box_start, content, box_end)
    return found


def _mp4_clean_box(
    data: bytes, out: bytearray, box_type: bytes, start: int, content: int, end: int
) -> list[str]:
    """Blank a box that identifies (user data, metadata, XMP, a location); say what it held."""
    if box_type in (b"udta", b"meta"):
        labels = _mp4_labels(data, box_type, content, end)
    elif box_type == b"\xa9xyz":
        labels = [RECORDED_AT]
    elif box_type == b"uuid" and data[content : content + 16] == _MP4_XMP_UUID:
        labels = [XMP]
    else:
        return []
    if labels:
        out[start + 4 : start + 8] = b"free"
        out[content:end] = bytes(end - content)
    return labels


def _mp4_labels(data: bytes, box_type: bytes, start: int, end: int, depth: int = 0) -> list[str]:
    """What user data or metadata holds. Contents we cannot walk are other data."""
    if depth > _MP4_DEPTH:
        return [OTHER_DATA]
    try:
        if box_type == b"meta":
            return _mp4_meta_labels(data, start, end)
        found: list[str] = []
        for child, _, content, child_end in _mp4_boxes(data, start, end):
            if child in (b"meta", b"udta"):
                found += _mp4_labels(data, child, content, child_end, depth + 1)
            elif data[content:child_end].strip(b"\x00") or child == b"\xa9xyz":
                label = _MP4_LABELS.get(child, OTHER_DATA)
                found += [] if label is None else [label]
        return found
    except Refusal:
        return [OTHER_DATA]


def _mp4_meta_labels(data: bytes, start: int, end: int) -> list[str]:
    """iTunes (ilst of named items) or QuickTime (keys, then ilst items numbered after them)."""
    if data[start + 4 : start + 8] != b"hdlr":  # ISO's meta has a version first; QuickTime's not
        start += 4
    keys: dict[int, str] = {}
    found: list[str] = []
    children = list(_mp4_boxes(data, start, end))
    for child, _, content, child_end in children:
        if child == b"keys":
            keys = _mp4_keys(data, content, child_end)
    for child, _, content, child_end in children:
        if child == b"ilst":
            for item, _, item_content, item_end in _mp4_boxes(data, content, child_end):
                number = int.from_bytes(item, "big")
                if number in keys:
                    label = _label_for_name(keys[number])
                elif item == b"----":
                    label = _label_for_name(_mp4_freeform_name(data, item_content, item_end))
                else:
                    label = _MP4_LABELS.get(item, OTHER_DATA)
                found += [] if label is None else [label]
        elif child not in (b"hdlr", b"keys", b"free", b"skip") and data[content:child_end].strip(
            b"\x00"
        ):
            found.append(XMP if child == b"xml " else OTHER_DATA)
    return found


def _mp4_keys(data: bytes, start: int, end: int) -> dict[int, str]:
    """QuickTime metadata keys by their number (from 1): "com.apple.quicktime.location.ISO6709"."""
    keys: dict[int, str] = {}
    count = _be32(data, start + 4)
    position = start + 8
    for number in range(1, count + 1):
        size = _be32(data, position)
        if size < 8 or position + size > end:
            raise Refusal("unreadable")
        keys[number] = data[position + 8 : position + size].decode("utf-8", "replace")
        position += size
    return keys


def _mp4_freeform_name(data: bytes, start: int, end: int) -> str:
    """The name of an iTunes free-form item (----: mean, name, data)."""
    for child, _, content, child_end in _mp4_boxes(data, start, end):
        if child == b"name":
            return data[content + 4 : child_end].decode("utf-8", "replace")
    return ""


if __name__ == "__main__":
    sys.exit(main())
