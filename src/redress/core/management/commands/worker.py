"""``redress worker``: run background tasks from the database queue, and periodic ones on time."""

from __future__ import annotations

import os
import socket
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import import_string
from django_tasks_db.management.commands.db_worker import Worker


class Command(BaseCommand):
    help = "Run the background worker: periodic tasks (checkpoints, sweeps) and queued tasks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument(
            "--once", action="store_true", help="enqueue due periodic tasks, drain the queue, exit"
        )

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        periodic = [(import_string(path), every) for path, every in settings.REDRESS_PERIODIC_TASKS]
        every_pass = [import_string(path) for path in settings.REDRESS_EVERY_PASS]
        last_run: dict[int, float] = {}
        worker_id = f"{socket.gethostname()}-{os.getpid()}"
        while True:
            for work in every_pass:
                work()
            now = time.monotonic()
            for index, (task, every) in enumerate(periodic):
                if now - last_run.get(index, -every) >= every:
                    task.enqueue()
                    last_run[index] = now
            Worker(
                queue_names=["*"],
                interval=0,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id=worker_id,
                excluded_queue_names=[],
            ).run()
            if once:
                return
            time.sleep(interval)
