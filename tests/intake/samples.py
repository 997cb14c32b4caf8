"""Sample uploads built in memory: pictures with location and camera, documents with authors."""

from __future__ import annotations

import io
import struct
import wave
import zipfile
import zlib

from PIL import Image, PngImagePlugin
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
)

MARKER_AUTHOR = "Marker Author"
MARKER_MAKE = "MarkerCam"
MARKER_MODEL = "MarkerCam X100"
GPS_IFD = 0x8825
EXIF_IFD = 0x8769
MAKE = 0x010F
MODEL = 0x0110
ORIENTATION = 0x0112
BODY_SERIAL = 0xA431


def jpeg(
    *, size: tuple[int, int] = (64, 48), orientation: int | None = 6, comment: bytes = b""
) -> bytes:
    """A JPEG whose EXIF holds GPS coordinates, camera make, model and serial number."""
    picture = Image.new("RGB", size, (200, 30, 30))
    for x in range(0, size[0], 8):  # some detail, so the pixels are not one flat colour
        picture.putpixel((x, size[1] // 2), (0, 0, 255))
    exif = Image.Exif()
    exif[MAKE] = MARKER_MAKE
    exif[MODEL] = MARKER_MODEL
    if orientation is not None:
        exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 2.5)
    gps[3] = "W"
    gps[4] = (0.0, 7.0, 39.0)
    exif.get_ifd(EXIF_IFD)[BODY_SERIAL] = "SN-12345"
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif, comment=comment, xmp=b"<x>MarkerXMP</x>", quality=90)
    return out.getvalue()


def png(*, author: str = MARKER_AUTHOR) -> bytes:
    """A PNG with tEXt Author and Software chunks."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", author)
    info.add_text("Software", "MarkerPaint")
    out = io.BytesIO()
    Image.new("RGBA", (40, 30), (10, 200, 10, 128)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def png_chunk(chunk_type: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(body, zlib.crc32(chunk_type))
    return struct.pack(">I", len(body)) + chunk_type + body + struct.pack(">I", crc)


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A tiny PNG that claims to be 900 megapixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    pixels = zlib.compress(b"\x00" * (width + 1) * 16)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", pixels)
        + png_chunk(b"IEND", b"")
    )


def large_png(side: int = 4_000) -> bytes:
    """A small file that needs side * side * 4 bytes of memory to decode."""
    out = io.BytesIO()
    Image.new("RGB", (side, side)).save(out, "PNG", compress_level=1)
    return out.getvalue()


def pdf(*, pages: int = 2, author: str = MARKER_AUTHOR) -> bytes:
    """A PDF with /Author, /Creator and an XMP stream naming the author."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": author, "/Creator": "MarkerWriter", "/Title": "Notes"})
    writer.xmp_metadata = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>'
        + author.encode()
        + b"</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_photo(photo: bytes) -> bytes:
    """A one-page PDF that shows ``photo`` as a /DCTDecode image: the JPEG bytes, EXIF and all."""
    picture = Image.open(io.BytesIO(photo))
    writer = PdfWriter()
    page = writer.add_blank_page(width=picture.width, height=picture.height)
    image = DecodedStreamObject()
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(picture.width),
            NameObject("/Height"): NumberObject(picture.height),
            NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
            NameObject("/BitsPerComponent"): NumberObject(8),
            NameObject("/Filter"): NameObject("/DCTDecode"),
        }
    )
    image.set_data(photo)
    page[NameObject("/Resources")] = DictionaryObject(
        {
            NameObject("/XObject"): DictionaryObject(
                {NameObject("/Im0"): writer._add_object(image)}  # no public way in pypdf 7
            )
        }
    )
    contents = DecodedStreamObject()
    contents.set_data(f"q {picture.width} 0 0 {picture.height} 0 0 cm /Im0 Do Q".encode())
    page[NameObject("/Contents")] = ArrayObject([writer._add_object(contents)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels"'
    b' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.wordprocessingml.document.main+xml"/>'
    b'<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
    b'package.core-properties+xml"/>'
    b'<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.extended-properties+xml"/>'
    b"</Types>"
)
RELATIONSHIPS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="word/document.xml"/>'
    b"</Relationships>"
)
DOCUMENT = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>He said it again on Tuesday.</w:t></w:r></w:p></w:body>"
    b"</w:document>"
)
TRACKED_DOCUMENT = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b'<w:body><w:p><w:ins w:id="1" w:author="Marker Reviewer" w:date="2025-01-01T00:00:00Z">'
    b"<w:r><w:t>Added.</w:t></w:r></w:ins></w:p></w:body></w:document>"
)


def core_xml(author: str = MARKER_AUTHOR) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        "<cp:coreProperties"
        ' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:creator>{author}</dc:creator><cp:lastModifiedBy>{author}</cp:lastModifiedBy>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">2025-03-01T09:00:00Z</dcterms:created>'
        "</cp:coreProperties>"
    ).encode()


APP_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    b"<Application>Microsoft Office Word</Application><Pages>1</Pages>"
    b"<Company>Marker Company Ltd</Company><Manager>Marker Manager</Manager></Properties>"
)


def docx(
    *,
    document: bytes = DOCUMENT,
    extra: dict[str, bytes] | None = None,
    content_types: bytes = CONTENT_TYPES,
) -> bytes:
    """A minimal Word document whose properties name its author, company and manager."""
    parts = {
        "[Content_Types].xml": content_types,
        "_rels/.rels": RELATIONSHIPS,
        "word/document.xml": document,
        "docProps/core.xml": core_xml(),
        "docProps/app.xml": APP_XML,
        **(extra or {}),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


def zip_archive(parts: dict[str, bytes] | None = None) -> bytes:
    """An ordinary zip file that is not a Word document."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in (parts or {"notes.txt": b"hello"}).items():
            archive.writestr(name, body)
    return out.getvalue()


def zip_bomb_docx(entries: int = 0, size: int = 0) -> bytes:
    """A docx-shaped archive with too many entries or too much uncompressed data."""
    extra = {f"word/media/part{index}.bin": b"x" for index in range(entries)}
    if size:
        extra["word/media/huge.bin"] = b"\x00" * size
    return docx(extra=extra)


def wav() -> bytes:
    """A tenth of a second of silence."""
    out = io.BytesIO()
    with wave.open(out, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(8000)
        recording.writeframes(b"\x00\x00" * 800)
    return out.getvalue()


def mp3() -> bytes:
    """An ID3 tag and three silent MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz)."""
    tag = b"ID3\x04\x00\x00\x00\x00\x00\x00"
    frame = b"\xff\xfb\x90\x00" + b"\x00" * 413  # 144 * 128000 // 44100 = 417 bytes
    return tag + frame * 3


def html() -> bytes:
    return b"<!doctype html><html><body><script>alert(1)</script></body></html>\n"


def elf() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56 + bytes(range(256))


def exe() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + bytes(range(256))


def corrupt_jpeg() -> bytes:
    """The start of a JPEG, then noise."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(
        (index * 37 + 11) % 256 for index in range(4096)
    )


def corrupt_pdf() -> bytes:
    return b"%PDF-1.7\n" + bytes((index * 53 + 7) % 256 for index in range(4096))
