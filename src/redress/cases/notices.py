"""News for the complainant: an act on a case announces it once its transaction commits, and
the complainant's front door (intake, which holds their contact choices) decides whether and how
to tell them. A rolled-back act announces nothing."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

from redress.cases.models import Case

# Sent with ``case`` after an act that the complainant should hear about has committed.
case_updated = Signal()


def tell_complainant(case: Case) -> None:
    """Announce after commit that ``case`` has news for its complainant (never what it is)."""
    transaction.on_commit(lambda: case_updated.send(sender=Case, case=case))
