"""Register Redress as a client of the test provider and add the provider's users."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from oidc_provider.models import Client, ResponseType


class Command(BaseCommand):
    help = "Register one confidential client (code flow, RS256) and add users."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", required=True)
        parser.add_argument("--redirect-uri", required=True)
        parser.add_argument(
            "--user",
            action="append",
            default=[],
            help="username:password:email[:marks], marks comma separated (unverified, mfa)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        client, _ = Client.objects.update_or_create(
            client_id=options["client_id"],
            defaults={
                "name": "Redress",
                "client_type": "confidential",
                "client_secret": options["client_secret"],
                "jwt_alg": "RS256",
                "require_consent": False,
                "reuse_consent": True,
            },
        )
        client.redirect_uris = [options["redirect_uri"]]
        client.save()
        client.response_types.set([ResponseType.objects.get(value="code")])
        for spec in options["user"]:
            username, password, email, *marks = spec.split(":")
            user, _ = get_user_model().objects.get_or_create(username=username)
            user.email = email
            user.last_name = marks[0] if marks else ""
            user.set_password(password)
            user.save()
