"""Cases and who is assigned to them. Content is sealed with the case's own data key."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redress.directory.models import Person
from redress.vault.fields import EncryptedTextField
from redress.vault.models import DataKey


class Stage(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ASSESSED = "assessed", _("Assessed")
    NOT_TAKEN_FORWARD = "not_taken_forward", _("Not taken forward")
    INFORMAL_RESOLUTION = "informal_resolution", _("Informal resolution")
    INVESTIGATION = "investigation", _("Investigation")
    FINDINGS = "findings", _("Findings")
    DECISION = "decision", _("Decision")
    APPEAL_WINDOW = "appeal_window", _("Appeal window")
    CLOSED = "closed", _("Closed")


class Category(models.TextChoices):
    BULLYING = "bullying", _("Bullying")
    HARASSMENT = "harassment", _("Harassment")
    SEXUAL_MISCONDUCT = "sexual_misconduct", _("Sexual misconduct")
    OTHER = "other", _("Other")


class Identity(models.TextChoices):
    NAMED = "named", _("Named")
    CONFIDENTIAL = "confidential", _("Confidential")
    ANONYMOUS = "anonymous", _("Anonymous")


class Decision(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    PARTLY_UPHELD = "partly_upheld", _("Partly upheld")
    NOT_UPHELD = "not_upheld", _("Not upheld")
    NOT_TAKEN_FORWARD = "not_taken_forward", _("Not taken forward")
    RESOLVED_INFORMALLY = "resolved_informally", _("Resolved informally")


class Case(models.Model):
    """A complaint. Never deleted: closing needs a decision and reasons; retention shreds the key.

    Views reach cases only through the permission-checked accessors in ``cases.access``.
    """

    reference = models.CharField(max_length=20, unique=True)
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=32, choices=Stage.choices, default=Stage.RECEIVED)
    category = models.CharField(max_length=32, choices=Category.choices)
    identity = models.CharField(max_length=16, choices=Identity.choices)
    respondent = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)
    narrative = EncryptedTextField(key_field="data_key", null=True, blank=True)
    respondent_description = EncryptedTextField(key_field="data_key", null=True, blank=True)
    # Every other answer of the report (when, where, witnesses, impact, outcome wanted,
    # support, contact details) as JSON, sealed like the narrative.
    details = EncryptedTextField(key_field="data_key", null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=32, choices=Decision.choices, blank=True)
    decision_reasons = EncryptedTextField(key_field="data_key", null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    stage_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_at"]
        constraints = [
            # Nothing is closed without a decision: enforced by the database too.
            models.CheckConstraint(
                condition=~Q(stage="closed") | ~Q(decision=""),
                name="closed_case_has_decision",
            )
        ]

    def __str__(self) -> str:
        return self.reference


class AssignmentRole(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    INVESTIGATOR = "investigator", _("Investigator")
    DECISION_MAKER = "decision_maker", _("Decision-maker")
    APPEALS_PANEL = "appeals_panel", _("Appeals panel")


class Assignment(models.Model):
    """A handler on a case. Access to content follows a live assignment, not a global role."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=32, choices=AssignmentRole.choices)
    assigned_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user", "role"],
                condition=Q(ended_at__isnull=True),
                name="one_live_assignment_per_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.role} on {self.case}"


class Direction(models.TextChoices):
    FROM_COMPLAINANT = "from_complainant", _("From the complainant")
    TO_COMPLAINANT = "to_complainant", _("To the complainant")


class Message(models.Model):
    """A message on the complainant's channel. Anonymous complainants talk only through this."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="messages")
    direction = models.CharField(max_length=20, choices=Direction.choices)
    # For staff messages, who wrote it; complainants are never identified here.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    # The case's own data key: shredding the case makes its messages unreadable too.
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField(key_field="data_key")

    class Meta:
        ordering = ["sent_at", "pk"]

    def __str__(self) -> str:
        return f"message on {self.case} at {self.sent_at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    """Evidence: an encrypted file under a random name, with its description sealed too."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    stored_name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16)
    size = models.PositiveIntegerField()
    added_at = models.DateTimeField(default=timezone.now)
    added_by_complainant = models.BooleanField(default=True)
    kept_original = models.BooleanField(default=False)
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    # The name the complainant's file had can identify them ("IMG_2024 Jane's phone.jpg").
    original_name = EncryptedTextField(key_field="data_key", null=True, blank=True)

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} attachment on {self.case}"
