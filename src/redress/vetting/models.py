"""Vetting checks: who asked about whom, for what, and the dated answer they were given."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from redress.accounts.models import ApiToken
from redress.directory.models import Person


class VettingCheck(models.Model):
    """One question put to the sanctions register, with its answer as given (no case content).

    Asked by a vetting officer or by an integration's token; each sees only its own checks.
    """

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    token = models.ForeignKey(
        ApiToken, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=500)
    requesting_body = models.CharField(max_length=200)
    made_at = models.DateTimeField(default=timezone.now)
    result = models.JSONField()
    result_digest = models.CharField(max_length=64)
    ledger_seq = models.BigIntegerField(null=True, blank=True)
    subject_told_at = models.DateTimeField(null=True, blank=True)
    # More checks by one officer in a day than policy allows: oversight is shown it.
    flagged = models.BooleanField(default=False)

    class Meta:
        ordering = ["-made_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(officer__isnull=False) | models.Q(token__isnull=False),
                name="vetting_check_has_an_asker",
            )
        ]

    def __str__(self) -> str:
        return f"vetting check {self.pk} on {self.subject_id}"
