"""Marked words are taken out of text, not covered: what a person receives holds no trace of
them, not even their length, and a redaction the officer did not draw is never made."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redress.redaction.errors import BadArea, OverlappingRedactions
from redress.redaction.text import Span, find_spans, redact_text

# Letters the mark does not hold, few of them, so that removed words often recur elsewhere.
LETTERS = "xyzXYZ é"


def _span(start: int, end: int) -> Span:
    return Span(start=start, end=end, reason="Another person's name", exemption="third party")


@st.composite
def text_and_separate_spans(draw: st.DrawFn) -> tuple[str, list[Span]]:
    text = draw(st.text(alphabet=LETTERS, min_size=1, max_size=60))
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), min_size=2, max_size=12)))
    pairs = list(zip(cuts[::2], cuts[1::2], strict=False))
    spans = [_span(start, end) for start, end in pairs]
    return text, draw(st.permutations(spans))


@settings(max_examples=150, deadline=None)
@given(text_and_separate_spans())
def test_removed_words_are_gone_unless_they_are_also_kept(
    case: tuple[str, list[Span]],
) -> None:
    text, spans = case
    redacted = redact_text(text, spans)
    ordered = sorted(spans, key=lambda span: span.start)
    bounds = [0, *[n for span in ordered for n in (span.start, span.end)], len(text)]
    kept = [text[a:b] for a, b in zip(bounds[::2], bounds[1::2], strict=False)]
    assert redacted.count("[redacted]") == len(spans)
    assert redacted.replace("[redacted]", "") == "".join(kept)
    for span in spans:
        removed = text[span.start : span.end]
        if not any(removed in piece for piece in kept):
            assert removed not in redacted


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_overlapping_spans_are_always_refused(data: st.DataObject) -> None:
    text = data.draw(st.text(alphabet=LETTERS, min_size=2, max_size=40))
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    # a second span sharing at least one character with the first
    shared = data.draw(st.integers(start, end - 1))
    other_start = data.draw(st.integers(0, shared))
    other_end = data.draw(st.integers(shared + 1, len(text)))
    spans = data.draw(st.permutations([_span(start, end), _span(other_start, other_end)]))
    with pytest.raises(OverlappingRedactions) as refused:
        redact_text(text, spans)
    assert "overlap" in refused.value.message


@settings(max_examples=150, deadline=None)
@given(
    st.text(alphabet="sSßxXzZ é\u0301\u0308", max_size=40),
    st.text(alphabet="sSßxXzZ", min_size=1, max_size=4),
)
def test_once_every_match_is_removed_the_name_is_found_no_more(text: str, needle: str) -> None:
    found = find_spans(text, needle)
    redacted = redact_text(text, [_span(start, end) for start, end in found])
    assert find_spans(redacted, needle) == []


def test_the_mark_does_not_tell_how_long_the_removed_words_were() -> None:
    short = redact_text("Dear Al, thanks", [_span(5, 7)])
    long_ = redact_text("Dear Alexandra-Montgomery, thanks", [_span(5, 25)])
    assert short == long_ == "Dear [redacted], thanks"


def test_touching_spans_are_accepted_and_a_custom_mark_is_used() -> None:
    assert redact_text("abcdef", [_span(2, 4), _span(0, 2)], mark="█") == "██ef"


@pytest.mark.parametrize("bounds", [(3, 3), (4, 2), (-1, 2), (0, 7), (6, 7)])
def test_empty_or_outside_spans_are_refused(bounds: tuple[int, int]) -> None:
    with pytest.raises(BadArea) as refused:
        redact_text("abcdef", [_span(*bounds)])
    assert refused.value.message


def test_every_occurrence_of_a_name_is_found_whatever_its_case_and_accents() -> None:
    fullwidth = "\uff3a\uff4f\uff45"  # "Zoe" as East Asian text sets it
    text = f"Zoë Hart wrote to ZOE HART; zoe\u0308 hart and {fullwidth} Hart (not Zoey Harte?)."
    found = find_spans(text, "zoe hart")
    assert [text[a:b] for a, b in found] == [
        "Zoë Hart",
        "ZOE HART",
        "zoe\u0308 hart",
        f"{fullwidth} Hart",
    ]
    redacted = redact_text(text, [_span(a, b) for a, b in found])
    assert redacted == (
        "[redacted] wrote to [redacted]; [redacted] and [redacted] (not Zoey Harte?)."
    )


def test_a_match_keeps_the_accent_written_after_its_last_letter() -> None:
    text = "Chloe\u0301 and Chloé"
    found = find_spans(text, "CHLOE")
    assert [text[a:b] for a, b in found] == ["Chloe\u0301", "Chloé"]
    assert redact_text(text, [_span(a, b) for a, b in found]) == "[redacted] and [redacted]"


def test_letters_that_fold_to_two_are_found_and_matches_never_overlap() -> None:
    assert find_spans("Straße and STRASSE", "strasse") == [(0, 6), (11, 18)]
    assert find_spans("aaaa", "aa") == [(0, 2), (2, 4)]
    assert find_spans("ß", "s") == [(0, 1)]
    assert find_spans("anything", "") == []
    assert find_spans("anything", "\u0301") == []
