"""Evidence uploads: judged by content, parsed in a limited child, stripped of what identifies."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from xml.parsers import expat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader

from redress.intake import filetypes, sandbox, upload_words
from redress.intake.filetypes import sniff
from redress.intake.sandbox import clean
from redress.intake.upload_words import UploadRefused
from tests.intake import samples

ACCEPTED_NAMES = ["photo.jpg", "scan.png", "report.pdf", "statement.docx", "notes.txt", "a.mp3"]


def refusal(data: bytes, **options: object) -> str:
    with pytest.raises(UploadRefused) as refused:
        clean(data, **options)  # type: ignore[arg-type]
    return refused.value.message


# --- Judged by content ------------------------------------------------------------------------


def ogg() -> bytes:
    page = b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x1e"
    return page + b"\x01vorbis" + b"\x00" * 23


def m4a(brand: bytes = b"M4A ") -> bytes:
    return b"\x00\x00\x00\x18ftyp" + brand + b"\x00\x00\x00\x00" + brand + b"isom" + b"\x00" * 16


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (samples.jpeg, "jpeg"),
        (samples.png, "png"),
        (samples.pdf, "pdf"),
        (samples.docx, "docx"),
        (samples.wav, "wav"),
        (samples.mp3, "mp3"),
        (ogg, "ogg"),
        (m4a, "m4a"),
        (lambda: b"Kind regards, Ms Ng. <script>x()</script>", "text"),
        (lambda: "\ufeffByte order mark first".encode(), "text"),
        (samples.html, "text"),
        (samples.zip_archive, None),
        (samples.elf, None),
        (samples.exe, None),
        (lambda: "caf\xe9".encode("latin-1"), None),
        (lambda: b"text with a \x00 NUL", None),
        (lambda: m4a(b"isom"), None),
        (lambda: b"\xff\xfb\x90\x00" + b"\x00" * 100, None),  # one MPEG frame header is not enough
        (lambda: b"", None),
    ],
)
def test_sniff_judges_by_content(make: Callable[[], bytes], kind: str | None) -> None:
    assert sniff(make()) == kind


def test_a_zip_is_a_word_document_only_with_its_parts() -> None:
    assert sniff(samples.zip_archive({"word/document.xml": samples.DOCUMENT})) is None
    assert sniff(samples.zip_archive({"[Content_Types].xml": samples.CONTENT_TYPES})) is None


def test_the_name_never_decides_the_type() -> None:
    cleaned = clean(samples.png(), filename="evidence.dat")
    assert (cleaned.kind, cleaned.content_type, cleaned.extension) == ("png", "image/png", ".png")
    text = clean(b"Minutes of the meeting", filename="minutes.html")
    assert (text.kind, text.extension) == ("text", ".txt")
    assert text.content_type.startswith("text/plain")


# --- Refused before anything is parsed --------------------------------------------------------


def test_empty_and_oversized_files_are_refused() -> None:
    assert refusal(b"") == upload_words.EMPTY
    too_big = b"\x89PNG\r\n\x1a\n" + bytes(filetypes.MAX_BYTES - 7)
    assert refusal(too_big, filename="x.png") == "The file is larger than 20 MB"


@pytest.mark.parametrize(
    ("make", "filename", "claim"),
    [
        (samples.png, "report.pdf", "a PDF"),
        (samples.html, "photo.jpg", "a JPEG picture"),
        (samples.exe, "photo.jpg", "a JPEG picture"),
        (samples.elf, "holiday.png", "a PNG picture"),
        (samples.zip_archive, "statement.docx", "a Word document"),
        (samples.jpeg, "notes.txt", "plain text"),
        (samples.pdf, "C:\\Users\\me\\recording.MP3", "an MP3 recording"),
    ],
)
def test_disguised_files_are_refused(make: Callable[[], bytes], filename: str, claim: str) -> None:
    assert refusal(make(), filename=filename) == f"The file says it is {claim} but it is not"


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (samples.zip_archive(), "archive.zip"),
        (samples.elf(), ""),
        (samples.exe(), "setup.exe"),
        ("caf\xe9".encode("latin-1"), "notes.csv"),
    ],
)
def test_unknown_types_are_refused(data: bytes, filename: str) -> None:
    assert refusal(data, filename=filename) == upload_words.NOT_ACCEPTED


def test_text_that_is_not_utf8_is_refused_with_a_way_forward() -> None:
    assert refusal("caf\xe9".encode("latin-1"), filename="notes.txt") == upload_words.NOT_UTF8


# --- What is removed --------------------------------------------------------------------------


def test_jpeg_loses_location_and_camera_but_keeps_its_orientation() -> None:
    original = samples.jpeg(comment=b"MarkerComment")
    cleaned = clean(original, filename="photo.jpeg")

    assert cleaned.kind == "jpeg"
    assert (cleaned.content_type, cleaned.extension) == ("image/jpeg", ".jpg")
    picture = Image.open(io.BytesIO(cleaned.data))
    picture.load()
    assert picture.format == "JPEG"
    assert picture.size == (64, 48)
    exif = picture.getexif()
    assert not exif.get_ifd(samples.GPS_IFD)
    assert samples.MAKE not in exif
    assert samples.MODEL not in exif
    assert not exif.get_ifd(samples.EXIF_IFD)
    assert exif[samples.ORIENTATION] == 6
    assert "comment" not in picture.info
    assert "xmp" not in picture.info
    for marker in (b"MarkerCam", b"SN-12345", b"MarkerXMP", b"MarkerComment"):
        assert marker not in cleaned.data
    for label in (
        upload_words.GPS,
        upload_words.CAMERA,
        upload_words.SERIALS,
        upload_words.XMP,
        upload_words.COMMENTS,
    ):
        assert label in cleaned.removed
    assert cleaned.removed == cleaned.found
    assert cleaned.found[0] == "location (GPS)"


def test_png_loses_its_text_chunks_and_keeps_every_pixel() -> None:
    original = samples.png()
    cleaned = clean(original, filename="scan.png")

    picture = Image.open(io.BytesIO(cleaned.data))
    picture.load()
    assert picture.format == "PNG"
    assert not getattr(picture, "text", {})
    assert b"Marker Author" not in cleaned.data
    assert b"tEXt" not in cleaned.data
    assert picture.tobytes() == Image.open(io.BytesIO(original)).tobytes()
    assert cleaned.removed == (upload_words.OWNER, upload_words.SOFTWARE)


def test_png_exif_goes_but_orientation_stays() -> None:
    exif = Image.Exif()
    exif[samples.ORIENTATION] = 3
    exif[samples.MAKE] = samples.MARKER_MAKE
    exif.get_ifd(samples.GPS_IFD)[2] = (51.0, 30.0, 2.5)
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG", exif=exif)

    cleaned = clean(out.getvalue())

    kept = Image.open(io.BytesIO(cleaned.data)).getexif()
    assert dict(kept) == {samples.ORIENTATION: 3}
    assert upload_words.GPS in cleaned.removed
    assert upload_words.CAMERA in cleaned.removed


def test_pdf_loses_author_and_xmp_and_keeps_its_pages() -> None:
    original = samples.pdf(pages=3)
    cleaned = clean(original, filename="report.pdf")

    reader = PdfReader(io.BytesIO(cleaned.data))
    assert len(reader.pages) == 3
    assert not reader.metadata
    assert "/Metadata" not in reader.trailer["/Root"]
    assert b"Marker Author" not in cleaned.data
    assert b"MarkerWriter" not in cleaned.data
    assert upload_words.AUTHOR in cleaned.removed
    assert upload_words.XMP in cleaned.removed


def test_pdf_pictures_lose_their_exif_without_being_re_encoded() -> None:
    photo = samples.jpeg(orientation=None)
    original = samples.pdf_with_photo(photo)
    assert b"MarkerCam" in original

    cleaned = clean(original)

    assert b"MarkerCam" not in cleaned.data
    assert upload_words.GPS in cleaned.removed
    page = PdfReader(io.BytesIO(cleaned.data)).pages[0]
    stream = page["/Resources"]["/XObject"]["/Im0"].get_object()
    embedded = Image.open(io.BytesIO(stream.get_data()))
    assert embedded.tobytes() == Image.open(io.BytesIO(photo)).tobytes()


def test_docx_loses_its_people_and_keeps_its_content() -> None:
    original = samples.docx()
    cleaned = clean(original, filename="statement.docx")

    with zipfile.ZipFile(io.BytesIO(cleaned.data)) as archive:
        assert archive.testzip() is None
        core = archive.read("docProps/core.xml")
        app = archive.read("docProps/app.xml")
        assert archive.read("word/document.xml") == samples.DOCUMENT
        assert archive.read("_rels/.rels") == samples.RELATIONSHIPS
        assert archive.read("[Content_Types].xml") == samples.CONTENT_TYPES
    for part in (core, app):
        expat.ParserCreate().Parse(part, True)  # still well-formed XML
    assert b"Marker Author" not in core
    assert b"creator" not in core
    assert b"lastModifiedBy" not in core
    assert b"Marker Company" not in app
    assert b"Marker Manager" not in app
    assert b"<Pages>1</Pages>" in app
    assert cleaned.removed == (
        upload_words.AUTHOR,
        upload_words.LAST_EDITOR,
        upload_words.COMPANY,
        upload_words.DATES,
    )


def test_docx_reviewers_and_picture_locations_go_too() -> None:
    photo = samples.jpeg()
    original = samples.docx(
        document=samples.TRACKED_DOCUMENT, extra={"word/media/image1.jpeg": photo}
    )
    cleaned = clean(original)

    with zipfile.ZipFile(io.BytesIO(cleaned.data)) as archive:
        document = archive.read("word/document.xml")
        picture = archive.read("word/media/image1.jpeg")
    assert b"Marker Reviewer" not in document
    assert b'w:author=""' in document
    assert b"MarkerCam" not in picture
    embedded = Image.open(io.BytesIO(picture))
    assert dict(embedded.getexif()) == {samples.ORIENTATION: 6}
    assert embedded.tobytes() == Image.open(io.BytesIO(photo)).tobytes()  # not re-encoded
    assert {upload_words.REVIEWERS, upload_words.GPS, upload_words.CAMERA} <= set(cleaned.removed)


@pytest.mark.parametrize("make", [samples.jpeg, samples.png, samples.pdf, samples.docx])
def test_keep_original_returns_the_very_same_bytes_and_says_what_they_reveal(
    make: Callable[[], bytes],
) -> None:
    original = make()
    kept = clean(original, keep_original=True)
    assert kept.data == original
    assert kept.removed == ()
    assert kept.found == clean(original).found
    assert kept.found


def test_keep_original_warns_about_location() -> None:
    kept = clean(samples.jpeg(), filename="photo.jpg", keep_original=True)
    assert "location (GPS)" in kept.found


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        ("Statement <script>alert(1)</script> — témoin".encode(), "text"),
        (samples.wav(), "wav"),
        (samples.mp3(), "mp3"),
    ],
)
def test_text_and_audio_without_tags_are_stored_as_they_are(data: bytes, kind: str) -> None:
    cleaned = clean(data)
    assert (cleaned.kind, cleaned.data, cleaned.removed, cleaned.found) == (kind, data, (), ())


# --- Damaged, hostile or too much -------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (samples.corrupt_jpeg(), "photo.jpg"),
        (samples.jpeg()[:300], "photo.jpg"),
        (samples.png()[:60], "scan.png"),
        (samples.corrupt_pdf(), "report.pdf"),
        (samples.docx(document=b"<w:document><unclosed>"), "statement.docx"),
        (
            samples.docx(
                extra={"docProps/custom.xml": b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'}
            ),
            "statement.docx",
        ),
    ],
)
def test_damaged_files_are_refused_without_a_traceback(data: bytes, filename: str) -> None:
    assert refusal(data, filename=filename) == upload_words.UNREADABLE


@pytest.mark.parametrize(
    "make",
    [
        samples.png_bomb,  # 900 megapixels: Pillow's DecompressionBombError
        lambda: samples.png_bomb(8_000, 8_000),  # 64 megapixels: its warning, made an error
        lambda: samples.zip_bomb_docx(entries=filetypes.MAX_ARCHIVE_ENTRIES),
        lambda: samples.zip_bomb_docx(size=filetypes.MAX_ARCHIVE_BYTES + 1),
    ],
)
def test_decompression_bombs_are_refused(make: Callable[[], bytes]) -> None:
    assert refusal(make()) == upload_words.TOO_COMPLEX


def test_macros_are_refused() -> None:
    data = samples.docx(extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"})
    assert refusal(data) == upload_words.MACROS


def test_a_child_out_of_memory_is_refused() -> None:
    data = samples.large_png(4_000)  # 64 MB once decoded
    assert refusal(data, memory_bytes=72 * 1024 * 1024) == upload_words.TOO_COMPLEX
    assert clean(data).kind == "png"  # the limit, not the file, was the problem


def test_a_child_out_of_time_is_killed_and_refused() -> None:
    started = time.monotonic()
    assert refusal(samples.jpeg(), timeout=0.001) == upload_words.UNREADABLE
    assert time.monotonic() - started < 5


def answer(output: str) -> str:
    """A child script that writes ``output`` and exits cleanly."""
    return f"import sys; sys.stdout.write({output!r})"


def run_instead(monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    """Make ``clean`` run ``script`` as its child instead of the sanitiser."""

    def argv(kind: str, **_: object) -> list[str]:
        return [sys.executable, "-c", script]

    monkeypatch.setattr(sandbox, "_child_argv", argv)


def test_a_hanging_child_is_killed_at_the_wall_clock_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run_instead(monkeypatch, "import time; time.sleep(60)")
    started = time.monotonic()
    assert refusal(samples.jpeg(), timeout=0.5) == upload_words.UNREADABLE
    assert time.monotonic() - started < 5


def test_a_spinning_child_is_stopped_by_its_cpu_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    run_instead(
        monkeypatch,
        "from redress.intake.sanitiser import limit_resources\n"
        "limit_resources(cpu_seconds=1, memory_bytes=512 * 1024 * 1024)\n"
        "while True: pass\n",
    )
    started = time.monotonic()
    assert refusal(samples.jpeg(), timeout=30) == upload_words.UNREADABLE
    assert time.monotonic() - started < 10  # well before the wall clock's 30 s


@pytest.mark.parametrize(
    "script",
    [
        "raise SystemExit(3)",
        "import os; os.abort()",
        "print('not json')",
        answer('{"ok": true, "found": [], "length": 99}\nshort'),
        answer('{"ok": true, "found": ["anything"], "length": 1}\nx'),
        answer('{"ok": true, "found": [], "length": true}\n'),
        answer('{"ok": false, "reason": "<b>made up</b>"}\n'),
        answer("[1, 2]\n"),
        "",
    ],
)
def test_a_child_that_crashes_or_talks_nonsense_is_refused(
    monkeypatch: pytest.MonkeyPatch, script: str
) -> None:
    run_instead(monkeypatch, script)
    assert refusal(samples.png()) == upload_words.UNREADABLE


def test_a_child_answer_that_is_not_the_right_kind_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run_instead(monkeypatch, answer('{"ok": true, "found": [], "length": 4}\nGIF8'))
    assert refusal(samples.png()) == upload_words.UNREADABLE


def test_the_child_gets_no_secrets_and_no_django(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDRESS_RECEIPT_KEY", "00" * 32)
    environment = sandbox._child_environment()
    assert "REDRESS_RECEIPT_KEY" not in environment
    assert "DJANGO_SETTINGS_MODULE" not in environment
    finished = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, redress.intake.sanitiser; print(sorted(m for m in sys.modules"
            " if m.split('.')[0] == 'django'))",
        ],
        env=environment,
        capture_output=True,
        check=True,
        cwd=os.sep,
    )
    assert finished.stdout.strip() == b"[]"


# --- Whatever arrives -------------------------------------------------------------------------

SAMPLES = [samples.jpeg(), samples.png(), samples.pdf(), samples.docx(), samples.mp3()]


@st.composite
def uploads_of_any_shape(draw: st.DrawFn) -> bytes:
    """Noise, noise behind a real file's first bytes, or a real file with one byte changed."""
    shape = draw(st.sampled_from(["noise", "prefix", "mutation"]))
    if shape == "noise":
        return draw(st.binary(max_size=600))
    sample = draw(st.sampled_from(SAMPLES))
    if shape == "prefix":
        return sample[: draw(st.integers(1, 64))] + draw(st.binary(max_size=600))
    position = draw(st.integers(0, len(sample) - 1))
    return sample[:position] + bytes([draw(st.integers(0, 255))]) + sample[position + 1 :]


@settings(max_examples=50, deadline=None, database=None)
@given(data=uploads_of_any_shape(), filename=st.sampled_from([*ACCEPTED_NAMES, "", "x.bin"]))
def test_any_upload_is_either_cleaned_or_refused(data: bytes, filename: str) -> None:
    try:
        cleaned = clean(data, filename=filename)
    except UploadRefused:
        return  # and nothing else: any other exception fails the test
    assert sniff(cleaned.data) == cleaned.kind
    assert set(cleaned.removed) <= set(upload_words.LABELS)
