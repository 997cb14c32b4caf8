"""Recording outcomes on the sanctions register, reading what is live about a person, and
oversight's review of the whole register (ledgered, as every read of it is)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from redress.directory.models import Person
from redress.ledger.append import append, keyed_digest_of
from redress.ledger.events import Action
from redress.register.models import RegisterEntry, WithdrawnBecause

# Decisions that put a finding on the register.
FINDINGS = frozenset({"upheld", "partly_upheld"})
DEFAULT_RETENTION_YEARS = {"sexual_misconduct": 10, "harassment": 7, "bullying": 5, "other": 5}


@dataclass(frozen=True)
class SanctionTerms:
    """A sanction's terms as the register keeps them: from, for how many months, until, and
    the conditions the decision-maker wrote for the register."""

    starts_on: dt.date | None = None
    months: int | None = None
    ends_on: dt.date | None = None
    conditions: str = ""

    def __str__(self) -> str:
        return f"{self.starts_on or ''}|{self.months or ''}|{self.ends_on or ''}|{self.conditions}"


NO_TERMS = SanctionTerms()


def retention_years(category: str) -> int:
    """How long a finding of ``category`` stays on the register (settings over the defaults)."""
    policy = {**DEFAULT_RETENTION_YEARS, **getattr(settings, "REGISTER_RETENTION", {})}
    return int(policy.get(category, policy["other"]))


def _expiry(decided_on: dt.date, years: int) -> dt.date:
    try:
        return decided_on.replace(year=decided_on.year + years)
    except ValueError:  # 29 February in a year without one
        return decided_on.replace(year=decided_on.year + years, day=28)


def record_outcome(
    *,
    person: Person,
    case_reference: str,
    category: str,
    decision: str,
    sanction: str,
    decided_on: dt.date,
    actor: str,
    terms: SanctionTerms = NO_TERMS,
) -> RegisterEntry | None:
    """Make the register reflect the latest decision of ``case_reference``.

    Upheld or partly upheld: a live entry (made, or changed in place, terms and all). Anything
    else (for example an appeal that overturns the finding): the live entry, if any, is
    withdrawn at once.
    Runs inside the caller's transaction; each change is ledgered without content.
    """
    with transaction.atomic():
        live = (
            RegisterEntry.objects.select_for_update()
            .filter(case_reference=case_reference, withdrawn_at__isnull=True)
            .first()
        )
        if decision not in FINDINGS:
            if live is None:
                return None
            live.withdrawn_at = timezone.now()
            live.withdrawn_because = WithdrawnBecause.OVERTURNED
            live.save(update_fields=["withdrawn_at", "withdrawn_because"])
            append(
                actor=actor,
                action=Action.REGISTER_WITHDRAWN,
                obj=f"register:{live.pk}",
                digest=keyed_digest_of("register", f"{case_reference}|{decision}"),
            )
            return None
        entry = live or RegisterEntry(person=person, case_reference=case_reference)
        entry.category = category
        entry.decision = decision
        entry.sanction = sanction
        entry.sanction_starts_on = terms.starts_on
        entry.sanction_months = terms.months
        entry.sanction_ends_on = terms.ends_on
        entry.sanction_conditions = terms.conditions
        entry.decided_on = decided_on
        entry.expires_on = _expiry(decided_on, retention_years(category))
        entry.save()
        append(
            actor=actor,
            action=Action.REGISTER_RECORDED if live is None else Action.REGISTER_CHANGED,
            # The entry, not the person: the ledger must not say who has a finding, nor (through
            # a digest of so few possible values) what it was.
            obj=f"register:{entry.pk}",
            digest=keyed_digest_of(
                "register",
                f"{case_reference}|{category}|{decision}|{sanction}|{decided_on}|{terms}",
            ),
        )
        return entry


def live_findings(person: Person, on: dt.date | None = None) -> list[RegisterEntry]:
    """Findings about ``person`` that are neither withdrawn nor expired on ``on`` (today)."""
    on = on or timezone.localdate()
    return list(
        RegisterEntry.objects.filter(person=person, withdrawn_at__isnull=True, expires_on__gt=on)
    )


# The most entries the review page lists in each part, newest first.
REVIEW_LIMIT = 500


@dataclass(frozen=True)
class Review:
    live: list[RegisterEntry]
    ended: list[RegisterEntry]
    on: dt.date


def review(*, actor: str, on: dt.date | None = None) -> Review:
    """The whole register as oversight reviews it: live entries, and those withdrawn or expired.

    Reading the whole register tells the reader who has findings, so the read is ledgered like
    a vetting check (``register.read``), with nothing of what was shown.
    """
    on = on or timezone.localdate()
    entries = RegisterEntry.objects.select_related("person")
    live = entries.filter(withdrawn_at__isnull=True, expires_on__gt=on)
    ended = entries.exclude(pk__in=live.values("pk"))
    with transaction.atomic():
        append(actor=actor, action=Action.REGISTER_READ, obj="register:all")
    return Review(
        live=list(live.order_by("-decided_on", "pk")[:REVIEW_LIMIT]),
        ended=list(ended.order_by("-decided_on", "pk")[:REVIEW_LIMIT]),
        on=on,
    )
