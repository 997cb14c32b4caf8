"""Cleaned recordings read again by mutagen, a tool other than the one that cut them: no tags
of any kind are left, and the recording still parses as the same length of sound."""

from __future__ import annotations

import io

import mutagen
import pytest
from mutagen.apev2 import APENoHeaderError, APEv2
from mutagen.oggopus import OggOpus

from redress.intake.sandbox import clean
from tests.intake.test_audio_metadata import (
    APP,
    NAME,
    ape_tag,
    assert_no_markers,
    ogg_file,
    read_wav,
    tagged_mp3,
    tagged_wav,
)


def test_an_mp3_has_no_id3_or_ape_tag_left_and_still_parses() -> None:
    original = tagged_mp3()[:-128] + ape_tag({b"Artist": NAME, b"Tool": APP}) + tagged_mp3()[-128:]
    assert mutagen.File(io.BytesIO(original)).tags is not None

    cleaned = clean(original, filename="memo.mp3").data

    recording = mutagen.File(io.BytesIO(cleaned))
    assert type(recording).__name__ == "MP3"
    assert recording.tags is None  # neither ID3v2 nor ID3v1
    with pytest.raises(APENoHeaderError):
        APEv2(io.BytesIO(cleaned))
    assert recording.info.length > 0
    assert recording.info.sample_rate == 44100
    assert_no_markers(cleaned)


def test_a_wav_has_no_id3_chunk_left_and_its_sound_reads_the_same() -> None:
    original = tagged_wav()
    assert mutagen.File(io.BytesIO(original)).tags is not None

    cleaned = clean(original, filename="memo.wav").data

    recording = mutagen.File(io.BytesIO(cleaned))
    assert type(recording).__name__ == "WAVE"
    assert recording.tags is None
    assert recording.info.length == mutagen.File(io.BytesIO(original)).info.length
    assert read_wav(cleaned) == read_wav(original)


def test_an_opus_recording_has_no_comments_or_vendor_left_and_the_same_length() -> None:
    original = ogg_file("opus")
    assert list(OggOpus(io.BytesIO(original)).tags.keys())

    cleaned = clean(original, filename="memo.opus").data

    recording = OggOpus(io.BytesIO(cleaned))
    assert list(recording.tags.keys()) == []
    assert recording.tags.vendor == ""
    assert recording.info.length == OggOpus(io.BytesIO(original)).info.length
    assert_no_markers(cleaned)
