"""An area marked on a PDF page removes what is under it, and the document handed over holds
nothing else a reader could recover: not the words under the area (visible or hidden in white),
not a note, link or form field, not the document's metadata, attachments or scripts. Checked
the way someone trying to recover the name would: extract the text with two tools, read the
metadata, walk every object in the file, and look at the pixels of the drawn page."""

from __future__ import annotations

import io
import math
import shutil
import subprocess

import pikepdf
import pypdf
import pytest
from PIL import Image, ImageFilter

from redress.redaction import pdf as pdf_redaction
from redress.redaction.errors import BadArea, OverlappingRedactions, RedactionError
from redress.redaction.pdf import RESOLUTION_DPI, Area, can_redact_pdf, redact_pdf

pytestmark = pytest.mark.skipif(
    not can_redact_pdf() or not shutil.which("pdftotext"), reason="poppler-utils are not installed"
)

SECRET = "Zoe Hart"
TRACES = (b"zoe", b"hart")
A4 = (595, 842)

# Where the name is on page 1, in points from the top-left corner as a viewer shows it.
PAGE_ONE_AREA = (60.0, 100.0, 300.0, 160.0)
# Page 2 is turned a quarter clockwise (/Rotate 90): shown 842 wide and 595 high, the name
# written at (100, 500) on the unturned page appears at about (500, 100) going downwards.
PAGE_TWO_AREA = (470.0, 90.0, 540.0, 230.0)
KEPT_WORDS = (72.0, 420.0, 250.0, 450.0)  # page 1, not marked: still shown after redaction


def _page(pdf: pikepdf.Pdf, drawing: str, **extra: object) -> pikepdf.Page:
    page = pdf.add_blank_page(page_size=A4)
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.Type1,
        BaseFont=pikepdf.Name.Helvetica,
        Encoding=pikepdf.Name.WinAnsiEncoding,
    )
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pikepdf.Stream(pdf, drawing.encode())
    for key, value in extra.items():
        page.obj[f"/{key}"] = value
    return page


def _document_with_a_secret() -> bytes:
    """Three pages holding the name in every way a PDF can: see the module."""
    pdf = pikepdf.new()
    _page(
        pdf,
        f"BT /F1 24 Tf 72 700 Td ({SECRET}) Tj ET "
        f"1 1 1 rg BT /F1 10 Tf 80 725 Td (white on white: {SECRET}) Tj ET "
        "0 0 0 rg BT /F1 18 Tf 72 400 Td (Kept words stay) Tj ET",
    )
    _page(
        pdf,
        f"BT /F1 24 Tf 100 500 Td ({SECRET}) Tj ET "
        f"1 1 1 rg BT /F1 8 Tf 100 510 Td (hidden {SECRET}) Tj ET",
        Rotate=90,
    )
    # No area on page 3, but words no one reviewing it would see: white, and off the page.
    _page(
        pdf,
        f"1 1 1 rg BT /F1 12 Tf 72 300 Td ({SECRET} in white) Tj ET "
        f"0 0 0 rg BT /F1 12 Tf 900 300 Td ({SECRET} off the page) Tj ET",
    )
    first = pdf.pages[0]
    field = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Widget,
            FT=pikepdf.Name.Tx,
            T=pikepdf.String("complainant"),
            V=pikepdf.String(SECRET),
            Rect=[72, 600, 300, 620],
            P=first.obj,
        )
    )
    first.obj.Annots = pdf.make_indirect(
        [
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Text,
                Rect=[320, 300, 340, 320],
                Contents=pikepdf.String(f"Note: ask {SECRET}"),
                T=pikepdf.String(SECRET),
            ),
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Link,
                Rect=[72, 395, 200, 420],
                A=pikepdf.Dictionary(
                    S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org/zoe-hart")
                ),
            ),
            field,
        ]
    )
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[field])
    pdf.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String(f"app.alert('{SECRET}')")
    )
    pdf.attachments["zoe-hart.txt"] = pikepdf.AttachedFileSpec(pdf, f"{SECRET}, 1 High St".encode())
    pdf.docinfo["/Author"] = SECRET
    pdf.docinfo["/Title"] = f"Complaint about {SECRET}"
    with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
        xmp["dc:creator"] = [SECRET]
        xmp["dc:description"] = f"Photo of {SECRET}"
    written = io.BytesIO()
    pdf.save(written)
    return written.getvalue()


def _areas() -> list[Area]:
    return [
        Area(1, *PAGE_ONE_AREA, reason="Another person's name", exemption="third party"),
        Area(2, *PAGE_TWO_AREA, reason="Another person's name", exemption="third party"),
    ]


@pytest.fixture(scope="module")
def original() -> bytes:
    return _document_with_a_secret()


@pytest.fixture(scope="module")
def redacted(original: bytes) -> bytes:
    return redact_pdf(original, _areas())


def _drawn(document: bytes, page: int) -> Image.Image:
    pages = ["-f", str(page), "-l", str(page), "-singlefile"]
    picture = subprocess.run(
        ["pdftoppm", "-cropbox", "-r", str(RESOLUTION_DPI), *pages, "-"],
        input=document,
        capture_output=True,
        check=True,
    ).stdout
    return Image.open(io.BytesIO(picture)).convert("RGB")


def _pixels(picture: Image.Image, area: tuple[float, float, float, float]) -> set[object]:
    scale = RESOLUTION_DPI / 72
    x0, y0, x1, y1 = (value * scale for value in area)
    box = (math.floor(x0), math.floor(y0), math.ceil(x1), math.ceil(y1))
    part = picture.crop(box)
    return {colour for _, colour in part.getcolors(part.width * part.height) or []}


def test_the_original_holds_the_name_in_text_metadata_notes_and_under_the_areas(
    original: bytes,
) -> None:
    # Guards the test below: every way of recovering the name works on the original.
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=original, capture_output=True, check=True
    ).stdout
    assert text.count(SECRET.encode()) >= 4
    reader = pypdf.PdfReader(io.BytesIO(original))
    assert reader.metadata is not None
    assert reader.metadata.author == SECRET
    assert reader.attachments
    assert len(_pixels(_drawn(original, 1), PAGE_ONE_AREA)) > 1
    assert len(_pixels(_drawn(original, 2), PAGE_TWO_AREA)) > 1


def test_no_tool_extracts_any_text_from_the_redacted_document(redacted: bytes) -> None:
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=redacted, capture_output=True, check=True
    ).stdout
    assert text.strip(b"\f\n ") == b""
    reader = pypdf.PdfReader(io.BytesIO(redacted))
    assert len(reader.pages) == 3
    assert all(page.extract_text().strip() == "" for page in reader.pages)


def test_the_redacted_document_has_no_metadata_attachments_scripts_or_notes(
    redacted: bytes,
) -> None:
    reader = pypdf.PdfReader(io.BytesIO(redacted))
    assert reader.metadata is None
    assert reader.xmp_metadata is None
    assert reader.attachments == {}
    with pikepdf.open(io.BytesIO(redacted)) as pdf:
        assert "/Info" not in pdf.trailer
        assert set(pdf.Root.keys()) == {"/Type", "/Pages"}
        for page in pdf.pages:
            assert set(page.obj.keys()) <= {
                "/Type",
                "/Parent",
                "/MediaBox",
                "/Resources",
                "/Contents",
            }
        for thing in pdf.objects:
            if isinstance(thing, pikepdf.Stream):
                if thing.get("/Subtype") != pikepdf.Name.Image:
                    assert not any(trace in thing.read_bytes().lower() for trace in TRACES)
                thing = thing.stream_dict
            assert not any(trace in repr(thing).lower().encode() for trace in TRACES)


def _stored(document: bytes, page: int) -> Image.Image:
    """The picture a page of the redacted document is made of, as stored in the file."""
    with pikepdf.open(io.BytesIO(document)) as pdf:
        image = pikepdf.PdfImage(pdf.pages[page - 1].Resources.XObject.Page)
        return image.as_pil_image().convert("RGB")


def test_the_areas_are_one_solid_colour_and_the_rest_of_the_page_is_kept(
    redacted: bytes,
) -> None:
    # The pixels stored in the file: exactly black over the whole area.
    assert _pixels(_stored(redacted, 1), PAGE_ONE_AREA) == {(0, 0, 0)}
    assert _pixels(_stored(redacted, 2), PAGE_TWO_AREA) == {(0, 0, 0)}
    # Drawn by a viewer, the edge pixels blend with the page beside the area; inside, black.
    page_one, page_two = _drawn(redacted, 1), _drawn(redacted, 2)
    assert page_two.width > page_two.height  # shown turned, as the original was
    assert _pixels(page_one, _inset(PAGE_ONE_AREA)) == {(0, 0, 0)}
    assert _pixels(page_two, _inset(PAGE_TWO_AREA)) == {(0, 0, 0)}
    kept = _pixels(page_one, KEPT_WORDS)
    assert (255, 255, 255) in kept
    assert any(max(pixel) < 128 for pixel in kept)


def _inset(area: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    pixel = 72 / RESOLUTION_DPI
    return (area[0] + pixel, area[1] + pixel, area[2] - pixel, area[3] - pixel)


def _one_page() -> bytes:
    pdf = pikepdf.new()
    _page(pdf, f"BT /F1 24 Tf 72 700 Td ({SECRET}) Tj ET")
    written = io.BytesIO()
    pdf.save(written)
    return written.getvalue()


def _area(page: int, x0: float, y0: float, x1: float, y1: float) -> Area:
    return Area(page, x0, y0, x1, y1, reason="Another person's name", exemption="third party")


def test_overlapping_areas_on_a_page_are_refused_and_touching_ones_accepted() -> None:
    with pytest.raises(OverlappingRedactions) as refused:
        redact_pdf(_one_page(), [_area(1, 0, 0, 100, 100), _area(1, 99, 99, 200, 200)])
    assert "page 1" in refused.value.message
    redacted = redact_pdf(_one_page(), [_area(1, 0, 0, 100, 100), _area(1, 100, 0, 200, 100)])
    assert _pixels(_stored(redacted, 1), (0, 0, 200, 100)) == {(0, 0, 0)}


def test_areas_are_measured_from_the_corner_of_the_page_a_viewer_shows() -> None:
    # The page is 600 by 800 points, but a viewer shows only its crop box, 300 by 400 points
    # from (100, 100) up: the name written at (150, 400) appears 50 points from the left and
    # about 100 from the top, and the words written outside the crop box are not shown.
    pdf = pikepdf.new()
    _page(
        pdf,
        f"BT /F1 24 Tf 150 400 Td ({SECRET}) Tj ET BT /F1 24 Tf 450 700 Td (Not shown) Tj ET",
        CropBox=[100, 100, 400, 500],
    )
    written = io.BytesIO()
    pdf.save(written)
    name = (40.0, 70.0, 200.0, 110.0)
    assert len(_pixels(_drawn(written.getvalue(), 1), name)) > 1

    redacted = redact_pdf(written.getvalue(), [_area(1, *name)])

    with pikepdf.open(io.BytesIO(redacted)) as output:
        width, height = (float(n) for n in output.pages[0].MediaBox[2:])
    assert abs(width - 300) < 1
    assert abs(height - 400) < 1
    assert _pixels(_stored(redacted, 1), name) == {(0, 0, 0)}
    with pytest.raises(BadArea):
        redact_pdf(written.getvalue(), [_area(1, 350, 10, 420, 50)])  # on the page, not shown


def test_a_photographic_page_is_stored_small_with_its_area_black() -> None:
    width, height = 600, 400  # pixels, drawn as 288 by 192 points at 150 dpi
    noise = [Image.effect_noise((width, height), 60) for _ in range(3)]
    photograph = Image.merge("RGB", noise).filter(ImageFilter.GaussianBlur(1))
    source = io.BytesIO()
    photograph.save(source, "PDF", resolution=RESOLUTION_DPI)
    area = (40.0, 40.0, 140.0, 100.0)

    redacted = redact_pdf(source.getvalue(), [_area(1, *area)])

    with pikepdf.open(io.BytesIO(redacted)) as pdf:
        assert pdf.pages[0].Resources.XObject.Page.Filter == pikepdf.Name.DCTDecode
    assert len(redacted) * 4 < width * height * 3
    # JPEG shades the area's border with its neighbours' colours; inside it is black.
    inside = 16 * 72 / RESOLUTION_DPI
    border = (area[0] + inside, area[1] + inside, area[2] - inside, area[3] - inside)
    assert _pixels(_stored(redacted, 1), border) == {(0, 0, 0)}


def test_an_area_may_reach_the_very_edge_of_the_page() -> None:
    redacted = redact_pdf(_one_page(), [_area(1, 0, 0, A4[0], A4[1])])
    assert _pixels(_stored(redacted, 1), (0, 0, A4[0], A4[1])) == {(0, 0, 0)}
    assert _pixels(_drawn(redacted, 1), (0, 0, A4[0], A4[1])) == {(0, 0, 0)}


@pytest.mark.parametrize(
    "area",
    [
        (0, 10, 10, 20, 20),
        (2, 10, 10, 20, 20),
        (1, 10, 10, 10, 20),
        (1, 30, 10, 20, 20),
        (1, -5, 10, 20, 20),
        (1, 10, 10, 20, A4[1] + 10),
        (1, float("nan"), 10, 20, 20),
    ],
)
def test_areas_on_missing_pages_empty_or_outside_the_page_are_refused(
    area: tuple[int, float, float, float, float],
) -> None:
    with pytest.raises(BadArea) as refused:
        redact_pdf(_one_page(), [_area(*area)])
    assert refused.value.message


def test_documents_too_long_or_pages_too_large_to_draw_are_refused_before_drawing() -> None:
    long_document, poster = pikepdf.new(), pikepdf.new()
    for _ in range(pdf_redaction.PAGE_LIMIT + 1):
        long_document.add_blank_page(page_size=A4)
    poster.add_blank_page(page_size=A4)
    poster.add_blank_page(page_size=(14_400, 14_400))  # 200 inches square
    for document, words in ((long_document, "pages, too many"), (poster, "Page 2 is too large")):
        written = io.BytesIO()
        document.save(written)
        with pytest.raises(RedactionError) as refused:
            redact_pdf(written.getvalue(), [])
        assert words in refused.value.message


@pytest.mark.parametrize("data", [b"", b"%PDF-1.7\nnot really", b"\x89PNG\r\n\x1a\n"])
def test_what_cannot_be_drawn_is_refused_in_words(data: bytes) -> None:
    with pytest.raises(RedactionError) as refused:
        redact_pdf(data, [])
    assert "could not be drawn" in refused.value.message


def test_without_the_tools_that_draw_pages_a_pdf_is_refused_in_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pdf_redaction.shutil, "which", lambda _tool: None)
    assert not can_redact_pdf()
    with pytest.raises(RedactionError) as refused:
        redact_pdf(_one_page(), [])
    assert "tools are missing" in refused.value.message
