"""Pictures: JPEG and PNG, and the EXIF they may carry.

- JPEG: re-saved by Pillow with the original quantisation tables and subsampling, keeping only
  the pixels, the colour profile and the orientation (so the picture still looks right). EXIF
  (location, camera, serial numbers, owner, software, dates, thumbnail), XMP, IPTC, comments,
  other application segments and extra pictures (MPO, trailers) are dropped.
- PNG: chunks are filtered losslessly. Only those needed to draw the picture are kept; text
  chunks (tEXt, zTXt, iTXt), eXIf (but the orientation), tIME and private chunks are dropped.

``strip_jpeg`` and ``filter_png`` clean the pictures inside PDFs and Word documents losslessly.

Which tool does the job: Pillow reads EXIF (to say what a picture reveals) and writes uploaded
JPEGs. The PNG chunk filter and ``strip_jpeg``'s segment walk stay hand-written, because they
keep the compressed pixels byte for byte: re-saving a PNG through Pillow would re-compress it and
may change its bit depth or palette, and re-saving a JPEG inside a PDF or Word file would
re-encode it a second time. mat2 was evaluated and is not used: it redraws pictures through
GdkPixbuf and cairo (a lossy re-encode for JPEG, 8 bits a channel for PNG) and needs GObject
introspection from Debian (``mat2`` depends on gir1.2-gdkpixbuf, gir1.2-poppler and
python3-gi-cairo), which the sanitiser's child would have to load for every picture.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from typing import Any, Final

from PIL import ExifTags, Image, JpegImagePlugin

from redress.intake.sanitiser.shared import Refusal
from redress.intake.upload_words import (
    CAMERA,
    CAMERA_OTHER,
    COMMENTS,
    DATES,
    EXTRA_PICTURES,
    GPS,
    IPTC,
    OTHER_DATA,
    OWNER,
    SERIALS,
    SOFTWARE,
    TEXT_NOTES,
    THUMBNAIL,
    XMP,
)

ORIENTATION: Final = 0x0112
PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"


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


def sanitise_jpeg(data: bytes, keep_original: bool) -> tuple[bytes | None, list[str]]:
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


def strip_jpeg(data: bytes, *, keep_orientation: bool) -> tuple[bytes, list[str]]:
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


def sanitise_png(data: bytes, keep_original: bool) -> tuple[bytes | None, list[str]]:
    cleaned, found = filter_png(data)
    _check_picture(data if keep_original else cleaned, "PNG")
    return (None if keep_original else cleaned), found


def filter_png(data: bytes) -> tuple[bytes, list[str]]:
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
