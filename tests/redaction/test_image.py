"""A box drawn on a picture removes what is under it: the pixels there are one solid colour,
and the file holds nothing else of the original (no place, camera, comment, profile or
thumbnail) that could show what the box covers or where the picture was taken."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageDraw, PngImagePlugin

from redress.redaction.errors import BadArea, OverlappingRedactions, RedactionError
from redress.redaction.image import Box, redact_image

SECRET = "Zoe Hart"


def _box(x0: int, y0: int, x1: int, y1: int) -> Box:
    return Box(x0, y0, x1, y1, reason="Another person's face", exemption="third party")


def _scene(width: int, height: int) -> Image.Image:
    """A grey picture with the secret written in a busy patch at (32, 32)-(96, 64)."""
    picture = Image.new("RGB", (width, height), (128, 128, 128))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((32, 32, 95, 63), fill=(255, 240, 0))
    draw.text((36, 40), SECRET, fill=(200, 0, 40))
    return picture


def _exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010E] = f"Photo of {SECRET}"  # ImageDescription
    exif[0x013B] = SECRET  # Artist
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 39.0)}  # GPS
    return exif


def _metadata_free(output: bytes) -> None:
    lowered = output.lower()
    for trace in (b"zoe", b"hart", b"exif", b"gps", b"xmp", b"icc", b"adobe", b"photo"):
        assert trace not in lowered
    reopened = Image.open(io.BytesIO(output))
    assert not reopened.getexif()
    assert not {"exif", "icc_profile", "comment", "xmp", "dpi"} & set(reopened.info)


def _box_pixels(output: bytes, box: Box) -> set[object]:
    reopened = Image.open(io.BytesIO(output))
    return set(reopened.crop((box.x0, box.y0, box.x1, box.y1)).get_flattened_data())


def test_a_png_box_is_one_solid_colour_and_the_metadata_is_gone() -> None:
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", f"Taken at {SECRET}'s house")
    text.add_itxt("XML:com.adobe.xmp", f"<x:xmpmeta>{SECRET}</x:xmpmeta>")
    source = io.BytesIO()
    _scene(128, 96).save(
        source, "PNG", pnginfo=text, exif=_exif(), icc_profile=b"icc profile of " + b"Zoe"
    )
    box = _box(30, 30, 98, 66)

    output, mime = redact_image(source.getvalue(), [box])

    assert mime == "image/png"
    assert _box_pixels(output, box) == {(0, 0, 0)}
    _metadata_free(output)
    # outside the box the picture is untouched
    assert Image.open(io.BytesIO(output)).getpixel((10, 10)) == (128, 128, 128)


def test_a_jpeg_is_turned_upright_before_its_boxes_are_painted() -> None:
    # Stored on its side: orientation 6 says "turn a quarter clockwise to show". The secret
    # patch is where it appears at (32, 32)-(96, 64) in the picture as shown.
    shown = _scene(160, 112)
    stored = shown.transpose(Image.Transpose.ROTATE_90)
    source = io.BytesIO()
    stored.save(source, "JPEG", exif=_exif(orientation=6), comment=f"{SECRET} at home")
    box = _box(16, 16, 112, 80)

    output, mime = redact_image(source.getvalue(), [box])

    assert mime == "image/jpeg"
    reopened = Image.open(io.BytesIO(output))
    assert reopened.size == (160, 112)
    # JPEG is lossy: what was under the box is dark, none of the yellow or red survives.
    assert all(max(pixel) <= 24 for pixel in _box_pixels(output, box))
    assert reopened.getpixel((140, 100))[0] > 100
    _metadata_free(output)


def test_a_transparent_png_box_is_opaque_so_nothing_hides_in_its_colour_channels() -> None:
    picture = _scene(128, 96).convert("RGBA")
    picture.putalpha(0)  # invisible, but the colours of the secret are still stored
    source = io.BytesIO()
    picture.save(source, "PNG")
    box = _box(0, 0, 128, 96)

    output, _ = redact_image(source.getvalue(), [box])

    assert _box_pixels(output, box) == {(0, 0, 0, 255)}


def test_overlapping_boxes_are_refused_and_touching_ones_accepted() -> None:
    source = io.BytesIO()
    _scene(128, 96).save(source, "PNG")
    with pytest.raises(OverlappingRedactions):
        redact_image(source.getvalue(), [_box(0, 0, 50, 50), _box(49, 49, 60, 60)])
    output, _ = redact_image(source.getvalue(), [_box(0, 0, 50, 50), _box(50, 0, 60, 50)])
    assert _box_pixels(output, _box(0, 0, 60, 50)) == {(0, 0, 0)}


@pytest.mark.parametrize(
    "box", [(0, 0, 0, 10), (10, 10, 5, 20), (-1, 0, 10, 10), (0, 0, 129, 10), (0, 90, 10, 97)]
)
def test_empty_or_outside_boxes_are_refused(box: tuple[int, int, int, int]) -> None:
    source = io.BytesIO()
    _scene(128, 96).save(source, "PNG")
    with pytest.raises(BadArea):
        redact_image(source.getvalue(), [_box(*box)])


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` by ``height`` pixels."""
    source = io.BytesIO()
    Image.new("L", (1, 1)).save(source, "PNG")
    data = bytearray(source.getvalue())
    header = b"IHDR" + struct.pack(">II", width, height) + bytes(data[24:29])
    data[12:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(header))
    return bytes(data)


@pytest.mark.parametrize("size", [(8_000, 8_000), (20_000, 20_000)])
def test_a_picture_too_large_to_decode_is_refused_before_decoding(size: tuple[int, int]) -> None:
    with pytest.raises(RedactionError) as refused:
        redact_image(_png_claiming(*size), [_box(0, 0, 1, 1)])
    assert refused.value.message


@pytest.mark.parametrize("data", [b"", b"not a picture", b"\x89PNG\r\n\x1a\n" + b"\0" * 40])
def test_what_is_not_a_picture_is_refused_in_words(data: bytes) -> None:
    with pytest.raises(RedactionError) as refused:
        redact_image(data, [])
    assert "could not be read" in refused.value.message


def test_other_formats_and_moving_pictures_are_refused() -> None:
    gif = io.BytesIO()
    _scene(64, 64).save(gif, "GIF")
    with pytest.raises(RedactionError):
        redact_image(gif.getvalue(), [])
    frames = [_scene(64, 64), Image.new("RGB", (64, 64))]
    moving = io.BytesIO()
    frames[0].save(moving, "PNG", save_all=True, append_images=frames[1:])
    with pytest.raises(RedactionError) as refused:
        redact_image(moving.getvalue(), [])
    assert "moving" in refused.value.message


def test_a_sixteen_bit_grey_png_keeps_its_shades_outside_the_boxes() -> None:
    source = io.BytesIO()
    Image.new("I;16", (40, 30), 40_000).save(source, "PNG")
    output, mime = redact_image(source.getvalue(), [_box(0, 0, 10, 10)])
    reopened = Image.open(io.BytesIO(output))
    assert mime == "image/png"
    assert reopened.getpixel((20, 20)) == 40_000 // 256
    assert _box_pixels(output, _box(0, 0, 10, 10)) == {0}
