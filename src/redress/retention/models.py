"""Legal holds: while one is live, retention shreds nothing it covers.

A hold names a case or a person (then it covers every case with that person as respondent).
Its review date is kept here (``review_on``) rather than as a case ``Deadline``: the deadline
kinds belong to the cases app and a hold on a person is about no one case. Holds due for review
are listed on oversight's retention page, which is where they are reviewed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from redress.cases.models import Case
from redress.directory.models import Person


class LegalHold(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Why the records must be kept (a claim, an inquiry): it names no complainant.
    reason = models.CharField(max_length=1000)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    review_on = models.DateField()
    review_note = models.CharField(max_length=1000, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lift_reason = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["review_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(case__isnull=False) & Q(person__isnull=True))
                | (Q(case__isnull=True) & Q(person__isnull=False)),
                name="legal_hold_names_case_or_person",
            )
        ]

    def __str__(self) -> str:
        return f"hold {self.pk}"

    @property
    def live(self) -> bool:
        return self.lifted_at is None
