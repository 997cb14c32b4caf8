"""Background work of case handling, run by ``redress worker``."""

from __future__ import annotations

from django_tasks import task

from redress.cases import sweep as sweeping


@task()
def sweep() -> dict[str, int]:
    """The deadline sweep (also ``redress sweep``)."""
    result = sweeping.sweep()
    return {"overdue": result.overdue, "escalated": result.escalated}
