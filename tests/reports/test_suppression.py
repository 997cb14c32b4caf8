"""Small-cell suppression: below 5 reads "fewer than 5", and no hidden cell can be recovered
from the published cells and totals, checked by exact linear algebra (not by the algorithm's own
reasoning)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from redress.reports.suppression import THRESHOLD, Published, suppress, with_margins


def determined(published: Published) -> set[tuple[int, int]]:
    """The hidden cells whose values follow from the published ones.

    Unknowns are the hidden cells; each row and column of the grid (totals included) says its
    cells add up to its margin. A hidden cell is determined exactly when its unit vector lies in
    the span of those equations' coefficient rows (restricted to the unknowns).
    """
    rows, columns = published.rows, published.columns
    unknowns = sorted(published.hidden())
    index = {cell: i for i, cell in enumerate(unknowns)}
    equations: list[list[Fraction]] = []
    for r in range(rows + 1):
        line = [Fraction(0)] * len(unknowns)
        for c in range(columns + 1):
            if (r, c) in index:
                line[index[(r, c)]] += -1 if c == columns else 1
        equations.append(line)
    for c in range(columns + 1):
        line = [Fraction(0)] * len(unknowns)
        for r in range(rows + 1):
            if (r, c) in index:
                line[index[(r, c)]] += -1 if r == rows else 1
        equations.append(line)
    base = _rank(equations)
    found = set()
    for cell, i in index.items():
        unit = [Fraction(0)] * len(unknowns)
        unit[i] = Fraction(1)
        if _rank([*equations, unit]) == base:
            found.add(cell)
    return found


def _rank(matrix: list[list[Fraction]]) -> int:
    rows = [row[:] for row in matrix]
    rank, width = 0, len(rows[0]) if rows else 0
    for column in range(width):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][column] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][column] != 0:
                factor = rows[i][column] / rows[rank][column]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[rank], strict=True)]
        rank += 1
    return rank


tables = st.integers(min_value=1, max_value=5).flatmap(
    lambda r: st.integers(min_value=1, max_value=5).flatmap(
        lambda c: st.lists(
            st.lists(st.one_of(st.integers(0, 6), st.integers(0, 60)), min_size=c, max_size=c),
            min_size=r,
            max_size=r,
        )
    )
)


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_hidden_cell_can_be_recovered(table: list[list[int]]) -> None:
    published = suppress(table)
    full = with_margins(table)
    for r, line in enumerate(published.grid):
        for c, value in enumerate(line):
            if value is not None:
                assert value == full[r][c]  # published values are the true ones
                assert value >= THRESHOLD  # nothing below 5 is shown
    assert determined(published) == set()
    assert no_line_gives_zeros_away(published, full)


def no_line_gives_zeros_away(published: Published, full: list[list[int]]) -> bool:
    """Counts are not negative: a line whose hidden cells add up to 0 shows they are all 0."""
    size_r, size_c = published.rows + 1, published.columns + 1
    lines = [[(r, c) for c in range(size_c)] for r in range(size_r)]
    lines += [[(r, c) for r in range(size_r)] for c in range(size_c)]
    hidden = published.hidden()
    for line in lines:
        concealed = [cell for cell in line if cell in hidden]
        if concealed and len(concealed) < len(line) and sum(full[r][c] for r, c in concealed) == 0:
            return False
    return True


@settings(max_examples=100, deadline=None)
@given(tables)
def test_hiding_the_total_too_stays_safe(table: list[list[int]]) -> None:
    published = suppress(table, hide_total=True)
    assert published.grid[-1][-1] is None
    assert determined(published) == set()


def test_a_lone_small_cell_takes_a_partner_in_its_row_and_column() -> None:
    published = suppress([[3, 40, 50], [20, 30, 60]])
    hidden = published.hidden()
    assert (0, 0) in hidden
    # Row 0 and column 0 each need a second hidden cell, or 3 = total - the others.
    assert any(cell[0] == 0 and cell != (0, 0) for cell in hidden)
    assert any(cell[1] == 0 and cell != (0, 0) for cell in hidden)
    assert determined(published) == set()


def test_a_table_with_nothing_small_hides_nothing() -> None:
    assert suppress([[10, 20], [30, 40]]).hidden() == set()


def test_the_checker_itself_sees_an_unprotected_cell() -> None:
    naive = Published(grid=[[None, 40, 43], [20, 30, 50], [23, 70, 93]], rows=2, columns=2)
    assert determined(naive) == {(0, 0)}
