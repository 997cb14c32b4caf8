"""The figures as people read them: words for hidden cells, charts, CSV rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.utils.translation import gettext as _

from redress.reports.charts import Chart, bar_chart
from redress.reports.figures import Figures, Table
from redress.reports.suppression import THRESHOLD


def cell_text(value: int | None) -> str:
    """A hidden cell reads the same whether it is small or withheld to protect a small one, so
    the wording itself gives nothing away."""
    if value is None:
        return _("fewer than %(n)s or withheld") % {"n": THRESHOLD}
    return f"{value:,}"


def days_text(value: float | None) -> str:
    return _("not published") if value is None else _("%(days).1f days") % {"days": value}


def share_text(share: float | None) -> str:
    return _("not published") if share is None else f"{share:.0%}"


def _shown_columns(table: Table) -> list[int]:
    """The grid columns a reader sees: a total column only where it adds something (a table of
    one measure would repeat it, and counts of different things have no total)."""
    columns = list(range(len(table.columns)))
    if table.adds_up and len(table.columns) > 1:
        columns.append(len(table.columns))
    return columns


def column_headings(table: Table) -> list[str]:
    headings = [label for _v, label in table.columns]
    if len(_shown_columns(table)) > len(table.columns):
        headings.append(_("Total"))
    return headings


def value_column(table: Table) -> int:
    """The grid column that holds each row's own figure: its total, or its only cell."""
    return len(table.columns) if len(table.columns) > 1 else 0


def table_rows(table: Table) -> list[dict[str, Any]]:
    """Rows with their cells as text, the totals row last where the rows add up."""
    labels = [*table.rows, ("total", _("Total"))] if table.adds_up else list(table.rows)
    columns = _shown_columns(table)
    rows = []
    for index, (_value, label) in enumerate(labels):
        cells = [cell_text(table.cell(index, c)) for c in columns]
        rows.append({"label": label, "cells": cells, "is_total": index == len(table.rows)})
    return rows


def charts(figures: Figures) -> list[Chart]:
    drawn = []
    for table in figures.tables:
        if not table.rows:
            continue
        last = value_column(table)
        drawn.append(
            bar_chart(
                table.title,
                [
                    (label, table.cell(i, last), cell_text(table.cell(i, last)))
                    for i, (_v, label) in enumerate(table.rows)
                ],
            )
        )
    drawn.append(
        bar_chart(
            _("Deadlines met on time"),
            [
                (
                    d.title,
                    (d.share or 0) * 100 if d.share is not None else None,
                    share_text(d.share),
                )
                for d in figures.deadlines
            ],
        )
    )
    return drawn


def as_csv(figures: Figures) -> str:
    """One row per published figure: section, row, column, value (hidden cells in words)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "row", "column", "value"])
    for table in figures.tables:
        if not table.rows:
            continue
        columns = column_headings(table)
        for row in table_rows(table):
            for column, text in zip(columns, row["cells"], strict=True):
                writer.writerow([table.title, row["label"], column, text])
    for item in figures.timeliness:
        writer.writerow([_("Days from receipt"), item.title, "p50", days_text(item.p50)])
        writer.writerow([_("Days from receipt"), item.title, "p90", days_text(item.p90)])
    for share in figures.deadlines:
        writer.writerow(
            [_("Deadlines met on time"), share.title, _("share"), share_text(share.share)]
        )
    if figures.checkpoint is not None:
        writer.writerow([_("Ledger checkpoint"), "seq", "", figures.checkpoint.seq])
        writer.writerow([_("Ledger checkpoint"), "hash", "", bytes(figures.checkpoint.hash).hex()])
    point = figures.log_checkpoint
    if point is not None:
        section = _("Published log checkpoint")
        writer.writerow([section, "origin", "", point.origin])
        writer.writerow([section, "size", "", point.size])
        writer.writerow([section, "root", "", point.root])
        writer.writerow([section, "time", "", point.time.astimezone(dt.UTC).isoformat()])
        writer.writerow([section, "witnesses", "", " ".join(point.witnesses)])
    return out.getvalue()


def context(figures: Figures) -> dict[str, Any]:
    return {
        "figures": figures,
        "tables": [
            {"table": t, "headings": column_headings(t), "rows": table_rows(t)}
            for t in figures.tables
            if t.rows
        ],
        "timeliness": [
            {"title": t.title, "cases": t.cases, "p50": days_text(t.p50), "p90": days_text(t.p90)}
            for t in figures.timeliness
        ],
        "deadlines": [
            {
                "title": d.title,
                "due": cell_text(d.due),
                "met": cell_text(d.met),
                "share": share_text(d.share),
            }
            for d in figures.deadlines
        ],
        "charts": charts(figures),
        "checkpoint_hash": bytes(figures.checkpoint.hash).hex() if figures.checkpoint else "",
        "threshold": THRESHOLD,
    }
