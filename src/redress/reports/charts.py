"""Bar charts as SVG, drawn on the server: no JavaScript, readable by screen readers (each chart
has a title and a description, and the same figures are in a table beside it)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

LABEL_WIDTH = 260
BAR_AREA = 360
ROW_HEIGHT = 28
VALUE_GAP = 8


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    y: int
    width: int
    text_x: int


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
    for index, (label, value, text) in enumerate(items):
        width = round(BAR_AREA * (value or 0) / largest)
        bars.append(
            Bar(
                label=label,
                text=text,
                y=index * ROW_HEIGHT,
                width=width,
                text_x=LABEL_WIDTH + width + VALUE_GAP,
            )
        )
    description = "; ".join(f"{label}: {text}" for label, _v, text in items)
    return Chart(
        title=title,
        description=description or _("No figures."),
        bars=bars,
        height=max(len(items), 1) * ROW_HEIGHT,
    )
