"""Support requests, the adviser's contact with the person who asked, and referrals to support
services. What a person says about the support they want, and what the adviser writes to them,
is sealed with the case's own data key, so shredding the case makes it unreadable too."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redress.cases.models import Case, Message
from redress.vault.fields import EncryptedTextField
from redress.vault.models import DataKey


class Party(models.TextChoices):
    COMPLAINANT = "complainant", _("The complainant")
    RESPONDENT = "respondent", _("The respondent")


class OfferedAt(models.TextChoices):
    """Where the person was offered support and said yes."""

    ACKNOWLEDGEMENT = "acknowledgement", _("When the report was made")
    NOTIFICATION = "notification", _("When told of the complaint")
    DECISION = "decision", _("At the decision")
    APPEAL = "appeal", _("At the appeal")
    PHONE = "phone", _("By phone or in person")


class Status(models.TextChoices):
    WAITING = "waiting", _("Waiting for contact")
    CONTACTED = "contacted", _("Contacted")
    CLOSED = "closed", _("Closed")


class CloseReason(models.TextChoices):
    SUPPORTED = "supported", _("Support given")
    REFERRED = "referred", _("Referred to a support service")
    DECLINED = "declined", _("They no longer want support")
    NOT_REACHED = "not_reached", _("They could not be reached")


class SupportRequest(models.Model):
    """A party's request for support, answered by a support adviser within ``due_on``."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="support_requests")
    party = models.CharField(max_length=16, choices=Party.choices)
    offered_at = models.CharField(max_length=16, choices=OfferedAt.choices)
    asked_at = models.DateTimeField(default=timezone.now)
    # The case's own key: what they asked for goes when the case is shredded.
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    words = EncryptedTextField(key_field="data_key", null=True, blank=True)
    due_on = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAITING)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    close_reason = models.CharField(max_length=16, choices=CloseReason.choices, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            # One open request a party a case: asking again adds nothing to a queue.
            models.UniqueConstraint(
                fields=["case", "party"],
                condition=~Q(status="closed"),
                name="one_open_support_request_per_party",
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False)
                | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="closed_support_request_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"support request {self.pk} on {self.case_id}"

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED


class Channel(models.TextChoices):
    """How the adviser reached the person: always their own way of hearing from the scheme."""

    RECEIPT_CODE = "receipt_code", _("A message on their report, read with their receipt code")
    RESPONDENT_PAGE = "respondent_page", _("A note on their page, with an email saying so")


class ContactAttempt(models.Model):
    request = models.ForeignKey(SupportRequest, on_delete=models.PROTECT, related_name="contacts")
    made_at = models.DateTimeField(default=timezone.now)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    # The complainant's copy is the message on their channel; the respondent's is kept here.
    message = models.OneToOneField(
        Message, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField(key_field="data_key", null=True, blank=True)

    class Meta:
        ordering = ["made_at", "pk"]

    def __str__(self) -> str:
        return f"contact on support request {self.request_id}"


class ReferralOutcome(models.TextChoices):
    TAKEN_UP = "taken_up", _("They are being supported by the service")
    DECLINED = "declined", _("They chose not to use the service")
    NOT_AVAILABLE = "not_available", _("The service could not help")
    NO_ANSWER = "no_answer", _("No answer from the service")


class Referral(models.Model):
    request = models.ForeignKey(SupportRequest, on_delete=models.PROTECT, related_name="referrals")
    # A key of the configured support services (``helpline.services``).
    service = models.CharField(max_length=64)
    referred_at = models.DateTimeField(default=timezone.now)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=16, choices=ReferralOutcome.choices, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["referred_at", "pk"]

    def __str__(self) -> str:
        return f"referral to {self.service} on support request {self.request_id}"
