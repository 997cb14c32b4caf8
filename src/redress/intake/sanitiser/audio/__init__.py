"""Audio: tags are cut out byte for byte. The sound itself is never decoded or changed.

One module per container (``mp3``, ``wav``, ``ogg``, ``m4a``), with ``id3`` for the tags MP3 and
WAV share and ``shared`` for reading structures and judging tags by their names. A recording that
revealed nothing is returned as it came.

Which tool does the job. mutagen (pinned in pyproject.toml, imported only by the handler that
needs it) reads the tags: ID3v2 frames of every version (``id3``), APE items (``mp3``) and Vorbis
comments (``ogg``, for Vorbis, Opus, Speex and FLAC). Cutting them out stays hand-written, and
short, where mutagen falls short of what evidence needs:

- MP3: mutagen's ``delete`` removes ID3v2 at the start and ID3v1 at the end, not Lyrics3, not a
  second ID3v2 tag, not one appended at the end (found by its footer); ``mp3`` cuts them all and
  keeps the MPEG frames between them byte for byte.
- WAV: mutagen reads and writes only an ``id3`` chunk; LIST/INFO, bext, iXML and XMP chunks,
  which recorders write, are left. ``wav`` keeps only the chunks that hold the sound.
- Ogg: mutagen rewrites the comment packet of the first stream of a kind it knows; FLAC pictures
  and application blocks, and further streams of a chained or multiplexed file, keep what they
  hold. ``ogg`` empties every stream's comments and pictures and lays the header pages out anew.
- M4A: mutagen removes the iTunes ``ilst`` list, not QuickTime metadata (``keys`` with
  ``com.apple.quicktime.location.ISO6709``), a bare ``\xa9xyz`` location, or XMP; and it moves the
  media (rewriting chunk offsets) when the list shrinks. ``m4a`` overwrites each of them with a
  ``free`` box of the same size, so no offset moves.

mat2 was evaluated too: for audio it calls mutagen's ``delete``, so it falls short in the same
places; and it needs GObject introspection (Debian's ``mat2`` package, not PyPI alone).
"""

from __future__ import annotations

from redress.intake.sanitiser.audio.m4a import sanitise_m4a
from redress.intake.sanitiser.audio.mp3 import sanitise_mp3
from redress.intake.sanitiser.audio.ogg import sanitise_ogg
from redress.intake.sanitiser.audio.wav import sanitise_wav

__all__ = ["sanitise_m4a", "sanitise_mp3", "sanitise_ogg", "sanitise_wav"]
