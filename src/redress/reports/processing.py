"""The record of processing (UK GDPR Art. 30), built from the configuration in force.

Nothing here is prose kept by hand beside the code: the retention figures are read from the same
constants and settings the service acts on (draft expiry, the register's years per category, the
escrow link's life, the idle session limit, the case schedule when the retention app is there),
and the tables each activity keeps its data in are read from the models. So when a setting
changes, the record changes with it, and the data protection officer never signs off a record
that describes another service. It holds no personal data itself: only kinds of data and rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from redress.accounts.models import Passkey, RoleGrant, User
from redress.cases.models import Case, Category, Decision, Message
from redress.directory.models import Person
from redress.escrow.actions import PENDING_HOURS
from redress.escrow.models import EscrowEntry, PendingEntry
from redress.intake.actions import DRAFT_LIFETIME, RECEIPT_HOLD
from redress.intake.models import Draft, Receipt
from redress.ledger.models import Entry
from redress.register.actions import retention_years
from redress.register.models import RegisterEntry
from redress.subjectaccess.actions import RELEASE_LIFETIME
from redress.subjectaccess.models import (
    ComplainantConsent,
    DataRequest,
    Extension,
    Finding,
    Redaction,
    SearchRun,
)
from redress.vault.models import DataKey
from redress.vetting.models import VettingCheck


@dataclass(frozen=True)
class Activity:
    """One processing activity: what is held about whom, why, for how long, and where."""

    key: str
    name: str
    purpose: str
    subjects: str
    categories: list[str]
    retention: list[tuple[str, str]]
    recipients: list[str]
    security: list[str]
    tables: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Record:
    controller: str
    lawful_basis: str
    recipients: list[str]
    database: str
    data_folder: str
    activities: list[Activity]


def _tables(*kinds: type[models.Model]) -> list[str]:
    return [kind._meta.db_table for kind in kinds]


def _duration(span: timedelta) -> str:
    """A span in words, in the largest whole unit (the record is read by people, not parsed)."""
    seconds = int(span.total_seconds())
    days, rest = divmod(seconds, 86400)
    if days and not rest:
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    minutes = max(1, seconds // 60)
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def _years(count: int) -> str:
    return ngettext("%(n)d year", "%(n)d years", count) % {"n": count}


def lawful_basis() -> str:
    configured: str = getattr(settings, "PROCESSING_LAWFUL_BASIS", "")
    return configured or _(
        "Public task or legitimate interests (UK GDPR Art. 6(1)(e) or (f)), with the substantial "
        "public interest conditions for special category data (DPA 2018 Sch. 1)."
    )


def recipients() -> list[str]:
    configured: list[str] = list(getattr(settings, "PROCESSING_RECIPIENTS", []))
    return configured or [
        _("The scheme's investigators, decision-makers and appeals panels"),
        _("The police, only when a disclosure is approved by a second person"),
        _("Bodies that ask for a vetting check, told only what the register holds"),
    ]


def case_schedule() -> list[tuple[str, str]]:
    """The case retention schedule in force, one row per outcome, when the retention app is
    installed (it is optional: without it no case content is shredded on a schedule)."""
    if not apps.is_installed("redress.retention"):
        return [(_("Cases"), _("No case retention schedule is in force."))]
    from redress.retention import schedule

    outcomes = dict(Decision.choices) | {schedule.WITHDRAWN: _("Withdrawn")}
    configured = getattr(settings, "RETENTION_SCHEDULE", None) or {}
    rows: list[tuple[str, str]] = []
    for outcome in [*schedule.DEFAULT_RETENTION_SCHEDULE, *configured]:
        label = _("Closed cases: %(outcome)s") % {"outcome": outcomes.get(outcome, outcome)}
        if any(row[0] == label for row in rows):
            continue
        years = {value: schedule.years_for(outcome, value) for value, _label in Category.choices}
        rows.append((label, _schedule_words(years)))
    return rows


def _schedule_words(years: dict[str, int]) -> str:
    if len(set(years.values())) == 1:
        count = next(iter(years.values()))
        if count == 0:
            return _("Content shredded when the register's entry expires")
        return _("Content shredded %(years)s after closure") % {"years": _years(count)}
    labels = dict(Category.choices)
    return "; ".join(f"{labels[category]}: {_years(count)}" for category, count in years.items())


def _complaints() -> Activity:
    return Activity(
        key="complaints",
        name=_("Taking and handling complaints"),
        purpose=_("To receive, assess, investigate and decide complaints, and to hear appeals."),
        subjects=_("Complainants, witnesses and the people complained about"),
        categories=[
            _("Complainant identity and contact details (sealed)"),
            _("What happened, and evidence (sealed)"),
            _("Messages between the scheme and the parties (sealed)"),
            _("Case facts: dates, stage, category, outcome"),
        ],
        retention=[
            (_("Unsent drafts"), _duration(DRAFT_LIFETIME)),
            (_("Report codes not yet confirmed"), _duration(RECEIPT_HOLD)),
            *case_schedule(),
        ],
        recipients=recipients(),
        security=[
            _("Each case is encrypted at rest under its own key; deleting the key erases it."),
            _("Every read and change by staff is written to the tamper-evident ledger."),
        ],
        tables=_tables(Draft, Receipt, Case, Message, DataKey),
    )


def _register() -> Activity:
    return Activity(
        key="register",
        name=_("The sanctions register and vetting checks"),
        purpose=_("To tell bodies who ask whether a finding stands against a named person."),
        subjects=_("People with an upheld finding; people checked"),
        categories=[
            _("Respondent directory entries: name, role, party, office, email"),
            _("Findings: category, decision, sanction, dates"),
            _("Vetting checks: who asked, why, and the answer given"),
        ],
        retention=[
            *(
                (
                    _("Register: %(category)s") % {"category": label},
                    _years(retention_years(value)),
                )
                for value, label in Category.choices
            ),
            (_("Vetting checks"), _("Kept with the register; no automatic expiry.")),
            (_("Directory entries"), _("No automatic expiry is configured.")),
        ],
        recipients=[_("Bodies that ask for a vetting check")],
        security=[_("Every check is ledgered, and heavy use is flagged to oversight.")],
        tables=_tables(Person, RegisterEntry, VettingCheck),
    )


def _escrow() -> Activity:
    return Activity(
        key="escrow",
        name=_("Escrow reports held until others report the same person"),
        purpose=_("To let people report safely and act only when several name one person."),
        subjects=_("People who report into escrow, and those they name"),
        categories=[_("Escrow entries: sealed report and contact, readable only on a match")],
        retention=[
            (_("Escrow links not yet completed"), _duration(timedelta(hours=PENDING_HOURS))),
            (_("Escrow entries"), _("No automatic expiry is configured.")),
        ],
        recipients=[_("The escrow counsellor, only when a match is found")],
        security=[_("Entries are sealed to the counsellor's key; the server cannot read them.")],
        tables=_tables(EscrowEntry, PendingEntry),
    )


def _data_requests() -> Activity:
    return Activity(
        key="data-requests",
        name=_("Subject access, erasure and rectification requests"),
        purpose=_(
            "To answer people who ask to see, erase or correct the personal data the scheme "
            "holds about them (UK GDPR Arts. 15 to 17), within the time limit."
        ),
        subjects=_("People who ask about their own data; others named where they are found"),
        categories=[
            _("The requester's name, email and how their identity was checked (sealed)"),
            _("What they asked for and, for erasure or rectification, what was done (sealed)"),
            _(
                "Where cases name them, copied from the cases, with what was removed and why "
                "(sealed)"
            ),
            _("The answer released to them, as PDF and JSON (sealed)"),
            _("Request facts: kind, dates, time limit, state, who handled and approved it"),
        ],
        retention=[
            (_("Links to released answers"), _duration(RELEASE_LIFETIME)),
            (
                _("Requests, what they found and their answers"),
                _("No automatic expiry is configured; erasing a request's key erases them."),
            ),
        ],
        recipients=[
            _("The person who asked, through a link that works once"),
            _("A second data protection officer, who approves each answer before release"),
        ],
        security=[
            _("Each request is encrypted at rest under its own key; deleting the key erases it."),
            _("Each search is ledgered, and each case in which the person was found."),
            _("Other people's identities, complainants' above all, are removed from answers."),
        ],
        tables=_tables(DataRequest, Extension, SearchRun, Finding, Redaction, ComplainantConsent),
    )


def _staff() -> Activity:
    idle = timedelta(seconds=int(getattr(settings, "IDLE_TIMEOUT_SECONDS", 900)))
    return Activity(
        key="staff",
        name=_("Staff accounts and the ledger"),
        purpose=_("To let staff sign in, and to prove who did what and when."),
        subjects=_("Staff of the scheme"),
        categories=[
            _("Staff accounts: name, email, roles, sign-in factors"),
            _("Ledger entries: who, what, when, a digest; never content"),
        ],
        retention=[
            (_("Signed-in sessions, when idle"), _duration(idle)),
            (_("Staff accounts"), _("Closed when a person leaves; kept for the ledger.")),
            (_("Ledger"), _("Kept for good: it holds no content.")),
        ],
        recipients=[_("Nobody outside the scheme")],
        security=[_("Sign-in needs a second factor."), _ledger_security()],
        tables=_tables(User, RoleGrant, Passkey, Entry),
    )


def _ledger_security() -> str:
    if getattr(settings, "LEDGER_SIGNING_KEY", ""):
        return _("The ledger is hash-chained, and its checkpoints are signed.")
    return _("The ledger is hash-chained; no signing key is set, so checkpoints are not signed.")


def backups() -> str:
    days = int(getattr(settings, "BACKUP_RETENTION_DAYS", 0))
    if days <= 0:
        return _("Not configured in the service: see the hosting arrangements.")
    return _duration(timedelta(days=days))


def build() -> Record:
    """The record as the configuration in force says it, in the active language."""
    return Record(
        controller=str(getattr(settings, "SCHEME_NAME", "")),
        lawful_basis=lawful_basis(),
        recipients=recipients(),
        database=connection.vendor,
        data_folder=str(settings.DATA_DIR),
        activities=[_complaints(), _register(), _escrow(), _data_requests(), _staff()],
    )
