"""News for the parties: an act on a case announces it once its transaction commits, and each
party's front door decides whether and how to tell them: intake for the complainant (it holds
their contact choices), the respondent's pages for the respondent. A notice never says what the
news is; a rolled-back act announces nothing."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

from redress.cases.models import Case

# Sent with ``case`` after an act that the complainant should hear about has committed.
case_updated = Signal()


# Sent with ``case`` after an act that the respondent should hear about has committed.
respondent_updated = Signal()


def tell_complainant(case: Case) -> None:
    """Announce after commit that ``case`` has news for its complainant (never what it is)."""
    transaction.on_commit(lambda: case_updated.send(sender=Case, case=case))


def tell_respondent(case: Case) -> None:
    """Announce after commit that ``case`` has news for its respondent: only once they have been
    told of the complaint (before that, there is nothing of it they may see)."""
    if case.respondent_notified_at is not None:
        transaction.on_commit(lambda: respondent_updated.send(sender=Case, case=case))


def tell_both(case: Case) -> None:
    """Both parties have news: a decision, or an appeal's outcome."""
    tell_complainant(case)
    tell_respondent(case)
