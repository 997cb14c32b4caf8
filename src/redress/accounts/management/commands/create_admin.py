"""``redress create-admin EMAIL``: the first administrator's one-time enrolment link.

There is no password option: a password typed on a command line stays in the shell's history
and the process list. The command prints a link instead (valid 24 hours) with which the person
chooses their own password and sets up their authenticator app. It works only while the scheme
has no administrator; after that, administrators invite each other from the console.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.utils.formats import date_format
from django.utils.timezone import localtime

from redress.accounts.invitations import InvitationRefused, create_first_administrator


class Command(BaseCommand):
    help = (
        "Print a one-time link (valid 24 hours) with which the first administrator sets a "
        "password and an authenticator app. Refused once an administrator exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the first administrator's email address")
        parser.add_argument("--name", default="", help="their name, as the console shows it")

    def handle(self, *args: Any, email: str, name: str, **options: Any) -> None:
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"{email!r} is not an email address.") from error
        try:
            issued = create_first_administrator(email, name)
        except InvitationRefused as refused:
            raise CommandError(refused.message) from refused
        expires = date_format(localtime(issued.invitation.expires_at), "j F Y, H:i T")
        self.stdout.write(
            f"Give this link to {issued.invitation.email} and nobody else. It works once, "
            f"until {expires}:\n{issued.link}"
        )
