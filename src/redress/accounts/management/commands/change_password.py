"""``redress change-password USERNAME``: set a staff member's password, and tell them."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from redress.accounts.models import User
from redress.accounts.second_factor import change_password


class Command(BaseCommand):
    help = (
        "Set a staff account's password (asked for twice, never echoed). The change is ledgered "
        "and the account's holder is emailed that it was made. Use this rather than Django's "
        "changepassword, which sends no notice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--actor", default="system:admin", help="who is changing it, for the ledger entry"
        )

    def handle(self, *args: Any, username: str, actor: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account {username!r}.")
        password = getpass.getpass("New password: ")
        if password != getpass.getpass("The same again: "):
            raise CommandError("The two passwords differ; nothing was changed.")
        try:
            change_password(user, password, actor=actor)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        told = "they have been emailed" if user.email else "they have no email address to tell"
        self.stdout.write(f"The password of {username} was changed; {told}.")
