"""Receipt codes: enough entropy, typeable, and stored only as a keyed digest."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from redress.intake import receipts


def test_codes_carry_at_least_80_bits_and_read_in_groups() -> None:
    code = receipts.new_code()
    groups = code.split("-")
    assert [len(g) for g in groups] == [4, 4, 4, 4, 4]
    assert receipts.ENTROPY_BITS >= 80
    assert math.log2(len(receipts.ALPHABET)) * receipts.LENGTH >= 80


def test_every_symbol_turns_up_in_every_place() -> None:
    # Five random bits per character only work with exactly 32 symbols, and a slip in the
    # shifting would leave some places stuck or some symbols unused: 2,000 codes show it.
    assert len(set(receipts.ALPHABET)) == len(receipts.ALPHABET) == 32
    codes = [receipts.new_code().replace("-", "") for _ in range(2000)]
    for place in range(receipts.LENGTH):
        assert {code[place] for code in codes} == set(receipts.ALPHABET), place


def test_codes_differ() -> None:
    assert len({receipts.new_code() for _ in range(1000)}) == 1000


@given(st.integers(0, 100))
def test_what_people_type_is_forgiven(attempt: int) -> None:
    code = receipts.new_code()
    canonical = receipts.normalise(code)
    assert canonical is not None
    sloppy = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert receipts.normalise(sloppy) == canonical
    assert receipts.normalise("  " + code + "  ") == canonical


@given(st.text(max_size=40))
def test_normalise_never_accepts_what_cannot_be_a_code(text: str) -> None:
    result = receipts.normalise(text)
    if result is not None:
        assert len(result) == receipts.LENGTH
        assert set(result) <= set(receipts.ALPHABET)


def test_digest_is_keyed_not_a_plain_hash() -> None:
    import hashlib

    code = receipts.normalise(receipts.new_code())
    assert code is not None
    assert receipts.digest(code) != hashlib.sha256(code.encode()).digest()
    assert len(receipts.digest(code)) == 32
