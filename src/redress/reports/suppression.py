"""Small-cell suppression for published tables, with complementary suppression.

A table is published with its row totals, column totals and grand total. Every cell (margins
included) below the threshold is hidden ("fewer than 5"): that is primary suppression. That
alone is not enough: a row with one hidden cell and a published total gives the hidden cell
away by subtraction. So further cells are hidden until no hidden value can be worked out from
the published ones.

Why the test below is exact: think of the table with its margins as one grid in which every
line (each row and each column, the totals row and column included) adds up: interior cells sum
to the line's margin. Draw a graph with one node per line and one edge per hidden cell, joining
its row and its column. The published values fix the sum of hidden edges at every node. A
hidden value is then determined by the published ones exactly when its edge is a bridge (it lies
on no cycle); on a cycle, adding and subtracting one in turn around the cycle changes the hidden
values and leaves every line's sum alone. So: hide cells until the graph has no bridges.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

THRESHOLD = 5

Cell = tuple[int, int]  # (row, column) in the grid with margins: row/column n is the total


@dataclass(frozen=True)
class Published:
    """A table ready to publish: values with hidden cells as None, margins included.

    ``grid[r][c]`` for r < rows and c < columns is a cell; ``grid[r][columns]`` is row r's
    total, ``grid[rows][c]`` column c's total and ``grid[rows][columns]`` the grand total.
    """

    grid: list[list[int | None]]
    rows: int
    columns: int

    def hidden(self) -> set[Cell]:
        return {
            (r, c)
            for r, line in enumerate(self.grid)
            for c, value in enumerate(line)
            if value is None
        }


def with_margins(table: Sequence[Sequence[int]]) -> list[list[int]]:
    """The grid of ``table`` with a total column, a total row and the grand total."""
    grid = [[*row, sum(row)] for row in table]
    columns = len(table[0]) if table else 0
    grid.append([sum(row[c] for row in grid) for c in range(columns + 1)])
    return grid


def suppress(
    table: Sequence[Sequence[int]], threshold: int = THRESHOLD, *, hide_total: bool = False
) -> Published:
    """Hide every cell and margin below ``threshold``, then enough others that none of the hidden
    values can be derived from the published ones. Prefers hiding the smallest values.

    ``hide_total`` hides the grand total too: for tables that share it with another table in
    which it had to be hidden.
    """
    if not table or not table[0]:
        return Published(grid=[[0]], rows=0, columns=0)
    grid = with_margins(table)
    rows, columns = len(table), len(table[0])
    hidden = {(r, c) for r in range(rows + 1) for c in range(columns + 1) if grid[r][c] < threshold}
    if hide_total:
        hidden.add((rows, columns))
    while True:
        exposed = bridges(hidden, rows, columns)
        if exposed:
            hidden.add(_partner(grid, hidden, exposed, rows, columns))
            continue
        zero = _zero_line(grid, hidden, rows, columns)
        if zero is None:
            break
        hidden.add(zero)
    published = [
        [None if (r, c) in hidden else grid[r][c] for c in range(columns + 1)]
        for r in range(rows + 1)
    ]
    return Published(grid=published, rows=rows, columns=columns)


def _partner(
    grid: list[list[int]], hidden: set[Cell], exposed: set[Cell], rows: int, columns: int
) -> Cell:
    """The published cell to hide next: of those sharing a line with an exposed hidden cell, the
    one that leaves the fewest exposed, then the smallest (the least information withheld).

    When no exposed cell has a published neighbour (its row and column are wholly hidden), any
    published cell (r', c') closes the cycle r, c', r', c through hidden (r, c') and (r', c).
    """
    near = {(r, k) for r, _c in exposed for k in range(columns + 1) if (r, k) not in hidden} | {
        (k, c) for _r, c in exposed for k in range(rows + 1) if (k, c) not in hidden
    }
    candidates = near or {
        (r, c) for r in range(rows + 1) for c in range(columns + 1) if (r, c) not in hidden
    }
    if not candidates:
        raise AssertionError("everything is hidden, so nothing is exposed")
    return min(
        candidates,
        key=lambda cell: (
            len(bridges(hidden | {cell}, rows, columns)),
            grid[cell[0]][cell[1]],
            cell,
        ),
    )


def _zero_line(grid: list[list[int]], hidden: set[Cell], rows: int, columns: int) -> Cell | None:
    """A published cell to hide in a line whose hidden cells add up to nothing.

    Counts are never negative, so when a line's published cells already make up its published
    total, every hidden cell in it must be 0: hiding them would show nothing. Hiding one more
    non-zero cell of that line (its smallest) leaves a real amount to share out.
    """
    lines = [[(r, c) for c in range(columns + 1)] for r in range(rows + 1)]
    lines += [[(r, c) for r in range(rows + 1)] for c in range(columns + 1)]
    for line in lines:
        concealed = [cell for cell in line if cell in hidden]
        if not concealed or len(concealed) == len(line):
            continue
        if sum(grid[r][c] for r, c in concealed) == 0:
            shown = [(grid[r][c], (r, c)) for r, c in line if (r, c) not in hidden]
            return min(shown)[1]
    return None


def bridges(hidden: set[Cell], rows: int, columns: int) -> set[Cell]:
    """The hidden cells whose values the published ones determine (bridges of the line graph).

    Nodes: rows 0..rows (row ``rows`` is the totals row) and columns 0..columns. An edge joins
    the row and column of each hidden cell.
    """
    adjacency: dict[str, list[tuple[str, Cell]]] = {}
    for r, c in hidden:
        adjacency.setdefault(f"r{r}", []).append((f"c{c}", (r, c)))
        adjacency.setdefault(f"c{c}", []).append((f"r{r}", (r, c)))
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    found: set[Cell] = set()
    counter = 0
    for root in adjacency:
        if root in order:
            continue
        # Iterative depth-first search (Tarjan's bridge finding) without recursion limits.
        order[root] = low[root] = counter
        counter += 1
        stack: list[tuple[str, Cell | None, int]] = [(root, None, 0)]
        while stack:
            node, via, index = stack.pop()
            edges = adjacency[node]
            if index < len(edges):
                stack.append((node, via, index + 1))
                neighbour, edge = edges[index]
                if edge == via:
                    continue
                if neighbour in order:
                    low[node] = min(low[node], order[neighbour])
                else:
                    order[neighbour] = low[neighbour] = counter
                    counter += 1
                    stack.append((neighbour, edge, 0))
            elif via is not None:
                parent = next(n for n, e in adjacency[node] if e == via)
                low[parent] = min(low[parent], low[node])
                if low[node] > order[parent]:
                    found.add(via)
    return found
