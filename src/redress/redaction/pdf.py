"""Removing areas from PDF pages: every page is drawn as a picture, the areas are painted over
in its pixels, and a new PDF is made from those pictures alone.

Why every page, not only those with areas: a PDF can hold words the officer never sees when
reviewing it, and so could never decide to remove: text in white on white, text under a
picture or outside the visible page, layers switched off, a picture stored with one page but
drawn on none, annotations, form fields, attachments, scripts, bookmarks, metadata and the
earlier versions an edited file keeps. Copying a page through keeps all of that; a drawn page
holds only what is seen. So the output holds nothing but the pixels of each page as a viewer
shows it, with the areas solid black, and nothing else of the original is carried over: no
Info dictionary, no XMP, no attachments, no JavaScript or actions, no annotations or links, no
outline, no text layer. The cost is that the pages are pictures: they cannot be searched or
read aloud by a screen reader, and the file is larger. Where the words are needed, the answer
gives them as text, redacted with ``redaction.text``.

Coordinates: an ``Area`` is in PDF points (1/72 inch) measured from the TOP-LEFT corner of the
page as a viewer shows it, that is after the page's crop box and rotation are applied, x to the
right and y downwards, as an officer marks it on a drawn page. (PDF's own coordinates start at
the bottom-left of the unrotated page; these do not.) Drawn at ``RESOLUTION_DPI``, a point is
``RESOLUTION_DPI / 72`` pixels; each area is widened to whole pixels, never narrowed.

Pages are measured by poppler's ``pdfinfo`` and drawn by its ``pdftoppm`` (crop box only,
``-cropbox``) in a child process that reads the document from a pipe and writes to a pipe, under
limits on CPU time, memory, files and time, with an empty environment, as the pages shown to
staff are: whatever the document holds is never run, and this process reads only poppler's
answers and writes the new PDF with pikepdf. Every area is checked against the measured pages,
and a document too long or a page too large to draw is refused, before any page is drawn.
"""

from __future__ import annotations

import io
import itertools
import math
import re
import shutil
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import pikepdf
from django.utils.translation import gettext as _
from PIL import Image, ImageChops

from redress.core.limited import Limits, ToolFailed, ToolMissing, run_limited
from redress.redaction.errors import BadArea, OverlappingRedactions, RedactionError

RESOLUTION_DPI = 150
# A page is stored as JPEG, at this quality, when that is this many times smaller.
JPEG_QUALITY = 90
PHOTOGRAPH_SAVING = 4
PAGE_LIMIT = 300
# The most pixels a drawn page may have (an A0 poster is about 35 million at 150 dpi).
MAX_PAGE_PIXELS = 50_000_000
TIMEOUT_SECONDS = 30
CPU_SECONDS = 20
MEMORY_BYTES = 1024 * 1024 * 1024
# A drawn page is three bytes a pixel, after a short header.
MAX_PICTURE_BYTES = 3 * MAX_PAGE_PIXELS + 64
_LIMITS = Limits(CPU_SECONDS, MEMORY_BYTES, TIMEOUT_SECONDS, MAX_PICTURE_BYTES)

_PAGES = re.compile(rb"^Pages:\s+(\d+)\s*$", re.MULTILINE)
_SIZE = re.compile(rb"^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts", re.MULTILINE)
_ROTATION = re.compile(rb"^Page\s+(\d+) rot:\s+(\d+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Area:
    """A rectangle of page ``page`` (from 1) to remove, and why.

    ``x0``, ``y0`` (top-left corner) and ``x1``, ``y1`` (bottom-right) are in points from the
    top-left corner of the page as a viewer shows it (crop box and rotation applied); see the
    module.
    """

    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    reason: str
    exemption: str


def can_redact_pdf() -> bool:
    """Whether this server has the tools that draw pages, without which ``redact_pdf`` refuses."""
    return all(shutil.which(tool) for tool in ("pdftoppm", "pdfinfo", "prlimit"))


def redact_pdf(data: bytes, areas: Sequence[Area]) -> bytes:
    """A new PDF of ``data``'s pages as pictures, each area painted solid black.

    The output holds nothing of the original but the pixels seen on its pages outside the
    areas: no text, metadata, attachments, scripts, annotations or links. Refuses
    (``RedactionError``) a document whose pages cannot be drawn, that has more than
    ``PAGE_LIMIT`` pages or a page too large to draw; (``BadArea``) an area on a page that does
    not exist, empty, or reaching outside its page; and (``OverlappingRedactions``) two areas
    on one page that overlap (areas that only touch are accepted). Every area is checked
    before any page is drawn.
    """
    sizes = _page_sizes(data)
    by_page: dict[int, list[Area]] = {}
    for area in areas:
        if not isinstance(area.page, int) or not 1 <= area.page <= len(sizes):
            raise BadArea(
                _(
                    "An area marked for removal is on a page the document does not have. "
                    "Draw it again on one of its pages."
                )
            )
        by_page.setdefault(area.page, []).append(area)
    for page, marked in by_page.items():
        _check_areas(page, marked, sizes[page - 1])
    output = pikepdf.new()
    for page in range(1, len(sizes) + 1):
        picture = _drawn_page(data, page)
        _paint(picture, by_page.get(page, []))
        _add_page(output, picture)
    written = io.BytesIO()
    output.save(written, deterministic_id=True)
    return written.getvalue()


def _check_areas(page: int, areas: list[Area], size: tuple[float, float]) -> None:
    """Refuse an empty area, one outside a page of ``size`` points, or two that overlap.

    An area may reach a pixel past the page's edge: poppler rounds the page up to whole pixels.
    """
    width, height = (measure + 72 / RESOLUTION_DPI for measure in size)
    for area in areas:
        if not (0 <= area.x0 < area.x1 <= width and 0 <= area.y0 < area.y1 <= height):
            raise BadArea(
                _(
                    "An area marked for removal on page %(page)s is empty or reaches outside "
                    "the page. Draw it again inside the page."
                )
                % {"page": page}
            )
    for one, other in itertools.combinations(areas, 2):
        if one.x0 < other.x1 and other.x0 < one.x1 and one.y0 < other.y1 and other.y0 < one.y1:
            raise OverlappingRedactions(
                _(
                    "Two areas marked for removal on page %(page)s overlap. "
                    "Draw them again so that none overlaps."
                )
                % {"page": page}
            )


def _paint(picture: Image.Image, areas: list[Area]) -> None:
    """Paint each (checked) area black on the drawn ``picture``, widened to whole pixels."""
    scale = RESOLUTION_DPI / 72
    for area in areas:
        box = (
            math.floor(area.x0 * scale),
            math.floor(area.y0 * scale),
            min(math.ceil(area.x1 * scale), picture.width),
            min(math.ceil(area.y1 * scale), picture.height),
        )
        picture.paste(0 if picture.mode == "L" else (0, 0, 0), box)


def _add_page(output: pikepdf.Pdf, picture: Image.Image) -> None:
    """Add a page to ``output`` the size the picture was drawn at, showing only the picture."""
    width = picture.width * 72 / RESOLUTION_DPI
    height = picture.height * 72 / RESOLUTION_DPI
    stored, encoding = _encoded(picture)
    image = pikepdf.Stream(output, stored)
    image.Filter = encoding
    image.Type = pikepdf.Name.XObject
    image.Subtype = pikepdf.Name.Image
    image.Width = picture.width
    image.Height = picture.height
    image.ColorSpace = pikepdf.Name.DeviceGray if picture.mode == "L" else pikepdf.Name.DeviceRGB
    image.BitsPerComponent = 8
    page = output.add_blank_page(page_size=(width, height))
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Page=image))
    page.Contents = pikepdf.Stream(
        output, f"q {width:.4f} 0 0 {height:.4f} 0 0 cm /Page Do Q".encode()
    )


def _encoded(picture: Image.Image) -> tuple[bytes, pikepdf.Name]:
    """The page's pixels as stored, and how: losslessly, so that the areas are exactly black,
    unless JPEG is ``PHOTOGRAPH_SAVING`` times smaller, as it is for a photograph.

    A JPEG's blocks that straddle an area's edge may shade its border: they hold only black
    and the pixels beside the area, which are shown anyway, never what was under it.
    """
    lossless = zlib.compress(picture.tobytes())
    photograph = io.BytesIO()
    picture.save(photograph, "JPEG", quality=JPEG_QUALITY)
    if len(photograph.getvalue()) * PHOTOGRAPH_SAVING < len(lossless):
        return photograph.getvalue(), pikepdf.Name.DCTDecode
    return lossless, pikepdf.Name.FlateDecode


def _drawn_page(data: bytes, page: int) -> Image.Image:
    """Page ``page``'s crop box drawn by poppler, as RGB pixels (grey where it has no colour).

    Drawn as PPM, which is only the pixels: encoding a PNG of a photograph takes poppler
    seconds a page, and this takes a tenth of a second.
    """
    resolution, number = str(RESOLUTION_DPI), str(page)
    pages = ["-f", number, "-l", number, "-singlefile"]
    drawn = _run(["pdftoppm", "-cropbox", "-r", resolution, *pages, "-"], data)
    if not drawn.startswith(b"P6\n"):
        raise RedactionError(_unreadable())
    try:
        with Image.open(io.BytesIO(drawn)) as opened:
            picture = opened.convert("RGB")
    except Exception:  # poppler's output could not be decoded, whatever Pillow raises
        raise RedactionError(_unreadable()) from None
    red, green, blue = picture.split()
    grey = ImageChops.difference(red, green).getbbox() is None
    if grey and ImageChops.difference(green, blue).getbbox() is None:
        return red  # a third of the size, the same pixels
    return picture


def _page_sizes(data: bytes) -> list[tuple[float, float]]:
    """Each page's (width, height) in points as shown: its crop box, turned by its rotation.

    Refuses a document with more than ``PAGE_LIMIT`` pages, or a page too large to draw.
    """
    described = _run(["pdfinfo", "-f", "1", "-l", str(PAGE_LIMIT), "-"], data)
    count = _PAGES.search(described)
    if count is None:
        raise RedactionError(_unreadable())
    if int(count.group(1)) > PAGE_LIMIT:
        raise RedactionError(
            _("The document has more than %(limit)s pages, too many to have parts removed here.")
            % {"limit": PAGE_LIMIT}
        )
    turns = {int(page): int(degrees) for page, degrees in _ROTATION.findall(described)}
    sizes: list[tuple[float, float]] = []
    for number, width, height in _SIZE.findall(described):
        page = int(number)
        shown = (float(width), float(height))
        if turns.get(page, 0) % 180 == 90:
            shown = (shown[1], shown[0])
        pixels = math.prod(math.ceil(measure * RESOLUTION_DPI / 72) for measure in shown)
        if pixels > MAX_PAGE_PIXELS:
            raise RedactionError(
                _("Page %(page)s is too large to have parts removed here.") % {"page": page}
            )
        sizes.append(shown)
    if len(sizes) != int(count.group(1)):
        raise RedactionError(_unreadable())
    return sizes


def _unreadable() -> str:
    return _("The document's pages could not be drawn, so nothing could be removed from it.")


def _run(command: list[str], document: bytes) -> bytes:
    """``command``'s output, run under this module's limits with ``document`` on its input."""
    try:
        return run_limited(command, document, _LIMITS)
    except ToolMissing:
        raise RedactionError(
            _("Parts of documents cannot be removed on this server: the tools are missing.")
        ) from None
    except ToolFailed:
        raise RedactionError(_unreadable()) from None
