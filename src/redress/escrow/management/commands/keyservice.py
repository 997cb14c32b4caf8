"""``redress keyservice``: run the matching key service as its own process."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from redress.escrow.keyservice import matching_key, shared_secret
from redress.escrow.server import make_server


class Command(BaseCommand):
    help = "Serve the escrow matching key: blinded evaluations only, authenticated, rate-limited."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8710)

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        server = make_server(
            host,
            port,
            key=matching_key(),
            secret=shared_secret(),
            per_hour=settings.REDRESS_KEYSERVICE_RATE,
        )
        self.stdout.write(f"Matching key service on http://{host}:{port}/evaluate")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
