"""``redress demo``: load the fictional demo scheme. Safe to run again: it changes nothing twice."""

from __future__ import annotations

import datetime as dt
import shlex
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from redress.accounts.models import Role, RoleGrant, User
from redress.cases import actions, sanctions, schedule
from redress.cases.models import (
    Assignment,
    AssignmentRole,
    Case,
    Category,
    Deadline,
    Decision,
    DirectoryLink,
    Identity,
    MeasureKind,
    RecordKind,
    Sanction,
    Stage,
)
from redress.cases.sweep import sweep
from redress.core import paths
from redress.demo import closed, data
from redress.directory.models import Office, Party, Person, PersonKind
from redress.disclosure import actions as disclosure
from redress.escrow import actions as escrow
from redress.escrow.models import CounsellorKey
from redress.helpline import actions as helpline
from redress.helpline.models import OfferedAt


def _address(name: str) -> str:
    """A fictional address on a reserved domain: nothing is ever delivered."""
    local = "".join(ch for ch in name.lower().replace(" ", ".") if ch.isalnum() or ch in ".-")
    return f"{local}@{data.MAIL_DOMAIN}"


def _received_days_ago(case: Case, days: int) -> None:
    """Move a demo case's receipt (and so its first deadlines) into the past."""
    received = timezone.now() - dt.timedelta(days=days)
    Case.objects.filter(pk=case.pk).update(received_at=received, stage_changed_at=received)
    for item in Deadline.objects.filter(case=case):
        fresh = schedule.build(case, item.kind, start=received.date())  # type: ignore[arg-type]
        Deadline.objects.filter(pk=item.pk).update(
            started_on=fresh.started_on, due_on=fresh.due_on, escalate_on=fresh.escalate_on
        )


class Command(BaseCommand):
    help = "Load fictional demo data: a directory of members and staff and one account per role."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        parties = [Party.objects.get_or_create(name=name)[0] for name in data.PARTIES]
        offices = [Office.objects.get_or_create(name=name)[0] for name in data.OFFICES]
        for identifier, name, title, party, constituency in data.MEMBERS:
            Person.objects.update_or_create(
                identifier=identifier,
                defaults={
                    "name": name,
                    "kind": PersonKind.MEMBER,
                    "role_title": title,
                    "party": parties[party],
                    "constituency": data.CONSTITUENCIES[constituency],
                    "office": None,
                    "email": _address(name),
                },
            )
        for identifier, name, title, office, _manager, staff_party in data.STAFF:
            Person.objects.update_or_create(
                identifier=identifier,
                defaults={
                    "name": name,
                    "kind": PersonKind.STAFF,
                    "role_title": title,
                    "office": offices[office],
                    "party": parties[staff_party] if staff_party is not None else None,
                    "email": _address(name),
                },
            )
        for identifier, _name, _title, _office, manager, _party in data.STAFF:
            person = Person.objects.by_identifier(identifier)
            if manager and person is not None:
                person.line_manager = Person.objects.by_identifier(manager)
                person.save(update_fields=["line_manager"])
        for username, display_name, role in data.ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "display_name": display_name,
                    "is_demo": True,
                    "email": f"{username}@redress.example",
                },
            )
            if created:
                user.set_password(data.DEMO_PASSWORD)
                user.save()
            RoleGrant.objects.get_or_create(user=user, role=role, revoked_at=None)
            TOTPDevice.objects.get_or_create(
                user=user, confirmed=True, defaults={"name": "Demo authenticator"}
            )
        for username, identifier, title in data.HANDLERS:
            person, _ = Person.objects.update_or_create(
                identifier=identifier,
                defaults={
                    "name": User.objects.get(username=username).display_name.split(" (")[0],
                    "kind": PersonKind.STAFF,
                    "role_title": title,
                    "office": offices[data.COMMISSIONER_OFFICE],
                    "party": None,
                },
            )
            DirectoryLink.objects.get_or_create(
                user=User.objects.get(username=username), defaults={"person": person}
            )
        self._cases()
        closed.load()
        counsellor = User.objects.get(username="counsellor")
        if not CounsellorKey.objects.filter(owner=counsellor, active=True).exists():
            escrow.create_counsellor_key(counsellor, data.DEMO_ESCROW_PASSPHRASE)
        self.stdout.write(self._summary())

    def _cases(self) -> None:
        """Fictional complaints at several stages, made once: one waiting in the caseworkers'
        pool, one overdue and escalated, one on hold, one under investigation with the
        respondent told, one decided and in its appeal window."""
        caseworker = User.objects.get(username="caseworker")
        if Assignment.objects.filter(user=caseworker).exists():
            return
        team = {
            AssignmentRole.INVESTIGATOR: User.objects.get(username="investigator"),
            AssignmentRole.DECISION_MAKER: User.objects.get(username="decision-maker"),
        }
        for identifier, category, identity, narrative, how_far in data.CASES:
            case = actions.receive(
                category=Category(category),
                identity=Identity(identity),
                narrative=narrative,
                respondent=Person.objects.by_identifier(identifier),
                actor="system:demo",
            )
            if identifier in data.SEALED_IDENTITIES:  # a confidential complainant
                disclosure.seal(case, data.SEALED_IDENTITIES[identifier], actor="system:demo")
            if how_far == "received":
                # The complainant said yes to support: waiting for the demo support adviser.
                helpline.ask_for_support(
                    case, "complainant", OfferedAt.ACKNOWLEDGEMENT, "Someone to talk to, please."
                )
                continue  # in the pool, for a caseworker to take
            actions.assign(case, caseworker, AssignmentRole.CASEWORKER, actor="system:demo")
            if how_far == "overdue":
                _received_days_ago(case, 16)
                continue
            for stage in (Stage.ACKNOWLEDGED, Stage.ASSESSED):
                case = actions.transition(
                    case, stage, actor=caseworker, reasons="Demo: the report is within scope."
                )
            if how_far == "on hold":
                actions.put_on_hold(
                    case,
                    actor=caseworker,
                    reason="Demo: the police are investigating; we wait for them to finish.",
                )
                continue
            for role, user in team.items():
                actions.assign(case, user, role, actor="system:demo")
            case = actions.transition(
                case,
                Stage.INVESTIGATION,
                actor=caseworker,
                reasons="Demo: the allegations, if proved, would breach the code.",
            )
            actions.add_record(case, RecordKind.ALLEGATIONS, data.ALLEGATIONS, actor=caseworker)
            actions.notify_respondent(case, actor=caseworker)
            actions.send_message_to_complainant(
                case,
                "We have started an investigation and told the person you complained about.",
                actor=caseworker,
            )
            if how_far == "investigation":
                actions.record_measure(
                    case,
                    MeasureKind.NO_CONTACT,
                    "Demo: no contact with the complainant outside formal meetings.",
                    actor=caseworker,
                )
                continue
            investigator = team[AssignmentRole.INVESTIGATOR]
            actions.add_record(
                case,
                RecordKind.FINDINGS,
                "Demo: two witnesses confirm the shift changes followed the safety report.",
                actor=investigator,
            )
            case = actions.transition(
                case, Stage.FINDINGS, actor=investigator, reasons="Demo: investigation complete."
            )
            maker = team[AssignmentRole.DECISION_MAKER]
            case = actions.transition(
                case,
                Stage.DECISION,
                actor=maker,
                reasons="Demo: the changes were a response to the safety concern.",
                decision=Decision.UPHELD,
                sanction=Sanction.TRAINING,
                terms=sanctions.Terms(
                    starts_on=timezone.localdate(),
                    months=3,
                    conditions="Demo: a course on answering safety reports.",
                ),
            )
            actions.transition(
                case, Stage.APPEAL_WINDOW, actor=maker, reasons="Demo: both parties told."
            )
        sweep()

    def _summary(self) -> str:
        # The address links in emails use: the demo's host and port unless REDRESS_SITE_URL says.
        base = settings.SITE_URL.rstrip("/")
        lines = [
            "",
            "Redress demo is ready (all people and accounts are fictional).",
            f"  Complainant start page:  {base}/",
            f"  Staff sign-in:           {base}/staff/sign-in",
            f"  API documentation:       {base}/api/docs",
            "",
            f"  Staff accounts (password for all: {data.DEMO_PASSWORD}):",
        ]
        lines += [
            f"    {username:<16} {Role(role).label}" for username, _name, role in data.ACCOUNTS
        ]
        lines += [
            "",
            "  Second factor: in demo mode the code page shows the current code for demo accounts.",
            f"  Escrow counsellor's passphrase: {data.DEMO_ESCROW_PASSPHRASE}",
            f"  Or run:  {_command_here()}totp_code caseworker",
            f"  Emails are written to {settings.EMAIL_FILE_PATH}/ (open the newest file).",
            "",
        ]
        if not settings.DEMO_MODE:
            lines.append("  (Demo mode is off: use `redress totp_code` for codes.)")
        return "\n".join(lines)


def _command_here() -> str:
    """How to run ``redress`` against this demo's data folder: with ``REDRESS_DATA_DIR`` when
    the demo does not use the checkout's own ``var/``."""
    command = ".venv/bin/redress "
    if paths.data_dir(None) != settings.DATA_DIR:
        command = f"REDRESS_DATA_DIR={shlex.quote(str(settings.DATA_DIR))} {command}"
    return command
