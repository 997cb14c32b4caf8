"""A case's reference is short enough to read out on the phone and gives nothing away: random,
in Crockford's base 32 (no I, L, O or U), every symbol as likely as any other in every place."""

from __future__ import annotations

import re

from redress.cases.actions import new_reference

SYMBOLS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def test_a_reference_reads_as_two_groups_of_four() -> None:
    for _ in range(200):
        assert re.fullmatch(r"R-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", new_reference())


def test_every_symbol_turns_up_in_every_place() -> None:
    # 3,000 references: the chance that a fair draw misses a symbol somewhere is below 1e-40.
    seen: list[set[str]] = [set() for _ in range(8)]
    for _ in range(3000):
        reference = new_reference()
        body = reference[2:6] + reference[7:]  # "R-" and the hyphen between the groups
        for place, symbol in enumerate(body):
            seen[place].add(symbol)
    assert all(found == set(SYMBOLS) for found in seen)


def test_references_do_not_repeat() -> None:
    made = [new_reference() for _ in range(5000)]
    assert len(set(made)) == len(made)
