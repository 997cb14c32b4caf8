"""Running a vetting check: live findings, open investigations past assessment (count and
stage only), or nothing recorded; ledgered with a digest of the answer; the subject told where
policy says so; heavy use by one officer flagged to oversight."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Max
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from redress.accounts.models import ApiToken, User
from redress.cases.models import Case, Stage
from redress.directory.models import Person
from redress.ledger.append import append, keyed_digest_of
from redress.ledger.events import Action
from redress.register.actions import live_findings
from redress.vetting.models import VettingCheck

# Stages at which an investigation is open and past its assessment.
# The longest purpose and requesting body a check records (VettingCheck's columns).
PURPOSE_MAX = 500
REQUESTING_BODY_MAX = 200

OPEN_INVESTIGATION = [
    Stage.INVESTIGATION,
    Stage.FINDINGS,
    Stage.DECISION,
    Stage.APPEAL_WINDOW,
    Stage.APPEAL,
]


# A finding whose case is at one of these stages may still change: "window" while it can be
# appealed (from the decision until the appeal window ends), "lodged" while an appeal is being
# decided.
APPEAL_STATE = {
    str(Stage.DECISION): "window",
    str(Stage.APPEAL_WINDOW): "window",
    str(Stage.APPEAL): "lodged",
}


class VettingError(Exception):
    """A check that cannot be made; the message says why."""


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def answer_for(subject: Person, on: dt.date) -> dict[str, Any]:
    """What the register says about ``subject`` on ``on``: never any case content.

    A finding whose case is still in its appeal window (or under appeal) is a finding that can
    still change: it is given once, as a finding marked so, and not counted again among the
    open investigations.
    """
    live = live_findings(subject, on)
    stages_of = dict(
        Case.objects.filter(reference__in=[entry.case_reference for entry in live]).values_list(
            "reference", "stage"
        )
    )
    findings = [
        {
            "category": entry.category,
            "decision": entry.decision,
            "decided_on": entry.decided_on.isoformat(),
            "sanction": entry.sanction,
            "sanction_starts_on": _iso(entry.sanction_starts_on),
            "sanction_months": entry.sanction_months,
            "sanction_ends_on": _iso(entry.sanction_ends_on),
            "sanction_conditions": entry.sanction_conditions,
            "expires_on": entry.expires_on.isoformat(),
            "appeal": APPEAL_STATE.get(stages_of.get(entry.case_reference, ""), ""),
        }
        for entry in live
    ]
    stages = (
        Case.objects.filter(respondent=subject, stage__in=[str(s) for s in OPEN_INVESTIGATION])
        .exclude(reference__in=list(stages_of))
        .values("stage")
        .annotate(n=Count("id"))
        .order_by("stage")
    )
    investigations = {row["stage"]: row["n"] for row in stages}
    return {
        "subject": subject.identifier,
        "as_of": on.isoformat(),
        "findings": findings,
        "open_investigations": {
            "count": sum(investigations.values()),
            "stages": investigations,
        },
        "nothing_recorded": not findings and not investigations,
    }


def run_check(
    *, subject: Person, purpose: str, requesting_body: str, actor: User | ApiToken
) -> VettingCheck:
    """Make a check and record it; refuses an empty purpose or requesting body."""
    purpose, requesting_body = purpose.strip(), requesting_body.strip()
    if not purpose:
        raise VettingError(_("Say what the check is for"))
    if not requesting_body:
        raise VettingError(_("Say who is asking for the check"))
    # Refused, never cut: a purpose cut short would be recorded as if it were whole.
    if len(purpose) > PURPOSE_MAX:
        raise VettingError(_("The purpose must be 500 characters or fewer"))
    if len(requesting_body) > REQUESTING_BODY_MAX:
        raise VettingError(_("Who is asking must be 200 characters or fewer"))
    today = timezone.localdate()
    result = answer_for(subject, today)
    encoded = json.dumps(result, sort_keys=True).encode()
    # Keyed: a result has few possible values, and a plain hash of it could be reversed.
    digest = keyed_digest_of("vetting", encoded.decode())
    officer = actor if isinstance(actor, User) else None
    token = actor if isinstance(actor, ApiToken) else None
    with transaction.atomic():
        check = VettingCheck.objects.create(
            officer=officer,
            token=token,
            subject=subject,
            purpose=purpose,
            requesting_body=requesting_body,
            result=result,
            result_digest=digest,
        )
        ref = f"user:{officer.pk}" if officer is not None else token.actor  # type: ignore[union-attr]
        entry = append(
            actor=ref, action=Action.VETTING_CHECKED, obj=f"vetting:{check.pk}", digest=digest
        )
        check.ledger_seq = entry.seq
        same_asker = VettingCheck.objects.filter(made_at__date=today)
        if officer is not None:
            same_asker = same_asker.filter(officer=officer)
        else:
            same_asker = same_asker.filter(token=token)
        asked_today = same_asker.count()
        if asked_today > settings.VETTING_DAILY_LIMIT:
            check.flagged = True
            append(actor="system:vetting", action=Action.VETTING_FLAGGED, obj=ref)
        if settings.VETTING_TELL_SUBJECT and subject.email:
            check.subject_told_at = timezone.now()
            address, body = subject.email, requesting_body
            transaction.on_commit(
                lambda: send_mail(
                    _("A vetting check was made about you"),
                    _(
                        "A check of the sanctions register was made about you today at the "
                        "request of %(body)s. You can ask the scheme what it answered."
                    )
                    % {"body": body},
                    None,
                    [address],
                )
            )
        check.save(update_fields=["ledger_seq", "flagged", "subject_told_at"])
    return check


@dataclass(frozen=True)
class HeavyUse:
    """One asker's day with checks beyond the daily limit, as oversight sees it: who asked, when,
    for which requesting bodies and how many times; never whom they checked, why in their own
    words, or what the register answered."""

    asker: str
    day: dt.date
    last_at: dt.datetime
    checks: int
    over_limit: int
    requesting_bodies: list[str]


def flagged_checks(since: dt.date) -> list[HeavyUse]:
    """Each officer's (or integration's) days since ``since`` with checks beyond the daily
    limit, newest first: the checks made that day and how many of them were over the limit."""
    flagged = (
        VettingCheck.objects.filter(flagged=True, made_at__date__gte=since)
        .annotate(day=TruncDate("made_at"))
        .values("officer", "token", "day")
        .annotate(over_limit=Count("id"), last_at=Max("made_at"))
        .order_by("-day", "-last_at")
    )
    if not flagged:
        return []
    days = {(row["officer"], row["token"], row["day"]) for row in flagged}
    totals: dict[tuple[int | None, int | None, dt.date], int] = {}
    bodies: dict[tuple[int | None, int | None, dt.date], set[str]] = {}
    same_days = (
        VettingCheck.objects.filter(made_at__date__gte=since)
        .annotate(day=TruncDate("made_at"))
        .values_list("officer", "token", "day", "requesting_body")
    )
    for officer, token, day, body in same_days:
        if (officer, token, day) in days:
            totals[officer, token, day] = totals.get((officer, token, day), 0) + 1
            bodies.setdefault((officer, token, day), set()).add(body)
    officers = {u.pk: str(u) for u in User.objects.filter(pk__in={key[0] for key in days})}
    integrations = {
        t.pk: _("integration %(name)s") % {"name": t.name}
        for t in ApiToken.objects.filter(pk__in={key[1] for key in days})
    }
    return [
        HeavyUse(
            asker=officers.get(row["officer"]) or integrations.get(row["token"], "?"),
            day=row["day"],
            last_at=row["last_at"],
            checks=totals[row["officer"], row["token"], row["day"]],
            over_limit=row["over_limit"],
            requesting_bodies=sorted(bodies[row["officer"], row["token"], row["day"]]),
        )
        for row in flagged
    ]
