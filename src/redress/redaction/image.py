"""Removing boxes from pictures: the pixels under each box are painted over, and the picture is
written again from its pixels alone.

The picture is turned upright first (its EXIF orientation applied), so a box lies where the
officer drew it on the picture as a browser shows it. The boxes are painted solid black,
opaque even where the picture is transparent, so nothing under them survives in any channel.
The new file is encoded from the pixel values only: no EXIF (and so no place, time or camera),
XMP, ICC profile, comment, text chunk or thumbnail of the original goes with it, since a
thumbnail or preview would still show what the box covers. PNG stays PNG (lossless, so the
boxes are exactly one colour); JPEG stays JPEG, at a quality that keeps the rest readable. A
JPEG holding several pictures (MPO, from some cameras) keeps only its first, the one shown.

A picture too large to hold in memory is refused before it is decoded: Pillow's own
decompression-bomb check (``Image.MAX_IMAGE_PIXELS``) stops the largest at opening, and
``MAX_PIXELS`` the rest. An animated PNG is refused: a box drawn on one frame would not cover
the others.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from redress.redaction.errors import BadArea, OverlappingRedactions, RedactionError

# The most pixels decoded (as the upload checks allow): about 200 MB as RGBA.
MAX_PIXELS = 50_000_000
JPEG_QUALITY = 90
_MIME_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "MPO": "image/jpeg"}


@dataclass(frozen=True)
class Box:
    """Pixels from ``(x0, y0)`` to ``(x1, y1)`` of the upright picture to remove, and why.

    Pixels are counted from the top-left corner; the box holds columns ``x0`` to ``x1 - 1``
    and rows ``y0`` to ``y1 - 1``.
    """

    x0: int
    y0: int
    x1: int
    y1: int
    reason: str
    exemption: str


def redact_image(data: bytes, boxes: Sequence[Box]) -> tuple[bytes, str]:
    """(the picture with every box painted solid and no metadata, its MIME type).

    Refuses (``RedactionError``) a picture that cannot be read, is not PNG or JPEG, is too
    large or moves; (``BadArea``) an empty box or one reaching outside the picture; and
    (``OverlappingRedactions``) boxes that share a pixel. Boxes that only touch are accepted.
    """
    picture, kind = _upright(data)
    _check_boxes(boxes, width=picture.width, height=picture.height)
    for box in boxes:
        picture.paste(_solid(picture.mode), (box.x0, box.y0, box.x1, box.y1))
    # A new image from the pixel values alone carries none of the original's ``info``.
    clean = Image.frombytes(picture.mode, picture.size, picture.tobytes())
    out = io.BytesIO()
    if kind == "PNG":
        clean.save(out, "PNG")
    else:
        clean.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue(), _MIME_TYPES[kind]


def _check_boxes(boxes: Sequence[Box], *, width: int, height: int) -> None:
    """Refuse an empty box, one outside a ``width`` by ``height`` picture, or two that overlap."""
    for box in boxes:
        if not (0 <= box.x0 < box.x1 <= width and 0 <= box.y0 < box.y1 <= height):
            raise BadArea(
                _(
                    "An area marked for removal is empty or reaches outside the picture. "
                    "Draw it again inside the picture."
                )
            )
    for one, other in itertools.combinations(boxes, 2):
        if one.x0 < other.x1 and other.x0 < one.x1 and one.y0 < other.y1 and other.y0 < one.y1:
            raise OverlappingRedactions(
                _("Two areas marked for removal overlap. Draw them again so that none overlaps.")
            )


def _upright(data: bytes) -> tuple[Image.Image, str]:
    """The decoded picture turned as its EXIF orientation says, in a mode that can be painted,
    and its format."""
    unreadable = _("The picture could not be read, so nothing could be removed from it.")
    try:
        opened = Image.open(io.BytesIO(data))
    except Exception:  # whatever the decoder raises (a bomb too), the picture is refused
        raise RedactionError(unreadable) from None
    with opened:
        kind = opened.format or ""
        if kind not in _MIME_TYPES:
            raise RedactionError(_("Only PNG and JPEG pictures can have parts removed here."))
        if opened.width * opened.height > MAX_PIXELS:
            raise RedactionError(_("The picture is too large to have parts removed here."))
        if kind == "PNG" and getattr(opened, "n_frames", 1) > 1:
            raise RedactionError(_("A moving picture cannot have parts removed here."))
        try:
            opened.load()
            upright = _paintable(ImageOps.exif_transpose(opened), kind)
        except Exception:  # a truncated or corrupt picture, whatever the decoder raises
            raise RedactionError(unreadable) from None
    return upright, "JPEG" if kind == "MPO" else kind


def _paintable(picture: Image.Image, kind: str) -> Image.Image:
    """``picture`` as grey (L), RGB, or RGBA for a PNG that has transparency."""
    if picture.mode in ("L", "RGB") or (kind == "PNG" and picture.mode == "RGBA"):
        return picture
    if picture.mode in ("1", "I", "I;16", "I;16B", "I;16L"):
        if picture.mode != "1":  # 16-bit grey: keep the top 8 bits, not the clipped bottom
            picture = picture.convert("I").point(lambda value: value / 256)
        return picture.convert("L")
    if kind == "PNG" and (picture.mode in ("LA", "PA") or "transparency" in picture.info):
        return picture.convert("RGBA")
    return picture.convert("RGB")


def _solid(mode: str) -> int | tuple[int, ...]:
    """Black, opaque where the mode has an alpha channel."""
    if mode == "L":
        return 0
    return (0, 0, 0, 255) if mode == "RGBA" else (0, 0, 0)
