"""Audio evidence loses the tags a phone or recorder app writes (device, app, location, names)
and keeps every byte of its sound. The files here are built by hand, field by field."""

from __future__ import annotations

import io
import struct
import wave
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redress.intake import sanitiser, upload_words
from redress.intake.filetypes import sniff
from redress.intake.sandbox import clean
from redress.intake.sanitiser.audio import ogg as ogg_format
from redress.intake.upload_words import UploadRefused

PLACE = b"+51.4816-003.1791/"  # Cardiff, as a phone writes it
DEVICE = b"Pixel 7 Pro"
APP = b"Easy Voice Recorder 2.9"
NAME = b"Rhian Hughes"
TITLE = b"Meeting with line manager"
MARKERS = (PLACE, DEVICE, APP, NAME, TITLE)


def assert_no_markers(data: bytes) -> None:
    for marker in MARKERS:
        assert marker not in data, marker


# --- MP3 --------------------------------------------------------------------------------------


def syncsafe(value: int) -> bytes:
    return bytes((value >> shift) & 0x7F for shift in (21, 14, 7, 0))


def id3v2(frames: list[tuple[bytes, bytes]], *, version: int = 4, footer: bool = False) -> bytes:
    body = b""
    for frame_id, content in frames:
        size = syncsafe(len(content)) if version == 4 else len(content).to_bytes(4, "big")
        body += frame_id + size + b"\x00\x00" + content
    body += b"\x00" * 16  # padding
    flags = 0x10 if footer else 0
    header = b"ID3" + bytes([version, 0, flags]) + syncsafe(len(body))
    return header + body + (b"3DI" + header[3:] if footer else b"")


def text(value: bytes) -> bytes:
    return b"\x03" + value  # UTF-8


def user_text(description: bytes, value: bytes) -> bytes:
    return b"\x03" + description + b"\x00" + value


def id3v1(
    title: bytes = b"", artist: bytes = b"", year: bytes = b"", comment: bytes = b""
) -> bytes:
    def field(value: bytes, size: int) -> bytes:
        return value[:size].ljust(size, b"\x00")

    return (
        b"TAG"
        + field(title, 30)
        + field(artist, 30)
        + field(b"", 30)
        + field(year, 4)
        + field(comment, 30)
        + b"\xff"
    )


def mpeg_frames(payloads: list[bytes]) -> bytes:
    """MPEG-1 Layer III frames of 417 bytes (128 kbit/s, 44.1 kHz) carrying these payloads."""
    return b"".join(b"\xff\xfb\x90\x00" + payload.ljust(413, b"\x55")[:413] for payload in payloads)


def ape_tag(items: dict[bytes, bytes]) -> bytes:
    body = b"".join(
        len(value).to_bytes(4, "little") + b"\x00\x00\x00\x00" + key + b"\x00" + value
        for key, value in items.items()
    )
    footer = b"APETAGEX" + struct.pack("<IIII", 2000, len(body) + 32, len(items), 0) + b"\x00" * 8
    return body + footer


AUDIO = mpeg_frames([bytes([index]) * 413 for index in range(5)])


def tagged_mp3(audio: bytes = AUDIO) -> bytes:
    tag = id3v2(
        [
            (b"TIT2", text(TITLE)),
            (b"TPE1", text(NAME)),
            (b"TSSE", text(APP)),
            (b"TXXX", user_text(b"location", PLACE)),
            (b"TXXX", user_text(b"device", DEVICE)),
            (b"TDRC", text(b"2025-03-14T09:30")),
            (b"TLEN", text(b"650")),
        ]
    )
    return tag + audio + id3v1(title=TITLE, artist=NAME, year=b"2025", comment=b"for HR")


def test_mp3_loses_its_id3_tags_and_keeps_its_frames() -> None:
    original = tagged_mp3()
    cleaned = clean(original, filename="memo.mp3")

    assert cleaned.kind == "mp3"
    assert cleaned.data == AUDIO
    assert_no_markers(cleaned.data)
    assert sniff(cleaned.data) == "mp3"
    assert cleaned.removed == (
        upload_words.RECORDED_AT,
        upload_words.RECORDER,
        upload_words.DATES,
        upload_words.AUDIO_TAGS,
    )
    assert cleaned.found == cleaned.removed


def test_mp3_tags_of_every_version_and_at_the_end_go_too() -> None:
    v22 = b"TT2" + (len(TITLE) + 1).to_bytes(3, "big") + b"\x00" + TITLE
    v22_tag = b"ID3\x02\x00\x00" + syncsafe(len(v22)) + v22
    v23_tag = id3v2([(b"TSSE", b"\x00" + APP)], version=3)
    appended = id3v2([(b"TXXX", user_text(b"GPS coordinates", PLACE))], footer=True)
    ape = ape_tag({b"Artist": NAME, b"Tool Name": APP, b"REPLAYGAIN_TRACK_GAIN": b"-3 dB"})
    lyrics = b"LYRICSBEGININD00002" + b"10" + b"LYR00025" + TITLE
    lyrics += str(len(lyrics)).zfill(6).encode() + b"LYRICS200"

    for head, tail, labels in [
        (v22_tag, b"", {upload_words.AUDIO_TAGS}),
        (v23_tag, ape, {upload_words.RECORDER, upload_words.AUDIO_TAGS}),
        (b"", appended + lyrics + id3v1(), {upload_words.RECORDED_AT, upload_words.AUDIO_TAGS}),
        (b"", ape + id3v1(artist=NAME), {upload_words.RECORDER, upload_words.AUDIO_TAGS}),
    ]:
        cleaned = clean(head + AUDIO + tail)
        assert cleaned.data == AUDIO
        assert set(cleaned.removed) == labels


def test_an_mp3_with_an_empty_tag_is_stored_as_it_is() -> None:
    original = id3v2([]) + AUDIO + id3v1()
    cleaned = clean(original)
    assert (cleaned.data, cleaned.removed, cleaned.found) == (original, (), ())


# --- WAV --------------------------------------------------------------------------------------

SAMPLES = bytes(range(256)) * 8  # 1,024 16-bit samples


def chunk(chunk_id: bytes, body: bytes) -> bytes:
    return chunk_id + len(body).to_bytes(4, "little") + body + (b"\x00" if len(body) % 2 else b"")


def riff(*chunks: bytes) -> bytes:
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + len(body).to_bytes(4, "little") + body


FMT = chunk(b"fmt ", struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16))
DATA = chunk(b"data", SAMPLES)


def tagged_wav() -> bytes:
    info = b"INFO" + b"".join(
        (
            chunk(b"INAM", TITLE + b"\x00"),
            chunk(b"IART", NAME + b"\x00"),
            chunk(b"ISFT", APP + b"\x00"),
            chunk(b"ICRD", b"2025-03-14\x00"),
        )
    )
    bext = (
        b"Interview".ljust(256, b"\x00")
        + DEVICE.ljust(32, b"\x00")
        + b"ref".ljust(32, b"\x00")
        + b"2025-03-1409:30:00"
        + b"\x00" * (602 - 338)
    )
    id3_tag = id3v2([(b"TXXX", user_text(b"Recording location", PLACE))])
    return riff(chunk(b"bext", bext), FMT, chunk(b"LIST", info), DATA, chunk(b"id3 ", id3_tag))


def read_wav(data: bytes) -> tuple[tuple[object, ...], bytes]:
    with wave.open(io.BytesIO(data), "rb") as recording:
        return recording.getparams()[:3], recording.readframes(recording.getnframes())


def test_wav_loses_list_info_bext_and_id3_and_keeps_its_samples() -> None:
    original = tagged_wav()
    cleaned = clean(original, filename="memo.wav")

    assert cleaned.data == riff(FMT, DATA)
    assert_no_markers(cleaned.data)
    assert sniff(cleaned.data) == "wav"
    assert read_wav(cleaned.data) == read_wav(original) == ((1, 2, 8000), SAMPLES)
    assert set(cleaned.removed) == {
        upload_words.RECORDED_AT,
        upload_words.RECORDER,
        upload_words.DATES,
        upload_words.AUDIO_TAGS,
    }


def test_an_interrupted_wav_keeps_all_its_sound() -> None:
    """A recorder that stopped before finishing leaves the sizes unwritten."""
    info = chunk(b"LIST", b"INFO" + chunk(b"ISFT", APP))
    unfinished = b"RIFF\x00\x00\x00\x00WAVE" + info + FMT + b"data\x00\x00\x00\x00" + SAMPLES
    cleaned = clean(unfinished)
    assert cleaned.data.endswith(FMT + b"data\x00\x00\x00\x00" + SAMPLES)
    assert APP not in cleaned.data
    assert cleaned.removed == (upload_words.RECORDER,)


# --- M4A --------------------------------------------------------------------------------------


def box(box_type: bytes, *children: bytes) -> bytes:
    body = b"".join(children)
    return (8 + len(body)).to_bytes(4, "big") + box_type + body


def full_box(box_type: bytes, *children: bytes) -> bytes:
    return box(box_type, b"\x00\x00\x00\x00", *children)


def item(name: bytes, value: bytes) -> bytes:
    return box(name, box(b"data", b"\x00\x00\x00\x01\x00\x00\x00\x00", value))


FTYP = box(b"ftyp", b"M4A \x00\x00\x00\x00M4A isommp42")
MEDIA = bytes(range(256)) * 4


def tagged_m4a(*, moov_first: bool = True) -> tuple[bytes, int]:
    """An M4A with a location in moov/udta and iTunes tags; (file, offset of the media)."""

    def moov(media_offset: int) -> bytes:
        stco = full_box(b"stco", (1).to_bytes(4, "big"), media_offset.to_bytes(4, "big"))
        trak = box(
            b"trak",
            full_box(b"tkhd", b"\x00" * 80),
            box(b"mdia", full_box(b"mdhd", b"\x00" * 20), box(b"minf", box(b"stbl", stco))),
        )
        udta = box(
            b"udta",
            box(b"\xa9xyz", b"\x00\x12\x15\xc7" + PLACE),
            full_box(
                b"meta",
                full_box(b"hdlr", b"\x00" * 4 + b"mdirappl" + b"\x00" * 9),
                box(
                    b"ilst",
                    item(b"\xa9nam", TITLE),
                    item(b"\xa9ART", NAME),
                    item(b"\xa9too", APP),
                    item(b"\xa9day", b"2025-03-14"),
                ),
            ),
        )
        return box(b"moov", full_box(b"mvhd", b"\x00" * 96), trak, udta)

    mdat = box(b"mdat", MEDIA)
    if moov_first:
        size = len(FTYP) + len(moov(0))
        return FTYP + moov(size + 8) + mdat, size + 8
    return FTYP + mdat + moov(len(FTYP) + 8), len(FTYP) + 8


def quicktime_metadata() -> bytes:
    """A QuickTime metadata box, as an iPhone writes it: keys, then items numbered after them."""
    names = [
        b"com.apple.quicktime.location.ISO6709",
        b"com.apple.quicktime.make",
        b"com.apple.quicktime.model",
        b"com.apple.quicktime.creationdate",
    ]
    keys = full_box(
        b"keys",
        len(names).to_bytes(4, "big"),
        *((8 + len(name)).to_bytes(4, "big") + b"mdta" + name for name in names),
    )
    values = [PLACE, b"Apple", DEVICE, b"2025-03-14T09:30:00+0000"]
    items = [item(number.to_bytes(4, "big"), value) for number, value in enumerate(values, 1)]
    return box(
        b"meta", full_box(b"hdlr", b"\x00" * 4 + b"mdta" + b"\x00" * 13), keys, box(b"ilst", *items)
    )


@pytest.mark.parametrize("moov_first", [True, False])
def test_m4a_user_data_becomes_free_space_and_nothing_moves(moov_first: bool) -> None:
    original, media_offset = tagged_m4a(moov_first=moov_first)
    assert original[media_offset : media_offset + len(MEDIA)] == MEDIA
    cleaned = clean(original, filename="memo.m4a")

    assert len(cleaned.data) == len(original)
    assert cleaned.data[media_offset : media_offset + len(MEDIA)] == MEDIA
    assert media_offset.to_bytes(4, "big") in cleaned.data  # the chunk offset, unchanged
    assert b"udta" not in cleaned.data
    assert b"free" in cleaned.data
    assert_no_markers(cleaned.data)
    assert sniff(cleaned.data) == "m4a"
    assert cleaned.removed == (
        upload_words.RECORDED_AT,
        upload_words.RECORDER,
        upload_words.DATES,
        upload_words.AUDIO_TAGS,
    )
    # Everything but the blanked box is the same, byte for byte.
    start = original.index(b"udta") - 4
    end = start + int.from_bytes(original[start : start + 4], "big")
    assert cleaned.data[:start] == original[:start]
    assert cleaned.data[end:] == original[end:]
    assert cleaned.data[start:end] == original[start : start + 4] + b"free" + bytes(end - start - 8)


def test_m4a_quicktime_metadata_and_a_bare_location_go_too() -> None:
    trak = box(b"trak", full_box(b"tkhd", b"\x00" * 80), box(b"\xa9xyz", PLACE))
    moov = box(b"moov", full_box(b"mvhd", b"\x00" * 96), trak, quicktime_metadata())
    original = FTYP + moov + box(b"mdat", MEDIA)
    cleaned = clean(original)

    assert len(cleaned.data) == len(original)
    assert_no_markers(cleaned.data)
    assert b"com.apple.quicktime" not in cleaned.data
    assert cleaned.data.endswith(box(b"mdat", MEDIA))
    assert set(cleaned.removed) == {
        upload_words.RECORDED_AT,
        upload_words.RECORDER,
        upload_words.DATES,
    }


# --- Ogg --------------------------------------------------------------------------------------


def reference_crc(data: bytes) -> int:
    """Ogg's CRC-32 bit by bit, as the specification gives it."""
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def page(
    serial: int,
    sequence: int,
    segments: list[int],
    body: bytes,
    *,
    flags: int = 0,
    granule: int = 0,
) -> bytes:
    header = b"OggS\x00" + bytes([flags]) + struct.pack("<qII", granule, serial, sequence)
    tail = bytes([len(segments)]) + bytes(segments) + body
    crc = reference_crc(header + b"\x00" * 4 + tail)
    return header + crc.to_bytes(4, "little") + tail


def lacing(packet: bytes) -> list[int]:
    return [255] * (len(packet) // 255) + [len(packet) % 255]


def paged(serial: int, first_sequence: int, packets: list[bytes]) -> list[bytes]:
    """Packets laid on pages of at most 255 lacing values, as an encoder might."""
    values = [(value, index) for index, packet in enumerate(packets) for value in lacing(packet)]
    body = b"".join(packets)
    pages: list[bytes] = []
    position, continued = 0, False
    for first in range(0, len(values), 255):
        group = values[first : first + 255]
        size = sum(value for value, _ in group)
        pages.append(
            page(
                serial,
                first_sequence + len(pages),
                [value for value, _ in group],
                body[position : position + size],
                flags=1 if continued else 0,
                granule=0 if any(value < 255 for value, _ in group) else -1,
            )
        )
        position += size
        continued = group[-1][0] == 255
    return pages


def comments(vendor: bytes, fields: list[bytes]) -> bytes:
    out = len(vendor).to_bytes(4, "little") + vendor + len(fields).to_bytes(4, "little")
    return out + b"".join(len(field).to_bytes(4, "little") + field for field in fields)


AUDIO_PACKETS = [bytes([index % 256]) * (40 + index * 7) for index in range(60)]
FIELDS = [
    b"TITLE=" + TITLE,
    b"ARTIST=" + NAME,
    b"ENCODER=" + APP,
    b"LOCATION=" + PLACE,
    b"DATE=2025-03-14",
    b"REPLAYGAIN_TRACK_GAIN=-3 dB",
]


def ogg_file(
    codec: str = "vorbis", *, picture: int = 0, audio: list[bytes] = AUDIO_PACKETS
) -> bytes:
    serial = 0x1234ABCD
    fields = FIELDS + ([b"METADATA_BLOCK_PICTURE=" + b"P" * picture] if picture else [])
    if codec == "vorbis":
        head = b"\x01vorbis" + b"\x00" * 23
        headers = [b"\x03vorbis" + comments(b"Xiph.Org libVorbis I 20200704", fields) + b"\x01"]
        headers.append(b"\x05vorbis" + bytes(range(200)))
    else:
        head = b"OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00"
        headers = [b"OpusTags" + comments(b"libopus 1.3.1", fields)]
    pages = [page(serial, 0, lacing(head), head, flags=0x02)]
    pages += paged(serial, 1, headers)
    granule = 0
    for index in range(0, len(audio), 10):
        group = audio[index : index + 10]
        granule += 960 * len(group)
        last = index + 10 >= len(audio)
        values = [value for packet in group for value in lacing(packet)]
        pages.append(
            page(
                serial,
                len(pages),
                values,
                b"".join(group),
                flags=0x04 if last else 0,
                granule=granule,
            )
        )
    return b"".join(pages)


def read_pages(data: bytes) -> list[tuple[int, int, int, bytes, bytes]]:
    """(flags, granule, sequence, lacing, body) of each page; every CRC checked."""
    pages: list[tuple[int, int, int, bytes, bytes]] = []
    position = 0
    while position < len(data):
        assert data[position : position + 4] == b"OggS"
        count = data[position + 26]
        segments = data[position + 27 : position + 27 + count]
        end = position + 27 + count + sum(segments)
        raw = data[position:end]
        assert reference_crc(raw[:22] + b"\x00" * 4 + raw[26:]) == int.from_bytes(
            raw[22:26], "little"
        )
        flags, granule, _, sequence = struct.unpack_from("<BqII", raw, 5)
        pages.append((flags, granule, sequence, segments, raw[27 + count :]))
        position = end
    return pages


def read_packets(data: bytes) -> list[bytes]:
    packets: list[bytes] = []
    partial = b""
    for _, _, _, segments, body in read_pages(data):
        position = 0
        for value in segments:
            partial += body[position : position + value]
            position += value
            if value < 255:
                packets.append(partial)
                partial = b""
    return packets


@pytest.mark.parametrize("codec", ["vorbis", "opus"])
def test_ogg_comments_are_emptied_and_every_audio_packet_is_kept(codec: str) -> None:
    original = ogg_file(codec)
    cleaned = clean(original, filename="memo.ogg")

    assert_no_markers(cleaned.data)
    assert sniff(cleaned.data) == "ogg"
    before, after = read_packets(original), read_packets(cleaned.data)
    assert after[0] == before[0]
    assert after[-len(AUDIO_PACKETS) :] == before[-len(AUDIO_PACKETS) :] == AUDIO_PACKETS
    if codec == "vorbis":
        assert after[1] == b"\x03vorbis" + b"\x00" * 8 + b"\x01"
        assert after[2] == before[2]  # the setup header
    else:
        assert after[1] == b"OpusTags" + b"\x00" * 8
    sequences = [sequence for _, _, sequence, _, _ in read_pages(cleaned.data)]
    assert sequences == list(range(len(sequences)))
    assert cleaned.removed == (
        upload_words.RECORDED_AT,
        upload_words.RECORDER,
        upload_words.DATES,
        upload_words.AUDIO_TAGS,
    )


def test_an_ogg_comment_over_many_pages_shrinks_to_one_and_later_pages_are_renumbered() -> None:
    original = ogg_file(picture=200_000)
    assert len(read_pages(original)) > len(read_pages(ogg_file())) + 2
    cleaned = clean(original)

    pages = read_pages(cleaned.data)
    assert len(pages) == len(read_pages(ogg_file()))
    assert [sequence for _, _, sequence, _, _ in pages] == list(range(len(pages)))
    assert pages[-1][0] & 0x04  # the end of the stream is still marked
    assert read_packets(cleaned.data)[3:] == AUDIO_PACKETS
    assert upload_words.EXTRA_PICTURES in cleaned.removed
    assert b"PPPP" not in cleaned.data


def test_audio_that_shares_a_page_with_the_last_header_keeps_its_place() -> None:
    head = b"\x01vorbis" + b"\x00" * 23
    comment = b"\x03vorbis" + comments(b"", [b"ARTIST=" + NAME]) + b"\x01"
    setup = b"\x05vorbis" + bytes(300)
    audio = [bytes([index]) * 100 for index in range(5)]
    values = lacing(comment) + lacing(setup) + [value for p in audio for value in lacing(p)]
    original = (
        page(7, 0, lacing(head), head, flags=0x02)
        + page(7, 1, values, comment + setup + b"".join(audio), granule=4800)
        + page(7, 2, [50], b"z" * 50, flags=0x04, granule=9600)
    )
    cleaned = clean(original)

    assert NAME not in cleaned.data
    assert read_packets(cleaned.data)[3:] == [*audio, b"z" * 50]
    # The headers on a page of their own, then the audio with the granule position it had.
    pages = read_pages(cleaned.data)
    assert [(flags, granule, sequence) for flags, granule, sequence, _, _ in pages] == [
        (0x02, 0, 0),
        (0, 0, 1),
        (0, 4800, 2),
        (0x04, 9600, 3),
    ]
    assert cleaned.removed == (upload_words.AUDIO_TAGS,)


def speex_stream() -> bytes:
    head = b"Speex   " + bytes(72)  # no extra headers
    tags = comments(b"Speex 1.2", [b"ARTIST=" + NAME, b"ENCODER=" + APP])
    return (
        page(5, 0, lacing(head), head, flags=0x02)
        + page(5, 1, lacing(tags), tags)
        + page(5, 2, [30], b"a" * 30, flags=0x04, granule=160)
    )


def flac_stream() -> bytes:
    stream_info = b"\x00" + (34).to_bytes(3, "big") + bytes(34)
    head = b"\x7fFLAC\x01\x00" + (2).to_bytes(2, "big") + b"fLaC" + stream_info
    tags = comments(b"reference libFLAC", [b"TITLE=" + TITLE, b"LOCATION=" + PLACE])
    tags_block = b"\x04" + len(tags).to_bytes(3, "big") + tags
    picture = b"\x86" + (len(DEVICE)).to_bytes(3, "big") + DEVICE  # marked the last block
    frame = b"\xff\xf8" + b"a" * 30
    return (
        page(6, 0, lacing(head), head, flags=0x02)
        + page(6, 1, lacing(tags_block) + lacing(picture), tags_block + picture)
        + page(6, 2, lacing(frame), frame, flags=0x04, granule=4096)
    )


@pytest.mark.parametrize(
    ("make", "headers", "labels"),
    [
        (speex_stream, [b"\x00" * 8], {upload_words.RECORDER, upload_words.AUDIO_TAGS}),
        (
            flac_stream,
            [b"\x04\x00\x00\x08" + b"\x00" * 8, b"\x81\x00\x00\x00"],  # empty; padding
            {
                upload_words.RECORDED_AT,
                upload_words.RECORDER,
                upload_words.AUDIO_TAGS,
                upload_words.EXTRA_PICTURES,
            },
        ),
    ],
)
def test_speex_and_flac_in_ogg_lose_their_comments_too(
    make: Callable[[], bytes], headers: list[bytes], labels: set[str]
) -> None:
    original = make()
    cleaned = clean(original)
    assert_no_markers(cleaned.data)
    before, after = read_packets(original), read_packets(cleaned.data)
    assert after == [before[0], *headers, before[-1]]
    assert set(cleaned.removed) == labels


@settings(max_examples=200, deadline=None, database=None)
@given(st.binary(max_size=3000))
def test_the_ogg_crc_is_the_one_the_specification_gives(data: bytes) -> None:
    assert ogg_format._ogg_crc(data) == reference_crc(data)


# --- Keeping the original ---------------------------------------------------------------------

TAGGED: list[tuple[str, Callable[[], bytes]]] = [
    ("mp3", tagged_mp3),
    ("wav", tagged_wav),
    ("m4a", lambda: tagged_m4a()[0]),
    ("ogg", ogg_file),
]


@pytest.mark.parametrize(("kind", "make"), TAGGED)
def test_keep_original_keeps_every_byte_and_warns_of_the_location(
    kind: str, make: Callable[[], bytes]
) -> None:
    original = make()
    kept = clean(original, keep_original=True)

    assert kept.kind == kind
    assert kept.data == original
    assert kept.removed == ()
    assert kept.found == clean(original).removed
    assert kept.found[0] == upload_words.RECORDED_AT
    assert upload_words.RECORDER in kept.found


def test_the_sanitiser_answers_with_words_the_web_process_knows() -> None:
    for _, make in TAGGED:
        _, found = sanitiser.sanitise(sniff(make()) or "", make(), keep_original=True)
        assert found
        assert set(found) <= set(upload_words.LABELS)


# --- Damaged, cut short or hostile ------------------------------------------------------------


def test_an_ogg_with_a_damaged_header_page_is_refused() -> None:
    original = bytearray(ogg_file())
    second_page = original.index(b"OggS", 4)
    original[second_page + 40] ^= 0xFF  # inside the comment header: the CRC no longer matches
    with pytest.raises(UploadRefused) as refused:
        clean(bytes(original))
    assert refused.value.message == upload_words.UNREADABLE


@pytest.mark.parametrize(
    "data",
    [
        tagged_wav()[:60],  # the format chunk cut off
        riff(chunk(b"LIST", b"INFO")),  # no sound at all
        tagged_m4a()[0][:300],  # moov cut off
        ogg_file()[:120],  # the comment header cut off
    ],
)
def test_damaged_recordings_are_refused_with_a_plain_message(data: bytes) -> None:
    if sniff(data) is None:
        pytest.skip("not even recognised")  # refused before the sanitiser; covered elsewhere
    with pytest.raises(UploadRefused) as refused:
        clean(data)
    assert refused.value.message == upload_words.UNREADABLE


def test_boxes_nested_without_end_are_refused_as_too_complex() -> None:
    nested = box(b"\xa9xyz", PLACE)
    for _ in range(40):
        nested = box(b"trak", nested)
    with pytest.raises(UploadRefused) as refused:
        clean(FTYP + box(b"moov", nested) + box(b"mdat", MEDIA))
    assert refused.value.message == upload_words.TOO_COMPLEX


def test_a_recording_cut_off_in_its_sound_is_still_cleaned() -> None:
    mp3 = tagged_mp3()[:-300]  # the ID3v1 tag and part of the last frame gone
    assert clean(mp3).data == AUDIO[:-172]
    ogg = ogg_file()[:-50]
    cleaned = clean(ogg)
    assert_no_markers(cleaned.data)
    assert cleaned.data.endswith(ogg[-200:])  # the part page is kept as it was
    m4a, media_offset = tagged_m4a()
    cut = clean(m4a[:-100])
    assert cut.data[media_offset:] == m4a[media_offset:-100]
    assert_no_markers(cut.data)


@st.composite
def damaged_recordings(draw: st.DrawFn) -> tuple[str, bytes]:
    """A tagged recording cut short, with bytes changed, or with noise spliced in."""
    kind, make = draw(st.sampled_from([*TAGGED, ("ogg", speex_stream), ("ogg", flac_stream)]))
    data = make()
    shape = draw(st.sampled_from(["cut", "flip", "splice"]))
    if shape == "cut":
        return kind, data[: draw(st.integers(0, len(data)))]
    position = draw(st.integers(0, len(data) - 1))
    if shape == "flip":
        changed = bytes([draw(st.integers(0, 255))])
        return kind, data[:position] + changed + data[position + 1 :]
    noise = draw(st.binary(min_size=1, max_size=64))
    return kind, data[:position] + noise + data[position:]


@settings(
    max_examples=400,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(damaged_recordings(), st.booleans())
def test_a_damaged_recording_is_cleaned_or_refused_never_a_crash(
    recording: tuple[str, bytes], keep_original: bool
) -> None:
    """In this process, so any exception but a refusal would show (the child hides them)."""
    kind, data = recording
    try:
        cleaned, found = sanitiser.sanitise(kind, data, keep_original=keep_original)
    except sanitiser.Refusal as refusal:
        reason: str | None = refusal.reason
    else:
        reason = None
    if reason is not None:
        assert reason in upload_words.REASONS
        return
    assert set(found) <= set(upload_words.LABELS)
    if keep_original:
        assert cleaned is None
    else:
        assert cleaned is not None
        assert sniff(cleaned) == kind


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(st.binary(min_size=1, max_size=600), min_size=1, max_size=12))
def test_mp3_frames_are_kept_byte_for_byte_whatever_they_hold(payloads: list[bytes]) -> None:
    audio = mpeg_frames([*payloads, b"\x00"])  # the last frame keeps tag-like bytes away
    cleaned, found = sanitiser.sanitise("mp3", tagged_mp3(audio), keep_original=False)
    assert cleaned == audio
    assert upload_words.RECORDED_AT in found


@settings(max_examples=60, deadline=None, database=None)
@given(
    st.lists(st.binary(min_size=1, max_size=700), min_size=1, max_size=30),
    st.sampled_from(["vorbis", "opus"]),
    st.sampled_from([0, 300, 70_000]),
)
def test_ogg_audio_packets_are_kept_byte_for_byte_whatever_they_hold(
    packets: list[bytes], codec: str, picture: int
) -> None:
    original = ogg_file(codec, picture=picture, audio=packets)
    cleaned, found = sanitiser.sanitise("ogg", original, keep_original=False)
    assert cleaned is not None
    assert read_packets(cleaned)[-len(packets) :] == packets
    headers = 3 if codec == "vorbis" else 2
    assert len(read_packets(cleaned)) == headers + len(packets)
    assert upload_words.RECORDED_AT in found
