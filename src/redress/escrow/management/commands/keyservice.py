"""``redress keyservice``: run the matching key service as its own process."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from redress.escrow.keyservice import matching_key, shared_secret
from redress.escrow.server import evaluations_in_the_last_hour, make_server


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class Command(BaseCommand):
    help = (
        "Serve the escrow matching key: blinded evaluations only, signed by callers that share "
        "REDRESS_KEYSERVICE_SECRET, at most REDRESS_KEYSERVICE_RATE an hour per caller, each "
        "counted in the ledger."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8710, help="port to listen on")

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        per_hour = settings.KEYSERVICE_RATE
        if per_hour < 1:
            raise CommandError("REDRESS_KEYSERVICE_RATE must be at least 1.")
        try:
            key, secret = matching_key(), shared_secret()
        except ImproperlyConfigured as problem:
            raise CommandError(str(problem)) from problem
        try:
            server = make_server(host, port, key=key, secret=secret, per_hour=per_hour)
        except OSError as failed:
            raise CommandError(f"Cannot listen on {host}:{port}: {failed.strerror}") from failed
        try:
            server.limit.seed(evaluations_in_the_last_hour())
        except DatabaseError as failed:
            server.server_close()
            raise CommandError(
                "The key service needs the database for its ledger entries: run "
                "`redress migrate` and check DATABASE_URL."
            ) from failed
        if not _loopback(host):
            self.stderr.write(
                f"Listening on {host}, not loopback: put TLS or a private network in front."
            )
        self.stdout.write(
            f"Matching key service on http://{host}:{server.server_address[1]}/evaluate "
            f"({per_hour} evaluations an hour per caller)"
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
