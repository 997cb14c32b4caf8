"""The sanctions register: upheld findings against a directory person, with their sanction and
the date the entry stops being reported under the retention policy. No case content."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from redress.directory.models import Person


class WithdrawnBecause(models.TextChoices):
    OVERTURNED = "overturned", "The finding was overturned"


class RegisterEntry(models.Model):
    """One finding about one person, made only by a case's decision (and changed by its appeal).

    The case is named by reference, not by a key: the register sits below case handling and
    must not depend on it. Entries are withdrawn, never deleted; the ledger keeps the history.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    case_reference = models.CharField(max_length=20)
    category = models.CharField(max_length=32)
    decision = models.CharField(max_length=32)
    sanction = models.CharField(max_length=32, blank=True)
    # The sanction's terms: from, for how many months, until; and its conditions as the
    # decision-maker wrote them for the register (never the complainant's name).
    sanction_starts_on = models.DateField(null=True, blank=True)
    sanction_months = models.PositiveSmallIntegerField(null=True, blank=True)
    sanction_ends_on = models.DateField(null=True, blank=True)
    sanction_conditions = models.CharField(max_length=500, blank=True)
    decided_on = models.DateField()
    expires_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_because = models.CharField(
        max_length=16, choices=WithdrawnBecause.choices, blank=True
    )

    class Meta:
        ordering = ["-decided_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_reference"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_live_register_entry_per_case",
            )
        ]
        indexes = [models.Index(fields=["person", "expires_on"], name="register_live_lookup")]

    def __str__(self) -> str:
        return f"{self.category} finding on {self.person_id} ({self.case_reference})"
