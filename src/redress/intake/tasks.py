"""Background work of the intake: abandoned drafts expire, held receipt codes are forgotten."""

from __future__ import annotations

from django_tasks import task

from redress.intake import actions


@task()
def expire_drafts() -> int:
    """Shred drafts untouched for ``DRAFT_LIFETIME`` and forget codes held past ``RECEIPT_HOLD``."""
    return actions.expire_drafts()


@task()
def remove_orphan_files() -> int:
    """Delete sealed files no attachment or live draft refers to (see the action)."""
    return actions.remove_orphan_files()
