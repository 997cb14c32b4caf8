"""Bar charts as SVG, drawn on the server: no JavaScript, readable by screen readers (each chart
has a title and a description, and the same figures are in a table beside it)."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from django.utils.translation import gettext as _

LABEL_WIDTH = 260
BAR_AREA = 360
LINE_HEIGHT = 18
ROW_PADDING = 10
VALUE_GAP = 8
# About how many characters of 15px text fit in the label column. A longer label wraps onto
# more lines, and its row grows to hold them, so no label is cut or runs into the next.
LABEL_CHARACTERS = 30


@dataclass(frozen=True)
class Bar:
    label: str
    lines: list[str]
    text: str
    y: int
    height: int
    width: int
    text_x: int

    @property
    def line_ys(self) -> list[tuple[str, int]]:
        """Each line of the label with the baseline it sits on."""
        return [
            (line, self.y + ROW_PADDING // 2 + LINE_HEIGHT * (n + 1) - 4)
            for n, line in enumerate(self.lines)
        ]

    @property
    def bar_y(self) -> int:
        return self.y + ROW_PADDING // 2 + 1

    @property
    def text_y(self) -> int:
        return self.y + ROW_PADDING // 2 + LINE_HEIGHT - 4


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    bars: list[Bar]
    height: int
    width: int = LABEL_WIDTH + BAR_AREA + 120
    label_width: int = LABEL_WIDTH


def bar_chart(title: str, items: list[tuple[str, float | None, str]]) -> Chart:
    """A horizontal bar per item: (label, value or None when hidden, the value as text)."""
    largest = max((value for _l, value, _t in items if value), default=0) or 1
    bars = []
    y = 0
    for label, value, text in items:
        width = round(BAR_AREA * (value or 0) / largest)
        lines = textwrap.wrap(label, LABEL_CHARACTERS, break_long_words=True) or [""]
        height = LINE_HEIGHT * len(lines) + ROW_PADDING
        bars.append(
            Bar(
                label=label,
                lines=lines,
                text=text,
                y=y,
                height=height,
                width=width,
                text_x=LABEL_WIDTH + width + VALUE_GAP,
            )
        )
        y += height
    description = "; ".join(f"{label}: {text}" for label, _v, text in items)
    return Chart(
        title=title,
        description=description or _("No figures."),
        bars=bars,
        height=max(y, LINE_HEIGHT + ROW_PADDING),
    )
