"""ID3 tags (in MP3, and inside WAV): what an ID3v2 tag reveals, frame by frame."""

from __future__ import annotations

import re
from typing import Final

from redress.intake.sanitiser.audio.shared import label_for_name, read, syncsafe
from redress.intake.sanitiser.shared import Refusal
from redress.intake.upload_words import (
    AUDIO_TAGS,
    DATES,
    EXTRA_PICTURES,
    OTHER_DATA,
    OWNER,
    RECORDER,
    TEXT_NOTES,
)

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


def id3v2_end(data: bytes, start: int) -> int:
    """Where the ID3v2 tag at ``start`` ends: header, body and footer (as ``filetypes.sniff``
    reads it)."""
    header = read(data, start, 10)
    if header[3] not in (2, 3, 4) or any(byte & 0x80 for byte in header[6:10]):
        raise Refusal("unreadable")
    end = start + 10 + syncsafe(header[6:10]) + (10 if header[5] & 0x10 else 0)
    if end > len(data):
        raise Refusal("unreadable")
    return end


def id3v2_labels(tag: bytes) -> list[str]:
    """What a whole ID3v2 tag (header first) reveals. A tag we cannot walk is other data."""
    major, flags = tag[3], tag[5]
    body = tag[10 : 10 + syncsafe(tag[6:10])]
    if major == 2 and flags & 0x40:  # a compressed v2.2 tag: no scheme was ever defined
        return [OTHER_DATA] if body.strip(b"\x00") else []
    if major == 3 and flags & 0x80:  # v2.3 unsynchronises the whole tag; v2.4 frame by frame
        body = body.replace(b"\xff\x00", b"\xff")
    position = 0
    if flags & 0x40 and len(body) >= 4:  # an extended header
        position = 4 + int.from_bytes(body[:4], "big") if major == 3 else syncsafe(body[:4])
    id_length, header_length = (3, 6) if major == 2 else (4, 10)
    found: list[str] = []
    while position + header_length <= len(body):
        frame_id = body[position : position + id_length]
        if frame_id[0] == 0:  # padding
            break
        size_bytes = body[position + id_length : position + id_length + (3 if major == 2 else 4)]
        if major == 4 and not any(byte & 0x80 for byte in size_bytes):
            size = syncsafe(size_bytes)
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
        label = label_for_name(_id3_description(content)) if not packed else OTHER_DATA
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
