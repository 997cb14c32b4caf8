"""Audio: tags are cut out by hand, byte for byte. The sound itself is never decoded or changed.

One module per container (``mp3``, ``wav``, ``ogg``, ``m4a``), with ``id3`` for the tags MP3 and
WAV share and ``shared`` for reading structures and judging tags by their names. A recording that
revealed nothing is returned as it came.
"""

from __future__ import annotations

from redress.intake.sanitiser.audio.m4a import sanitise_m4a
from redress.intake.sanitiser.audio.mp3 import sanitise_mp3
from redress.intake.sanitiser.audio.ogg import sanitise_ogg
from redress.intake.sanitiser.audio.wav import sanitise_wav

__all__ = ["sanitise_m4a", "sanitise_mp3", "sanitise_ogg", "sanitise_wav"]
