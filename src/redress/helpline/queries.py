"""What the helpline's pages read: the adviser's queue, one request as the adviser sees it, the
offer on each party's own page, and the line a case's handlers see. None of it reads the
case's content: only the stage, and what the person said about the support they want."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case as Conditional
from django.db.models import Count, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redress.cases import policy as policies
from redress.cases.models import Case, Stage
from redress.cases.schedule import working_days_between
from redress.helpline.models import (
    ContactAttempt,
    OfferedAt,
    Party,
    Referral,
    Status,
    SupportRequest,
)
from redress.helpline.services import services

# The stage in words for an adviser: where the person is, never what the case says.
STAGE_WORDS: dict[str, Promise] = {
    Stage.RECEIVED: gettext_lazy("The report has just been made"),
    Stage.ACKNOWLEDGED: gettext_lazy("The report has been acknowledged"),
    Stage.ASSESSED: gettext_lazy("The report is being assessed"),
    Stage.NOT_TAKEN_FORWARD: gettext_lazy("The report is not being taken forward"),
    Stage.INFORMAL_RESOLUTION: gettext_lazy("The complaint is being resolved informally"),
    Stage.INVESTIGATION: gettext_lazy("The complaint is being investigated"),
    Stage.FINDINGS: gettext_lazy("The investigator's findings are being checked"),
    Stage.DECISION: gettext_lazy("A decision has been made"),
    Stage.APPEAL_WINDOW: gettext_lazy("A decision has been made and may be appealed"),
    Stage.APPEAL: gettext_lazy("The decision is under appeal"),
    Stage.CLOSED: gettext_lazy("The case is closed"),
}


def stage_words(case: Case) -> str:
    if case.held_since is not None:
        return _("The case is on hold")
    return str(STAGE_WORDS.get(case.stage, ""))


@dataclass(frozen=True)
class Due:
    due_on: dt.date
    days_left: int  # working days from today to the due date; 0 when due today or past
    overdue: bool


def due(request: SupportRequest, today: dt.date | None = None) -> Due | None:
    """How long the adviser has for first contact; None once the person has been contacted or
    the request is closed."""
    if request.status != Status.WAITING:
        return None
    today = today or timezone.localdate()
    left = working_days_between(today, request.due_on, policies.current().nation)
    return Due(request.due_on, left, today > request.due_on)


def queue() -> QuerySet[SupportRequest]:
    """Open requests, those waiting for first contact first, each by its due date."""
    order = Conditional(
        When(status=Status.WAITING, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        SupportRequest.objects.exclude(status=Status.CLOSED)
        .select_related("case")
        .annotate(waiting_first=order)
        .order_by("waiting_first", "due_on", "pk")
    )


@dataclass(frozen=True)
class Offer:
    """The support block on a party's own page: the open request if they have one, and the
    adviser's notes to a respondent (a complainant's arrive as messages on their report)."""

    open_request: SupportRequest | None
    notes: list[ContactAttempt]
    message_ids: frozenset[int]


def offer_for(case: Case, party: Party | str) -> Offer:
    requests = SupportRequest.objects.filter(case=case, party=party)
    contacts = ContactAttempt.objects.filter(request__in=requests).select_related("data_key")
    return Offer(
        open_request=requests.exclude(status=Status.CLOSED).order_by("-asked_at").first(),
        notes=[c for c in contacts if c.message_id is None],
        message_ids=frozenset(c.message_id for c in contacts if c.message_id is not None),
    )


def case_summary(case: Case) -> list[str]:
    """One line a party for the case's handlers, in words: whether support was asked for and
    where it stands ("The complainant asked for support on 3 March 2027; an adviser contacted
    them on 4 March 2027."). Nothing of what they asked for or were told."""
    lines = []
    for request in SupportRequest.objects.filter(case=case).order_by("asked_at", "pk"):
        who = Party(request.party).label
        asked = _("%(who)s asked for support on %(day)s.") % {
            "who": who,
            "day": date_format(timezone.localtime(request.asked_at), "j F Y"),
        }
        if request.status == Status.CLOSED and request.closed_at is not None:
            state = _("The request was closed on %(day)s.") % {
                "day": date_format(timezone.localtime(request.closed_at), "j F Y")
            }
        elif request.first_contact_at is not None:
            state = _("An adviser contacted them on %(day)s.") % {
                "day": date_format(timezone.localtime(request.first_contact_at), "j F Y")
            }
        else:
            state = _("An adviser will contact them by %(day)s.") % {
                "day": date_format(request.due_on, "j F Y")
            }
        lines.append(f"{asked} {state}")
    return lines


@dataclass(frozen=True)
class Counts:
    """What oversight sees of the helpline: numbers only, never a person or a case."""

    waiting: int
    overdue: int
    contacted: int
    closed: int
    by_point: list[tuple[str, int]]
    referrals: list[tuple[str, int]]


def counts(today: dt.date | None = None) -> Counts:
    today = today or timezone.localdate()
    requests = SupportRequest.objects.all()
    by_point = {
        row["offered_at"]: row["n"]
        for row in requests.values("offered_at").annotate(n=Count("pk")).order_by()
    }
    referred = {
        row["service"]: row["n"]
        for row in Referral.objects.values("service").annotate(n=Count("pk")).order_by()
    }
    return Counts(
        waiting=requests.filter(status=Status.WAITING).count(),
        overdue=requests.filter(status=Status.WAITING, due_on__lt=today).count(),
        contacted=requests.filter(status=Status.CONTACTED).count(),
        closed=requests.filter(status=Status.CLOSED).count(),
        by_point=[(str(label), by_point.get(value, 0)) for value, label in OfferedAt.choices],
        referrals=[(name, referred.get(key, 0)) for key, name in services().items()],
    )
