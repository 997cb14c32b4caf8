"""Ogg (Vorbis, Opus, Speex, FLAC): each stream gets an empty comment header, with no vendor,
and FLAC pictures become padding; the header pages are laid out anew and later pages renumbered
if their number changed. Audio packets are never touched."""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from typing import Final

from redress.intake import filetypes
from redress.intake.sanitiser.audio.shared import audio_result, label_for_name, le32, read
from redress.intake.sanitiser.shared import Refusal
from redress.intake.upload_words import (
    EXTRA_PICTURES,
    OTHER_DATA,
    RECORDER,
)

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
            self.codec, self.needed = "speex", 2 + le32(first, 68)  # its extra headers too
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


def sanitise_ogg(data: bytes, keep_original: bool) -> tuple[bytes | None, list[str]]:
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
        return audio_result("ogg", data, data, found, keep_original)

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
    return audio_result("ogg", data, b"".join(out), found, keep_original)


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
    """What the Vorbis comment block at ``offset`` (vendor, then NAME=value comments) reveals,
    read by mutagen; and where it ends. A block it cannot read is other data (it goes anyway)."""
    from mutagen._vorbis import VComment  # here: only Ogg needs it, and the child starts afresh

    block = io.BytesIO(packet[offset:])
    comment = VComment()
    try:
        comment.load(block, errors="replace", framing=False)
    except Exception:  # mutagen's errors for a damaged block
        return [OTHER_DATA], len(packet)
    found = [RECORDER] if comment.vendor.strip("\x00 ") else []  # the encoder, maybe the app
    for name, value in comment:
        if value.strip("\x00 "):
            label = label_for_name(name)
            if label is not None:
                found.append(label)
    return found, offset + block.tell()


_FLAC_PADDING: Final = 1
_FLAC_APPLICATION: Final = 2
_FLAC_COMMENT: Final = 4
_FLAC_PICTURE: Final = 6


def _flac_block(packet: bytes) -> tuple[bytes, list[str]]:
    """A FLAC metadata block in its own packet: comments emptied, pictures and application data
    made empty padding; the number of packets (and the last-block flag) stays the same."""
    header = read(packet, 0, 4)
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
