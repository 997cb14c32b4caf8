"""Background work of retention, run daily by ``redress worker``."""

from __future__ import annotations

from django_tasks import task

from redress.retention import actions


@task()
def apply_schedule() -> dict[str, int]:
    """Shred what the retention schedule says is due today (also ``redress retention``)."""
    return {"shredded": len(actions.apply(actor="system:retention"))}
