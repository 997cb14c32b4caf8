"""ID3 tags (in MP3, and inside WAV): where an ID3v2 tag ends, and what it reveals.

mutagen reads the frames (every version, unsynchronisation, extended headers, compressed
frames, ID3v2.2's three-letter names, which it renames as ID3v2.4's); this module only judges
each frame by its name. Where a tag ends is read here from its header (ten bytes), as
``filetypes.sniff`` reads it, so that the cut is the same one the sniffing saw.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Final

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

if TYPE_CHECKING:
    from mutagen.id3 import Frame

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
    """What a whole ID3v2 tag (header first) reveals, read by mutagen. A tag or frame mutagen
    cannot read is other data (it goes anyway)."""
    from mutagen.id3 import ID3  # here: only MP3 and WAV need it, and the child starts afresh

    try:
        tags = ID3(io.BytesIO(tag))
    except Exception:  # mutagen's errors for a damaged tag; the tag is cut off all the same
        return [OTHER_DATA]
    found = [OTHER_DATA] if tags.unknown_frames else []
    for frame in tags.values():
        found += _frame_labels(frame)
    return found


def _frame_labels(frame: Frame) -> list[str]:
    """What one frame reveals: nothing when it holds only empty text."""
    texts = getattr(frame, "text", None)
    if isinstance(texts, list) and not any(str(text).strip("\x00 ") for text in texts):
        return []
    if frame.FrameID in ("TXXX", "WXXX"):
        label = label_for_name(frame.desc)
    else:
        label = _ID3_FRAME_LABELS.get(frame.FrameID.encode("latin-1"), OTHER_DATA)
    return [] if label is None else [label]
