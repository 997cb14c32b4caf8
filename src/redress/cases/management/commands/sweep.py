"""``redress sweep``: one pass of the deadline sweep, now (the worker runs it every few minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from redress.cases.sweep import sweep


class Command(BaseCommand):
    help = "Mark overdue deadline items, tell their owners, escalate to oversight."

    def handle(self, *args: Any, **options: Any) -> None:
        result = sweep()
        self.stdout.write(f"overdue: {result.overdue}  escalated: {result.escalated}")
