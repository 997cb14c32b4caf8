"""``redress serve``: the web server (gunicorn) and the background worker, together."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from gunicorn.app.base import BaseApplication

from redress.wsgi import application


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return application


class Command(BaseCommand):
    help = "Serve Redress over HTTP with gunicorn, and run the background worker beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--no-worker", action="store_true", help="do not start the worker")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "redress.cli", "worker"])
        try:
            _Gunicorn(
                {
                    "bind": f"{options['host']}:{options['port']}",
                    "workers": options["workers"],
                    "threads": options["threads"],
                    # No access log: complainant requests must leave no trace of who made them.
                    "accesslog": None,
                    "errorlog": "-",
                    "loglevel": "warning",
                    "proc_name": "redress",
                }
            ).run()
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
