"""The published figures for a period, from a few aggregate queries, with small cells hidden.

Every count is a GROUP BY in the database; percentiles use PostgreSQL's PERCENTILE_CONT (on
SQLite, the embedded default, one query fetches the durations and Python takes the quantiles).
Nothing here loops over cases.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redress.cases.models import Case, Category, Deadline, DeadlineKind, Decision, Identity, Stage
from redress.directory.models import PersonKind
from redress.ledger import log, tlog
from redress.ledger.checkpoints import make_checkpoint
from redress.ledger.errors import LedgerBrokenError
from redress.ledger.models import Checkpoint
from redress.reports.suppression import THRESHOLD, Published, suppress

RESPONDENT_TYPES = [
    (str(PersonKind.MEMBER), _("Member")),
    (str(PersonKind.STAFF), _("Staff")),
    ("other", _("Other or not named")),
]


@dataclass(frozen=True)
class Table:
    """A published table: labelled rows and columns, hidden cells as None, margins included."""

    key: str
    title: str
    rows: list[tuple[str, str]]
    columns: list[tuple[str, str]]
    published: Published
    # False when the rows count different things (escrow entries lodged, matched, vetting
    # checks): no total is published, since adding them would mean nothing.
    adds_up: bool = True

    def cell(self, row: int, column: int) -> int | None:
        return self.published.grid[row][column]


@dataclass(frozen=True)
class Timeliness:
    """Days from receipt to a step: p50 and p90, or None when fewer than 5 cases took it."""

    key: str
    title: str
    cases: int
    p50: float | None
    p90: float | None


@dataclass(frozen=True)
class DeadlineShare:
    key: str
    title: str
    due: int | None
    met: int | None
    share: float | None


@dataclass(frozen=True)
class LogPoint:
    """The published log's newest checkpoint when the figures were computed: the state of the
    record they can be held against later. ``witnesses`` names those who cosigned it (none:
    signed by the log alone)."""

    origin: str
    size: int
    root: str  # base64, as the checkpoint writes it
    time: dt.datetime
    witnesses: tuple[str, ...]

    @property
    def witnessed(self) -> bool:
        return bool(self.witnesses)


@dataclass
class Figures:
    start: dt.date
    end: dt.date
    computed_at: dt.datetime
    checkpoint: Checkpoint | None
    checkpoint_problem: str = ""
    log_checkpoint: LogPoint | None = None
    tables: list[Table] = field(default_factory=list)
    timeliness: list[Timeliness] = field(default_factory=list)
    deadlines: list[DeadlineShare] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(end, dt.time.min, tzinfo=zone),
    )


def _one_way(
    key: str,
    title: str,
    labels: Sequence[tuple[str, Any]],
    counts: dict[str, int],
    raw: dict[str, list[list[int]]] | None = None,
) -> Table:
    table = [[counts.get(value, 0)] for value, _label in labels]
    if raw is not None:
        raw[key] = table
    return Table(
        key=key,
        title=title,
        rows=[(v, str(lbl)) for v, lbl in labels],
        columns=[("count", str(_("Complaints")))],
        published=suppress(table),
    )


def compute(start: dt.date, end: dt.date, *, sign: bool = True) -> Figures:
    """The figures for complaints received from ``start`` up to (not including) ``end``.

    ``sign`` first signs a checkpoint over the ledger's head, so a published report can say
    exactly what it was computed at; a page that only reads passes False."""
    since, until = _bounds(start, end)
    checkpoint, problem = _checkpoint() if sign else (_latest_checkpoint(), "")
    figures = Figures(
        start=start,
        end=end,
        computed_at=timezone.now(),
        checkpoint=checkpoint,
        checkpoint_problem=problem,
        log_checkpoint=log_point(),
    )
    received = Case.objects.filter(received_at__gte=since, received_at__lt=until)
    raw: dict[str, list[list[int]]] = {}

    # 1. Received: one GROUP BY over the period's cases gives the category by respondent type
    # table, the identity choices and the stages (a few hundred groups, added up here).
    by_kind: dict[tuple[str, str], int] = {}
    identity: dict[str, int] = {}
    stages: dict[str, int] = {}
    groups = received.values("category", "respondent__kind", "identity", "stage").annotate(
        n=Count("id")
    )
    for row in groups.order_by():
        kind = (
            row["respondent__kind"] if row["respondent__kind"] in ("member", "staff") else "other"
        )
        by_kind[(row["category"], kind)] = by_kind.get((row["category"], kind), 0) + row["n"]
        identity[row["identity"]] = identity.get(row["identity"], 0) + row["n"]
        stages[row["stage"]] = stages.get(row["stage"], 0) + row["n"]
    categories = [(str(v), str(lbl)) for v, lbl in Category.choices]
    grid = [[by_kind.get((c, k), 0) for k, _l in RESPONDENT_TYPES] for c, _lbl in categories]
    raw["received"] = grid
    figures.tables.append(
        Table(
            key="received",
            title=str(_("Complaints received, by category and who they were about")),
            rows=categories,
            columns=[(k, str(lbl)) for k, lbl in RESPONDENT_TYPES],
            published=suppress(grid),
        )
    )
    figures.tables.append(
        _one_way(
            "identity",
            str(_("Complaints received, by how the complainant chose to be known")),
            Identity.choices,
            identity,
            raw,
        )
    )
    figures.tables.append(
        _one_way(
            "stages",
            str(_("Where the complaints received now stand")),
            Stage.choices,
            stages,
            raw,
        )
    )
    # 2. Outcomes of decisions made in the period, whenever the complaint came in.
    decided = Case.objects.filter(decided_at__gte=since, decided_at__lt=until).exclude(decision="")
    outcomes = dict(
        decided.values_list("decision")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("decision", "n")
    )
    figures.tables.append(
        _one_way("outcomes", str(_("Outcomes decided in the period")), Decision.choices, outcomes)
    )
    _link_grand_totals(figures, raw)
    # 3. Time to acknowledgement, assessment and decision.
    steps = _percentiles(since, until)
    figures.timeliness = [
        _timeliness("acknowledgement", str(_("Receipt to acknowledgement")), steps, "acknowledge"),
        _timeliness("assessment", str(_("Receipt to initial assessment")), steps, "assess"),
        _timeliness("decision", str(_("Receipt to decision")), steps, "decision"),
    ]
    # 4. Deadlines met, by item, for items that fell due in the period.
    last_day = min(end, timezone.localdate())
    shares = (
        Deadline.objects.filter(due_on__gte=start, due_on__lt=last_day, cancelled_at__isnull=True)
        .values("kind")
        .annotate(
            due=Count("id"),
            met=Count("id", filter=Q(met_at__isnull=False, met_at__date__lte=F("due_on"))),
        )
    )
    found = {row["kind"]: row for row in shares}
    for kind, title in DeadlineKind.choices:
        row = found.get(kind, {"due": 0, "met": 0})
        hidden = row["due"] < THRESHOLD
        figures.deadlines.append(
            DeadlineShare(
                key=kind,
                title=str(title),
                due=None if hidden else row["due"],
                met=None if hidden else row["met"],
                share=None if hidden or not row["due"] else row["met"] / row["due"],
            )
        )
    # 5. Escrow entries and vetting checks: counts of different things, side by side.
    labels, counts = _escrow_and_vetting(since, until)
    figures.tables.append(
        _separate_counts("other", str(_("Escrow entries and vetting checks")), labels, counts)
    )
    return figures


def _separate_counts(
    key: str, title: str, labels: Sequence[tuple[str, str]], counts: dict[str, int]
) -> Table:
    """Counts of different things in one table, without a total: each is hidden below the
    threshold on its own (with no total published, no hidden count can be worked out)."""
    grid: list[list[int | None]] = [
        [count if (count := counts.get(value, 0)) >= THRESHOLD else None, None]
        for value, _label in labels
    ]
    grid.append([None, None])
    return Table(
        key=key,
        title=title,
        rows=[(v, str(lbl)) for v, lbl in labels],
        columns=[("count", str(_("Number")))],
        published=Published(grid=grid, rows=len(labels), columns=1),
        adds_up=False,
    )


def _link_grand_totals(figures: Figures, raw: dict[str, list[list[int]]]) -> None:
    """The tables about complaints received share their grand total: if one table had to hide
    it, publishing it in another would undo that, so it is hidden in all of them."""
    linked = ("received", "identity", "stages")
    if not any(t.published.grid[-1][-1] is None for t in figures.tables if t.key in linked):
        return
    for index, table in enumerate(figures.tables):
        if table.key in linked:
            figures.tables[index] = Table(
                key=table.key,
                title=table.title,
                rows=table.rows,
                columns=table.columns,
                published=suppress(raw[table.key], hide_total=True),
            )


_STEPS = ("acknowledge", "assess", "decision")
_STEP_COLUMNS = {
    "acknowledge": "acknowledged_at",
    "assess": "assessed_at",
    "decision": "decided_at",
}


def _percentiles(
    since: dt.datetime, until: dt.datetime
) -> dict[str, tuple[int, float | None, float | None]]:
    """For each step (acknowledge, assess, decision): how many cases took it, and the p50 and
    p90 of the days it took, from receipt. One scan of the period's cases."""
    stamps = [connection.ops.adapt_datetimefield_value(moment) for moment in (since, until)]
    period = "FROM cases_case WHERE received_at >= %s AND received_at < %s"
    found: dict[str, tuple[int, float | None, float | None]] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Sorts in memory rather than on disk; both quantiles from one sort per step.
            cursor.execute("SET LOCAL work_mem = '256MB'")
            parts = []
            for step in _STEPS:
                column = _STEP_COLUMNS[step]
                # date_part gives double precision: much quicker to sort than EXTRACT's numeric.
                days = f"date_part('epoch', {column} - received_at) / 86400.0"
                parts.append(
                    f"COUNT({column}), PERCENTILE_CONT(ARRAY[0.5, 0.9]) WITHIN GROUP"
                    f" (ORDER BY {days}) FILTER (WHERE {column} IS NOT NULL)"
                )
            cursor.execute(f"SELECT {', '.join(parts)} {period}", stamps)
            row = cursor.fetchone()
            for index, step in enumerate(_STEPS):
                count, quantiles = row[2 * index], row[2 * index + 1]
                p50, p90 = quantiles if quantiles else (None, None)
                found[step] = (count, p50, p90)
        else:
            for step in _STEPS:
                column = _STEP_COLUMNS[step]
                cursor.execute(
                    f"SELECT julianday({column}) - julianday(received_at) {period}"
                    f" AND {column} IS NOT NULL ORDER BY 1",
                    stamps,
                )
                ordered = [value for (value,) in cursor.fetchall()]
                found[step] = (len(ordered), _quantile(ordered, 0.5), _quantile(ordered, 0.9))
    return found


def _timeliness(
    key: str, title: str, steps: dict[str, tuple[int, float | None, float | None]], step: str
) -> Timeliness:
    count, p50, p90 = steps.get(step, (0, None, None))
    if count < THRESHOLD or p50 is None or p90 is None:
        return Timeliness(key=key, title=title, cases=count, p50=None, p90=None)
    return Timeliness(key=key, title=title, cases=count, p50=float(p50), p90=float(p90))


def _quantile(ordered: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks, as PERCENTILE_CONT does."""
    if not ordered:
        return None
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _escrow_and_vetting(
    since: dt.datetime, until: dt.datetime
) -> tuple[list[tuple[str, str]], dict[str, int]]:
    labels: list[tuple[str, str]] = []
    counts: dict[str, int] = {}
    if apps.is_installed("redress.escrow"):
        entry = apps.get_model("escrow", "EscrowEntry")
        held = entry.objects.filter(created_at__gte=since, created_at__lt=until)
        labels += [
            ("escrow_held", str(_("Escrow entries lodged"))),
            ("escrow_matched", str(_("Escrow entries matched"))),
        ]
        counts["escrow_held"] = held.count()
        counts["escrow_matched"] = held.filter(status="matched").count()
    if apps.is_installed("redress.vetting"):
        check = apps.get_model("vetting", "VettingCheck")
        labels.append(("vetting", str(_("Vetting checks made"))))
        counts["vetting"] = check.objects.filter(made_at__gte=since, made_at__lt=until).count()
    return labels, counts


def log_point() -> LogPoint | None:
    """The log's newest published checkpoint, as the report names it (None before the first)."""
    published = log.published()
    if published is None:
        return None
    note = tlog.parse_note(published.signed_note())
    own = len(tlog.parse_note(published.note).signatures)
    checkpoint = tlog.parse_checkpoint(note.text)
    return LogPoint(
        origin=checkpoint.origin,
        size=checkpoint.size,
        root=base64.b64encode(checkpoint.root).decode("ascii"),
        time=published.time,
        witnesses=tuple(dict.fromkeys(sig.name for sig in note.signatures[own:])),
    )


def _latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-seq").first()


def _checkpoint() -> tuple[Checkpoint | None, str]:
    """Sign the ledger's head now, so the report can say exactly what it was computed at."""
    try:
        make_checkpoint()
    except LedgerBrokenError as broken:
        return _latest_checkpoint(), str(broken)
    return _latest_checkpoint(), ""
