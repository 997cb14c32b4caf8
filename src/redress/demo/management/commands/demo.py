"""``redress demo``: load the fictional demo scheme. Safe to run again: it changes nothing twice."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from redress.accounts.models import RoleGrant, User
from redress.cases import actions
from redress.cases.models import Assignment, AssignmentRole, Category, Identity
from redress.demo import data
from redress.directory.models import Office, Party, Person, PersonKind


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
                },
            )
        for identifier, _name, _title, _office, manager, _party in data.STAFF:
            if manager:
                Person.objects.filter(identifier=identifier).update(
                    line_manager=Person.objects.get(identifier=manager)
                )
        for username, display_name, role in data.ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"display_name": display_name, "is_demo": True}
            )
            if created:
                user.set_password(data.DEMO_PASSWORD)
                user.save()
            RoleGrant.objects.get_or_create(user=user, role=role, revoked_at=None)
            TOTPDevice.objects.get_or_create(
                user=user, confirmed=True, defaults={"name": "Demo authenticator"}
            )
        self._cases()
        self.stdout.write(self._summary())

    def _cases(self) -> None:
        """A few fictional complaints assigned to the demo caseworker, made once."""
        caseworker = User.objects.get(username="caseworker")
        if Assignment.objects.filter(user=caseworker).exists():
            return
        for identifier, category, identity, narrative in data.CASES:
            case = actions.receive(
                category=Category(category),
                identity=Identity(identity),
                narrative=narrative,
                respondent=Person.objects.get(identifier=identifier),
                actor="system:demo",
            )
            actions.assign(case, caseworker, AssignmentRole.CASEWORKER, actor="system:demo")

    def _summary(self) -> str:
        base = "http://127.0.0.1:8000"
        lines = [
            "",
            "Redress demo is ready (all people and accounts are fictional).",
            f"  Complainant start page:  {base}/",
            f"  Staff sign-in:           {base}/staff/sign-in",
            f"  API documentation:       {base}/api/docs",
            "",
            f"  Staff accounts (password for all: {data.DEMO_PASSWORD}):",
        ]
        lines += [f"    {username:<16} {role}" for username, _name, role in data.ACCOUNTS]
        lines += [
            "",
            "  Second factor: in demo mode the code page shows the current code for demo accounts.",
            "  Or run:  .venv/bin/redress totp_code caseworker",
            "",
        ]
        if not settings.DEMO_MODE:
            lines.append("  (Demo mode is off: use `redress totp-code` for codes.)")
        return "\n".join(lines)
