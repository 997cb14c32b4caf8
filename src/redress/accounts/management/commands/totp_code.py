"""``redress totp_code USERNAME``: the current second-factor code of a demo account."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from redress.accounts.second_factor import current_code


class Command(BaseCommand):
    help = "Print the current sign-in code of a demo account (refused for real accounts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is None:
            raise CommandError(f"No account {username!r} with an authenticator.")
        if not device.user.is_demo:
            raise CommandError("Codes are shown only for demo accounts.")
        self.stdout.write(current_code(device))
