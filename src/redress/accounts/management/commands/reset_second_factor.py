"""``redress reset-second-factor USERNAME``: remove a staff member's authenticator app."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from redress.accounts.models import User
from redress.accounts.second_factor import reset_second_factor


class Command(BaseCommand):
    help = (
        "Remove a staff account's authenticator app (a lost or replaced phone). They set up a "
        "new one at their next sign-in, and are emailed that it was removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--actor", default="system:admin", help="who is resetting it, for the ledger entry"
        )

    def handle(self, *args: Any, username: str, actor: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account {username!r}.")
        removed = reset_second_factor(user, actor=actor)
        told = "they have been emailed" if user.email else "they have no email address to tell"
        self.stdout.write(
            f"Removed {removed} authenticator(s) of {username}; they will set up a new one "
            f"at their next sign-in; {told}."
        )
