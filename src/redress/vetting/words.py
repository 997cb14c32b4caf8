"""A vetting answer in words: what a vetting officer reads and prints, in English or Welsh.

The answer itself (``actions.answer_for``) is data, stored and digested as it was given; this
module only says it. Dates are written as GOV.UK writes them ("7 December 2026"); categories,
decisions, sanctions and stages by their names, never their stored values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from redress.cases.models import Case, Category, Decision, Sanction, Stage
from redress.register.models import RegisterEntry
from redress.vault.errors import Shredded


@dataclass(frozen=True)
class Finding:
    headline: str
    sentences: list[str]


@dataclass(frozen=True)
class InWords:
    as_of: str
    nothing_recorded: bool
    findings: list[Finding]
    investigations: str


def day(iso: str) -> str:
    """``2026-12-07`` as "7 December 2026" in the active language."""
    return date_format(dt.date.fromisoformat(iso), "j F Y")


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def finding_title(category: str, decision: str) -> str:
    """ "Harassment: complaint upheld"."""
    return _("%(category)s: complaint %(decision)s") % {
        "category": _label(Category, category),
        "decision": _label(Decision, decision).lower(),
    }


def sanction_words(
    sanction: str,
    *,
    starts_on: str = "",
    months: int | None = None,
    ends_on: str = "",
    conditions: str = "",
) -> str:
    """The sanction with its terms, dates written out: "Suspension for 3 months, from 4 January
    2027 to 3 April 2027." Dates are ISO strings, as the stored answer keeps them. The
    conditions, when there are any, follow as a sentence of their own."""
    if not sanction or sanction == Sanction.NONE:
        return _("No sanction was recorded.")
    kind = _label(Sanction, sanction)
    if starts_on and months and ends_on:
        said = ngettext(
            "%(sanction)s for %(n)d month, from %(start)s to %(end)s.",
            "%(sanction)s for %(n)d months, from %(start)s to %(end)s.",
            months,
        ) % {"sanction": kind, "n": months, "start": day(starts_on), "end": day(ends_on)}
    elif starts_on:
        said = _("%(sanction)s, from %(start)s.") % {"sanction": kind, "start": day(starts_on)}
    else:
        said = _("The sanction was: %(sanction)s.") % {"sanction": kind.lower()}
    if conditions:
        said += " " + _("Conditions: %(conditions)s") % {"conditions": conditions}
    return said


def case_sanction_words(case: Case | RegisterEntry, *, conditions: str = "") -> str:
    """A decided case's (or its register entry's) sanction with its dates and length in words,
    as the vetting answer says it; with ``conditions`` only where the reader is told them."""
    return sanction_words(
        case.sanction,
        starts_on=case.sanction_starts_on.isoformat() if case.sanction_starts_on else "",
        months=case.sanction_months,
        ends_on=case.sanction_ends_on.isoformat() if case.sanction_ends_on else "",
        conditions=conditions,
    )


def conditions_of(case: Case) -> str:
    """The sanction's conditions as the decision-maker wrote them; blank once the case's key is
    shredded. Read by a page that has already ledgered its read of the case."""
    try:
        return case.sanction_conditions or ""
    except Shredded:
        return ""


def _terms(item: dict[str, Any]) -> dict[str, Any]:
    """The sanction's terms from a stored finding (absent from answers given before them)."""
    return {
        "starts_on": item.get("sanction_starts_on") or "",
        "months": item.get("sanction_months"),
        "ends_on": item.get("sanction_ends_on") or "",
        "conditions": item.get("sanction_conditions") or "",
    }


def _finding(item: dict[str, Any]) -> Finding:
    category = _label(Category, item["category"]).lower()
    decision = _label(Decision, item["decision"]).lower()
    headline = finding_title(item["category"], item["decision"])
    sentences = [
        _("A complaint of %(category)s was %(decision)s on %(day)s.")
        % {"category": category, "decision": decision, "day": day(item["decided_on"])},
        sanction_words(item.get("sanction") or "", **_terms(item)),
    ]
    appeal = item.get("appeal", "")
    if appeal == "window":
        sentences.append(
            _("The finding can still be appealed, so it may change. It is not counted again below.")
        )
    elif appeal == "lodged":
        sentences.append(
            _("The finding is under appeal, so it may change. It is not counted again below.")
        )
    sentences.append(
        _("It stays on the register until %(day)s.") % {"day": day(item["expires_on"])}
    )
    return Finding(headline=headline, sentences=sentences)


def _investigations(open_investigations: dict[str, Any]) -> str:
    count = int(open_investigations.get("count", 0))
    if not count:
        return _("No open investigations past their assessment.")
    stages = ", ".join(
        ngettext("%(n)d at %(stage)s", "%(n)d at %(stage)s", n)
        % {"n": n, "stage": _label(Stage, stage).lower()}
        for stage, n in sorted(open_investigations.get("stages", {}).items())
    )
    return ngettext(
        "%(n)d open investigation past its assessment (%(stages)s). It has not been decided "
        "and says nothing about what will be found.",
        "%(n)d open investigations past their assessment (%(stages)s). They have not been "
        "decided and say nothing about what will be found.",
        count,
    ) % {"n": count, "stages": stages}


def in_words(result: dict[str, Any]) -> InWords:
    return InWords(
        as_of=day(result["as_of"]),
        nothing_recorded=bool(result.get("nothing_recorded")),
        findings=[_finding(item) for item in result.get("findings", [])],
        investigations=_investigations(result.get("open_investigations", {})),
    )
