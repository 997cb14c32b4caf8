"""Reading the ledger entries the vault wrote, for assertions."""

from __future__ import annotations

from redress.ledger.models import Entry


def entries_for(action: str) -> list[Entry]:
    return list(Entry.objects.filter(action=action).order_by("seq"))
