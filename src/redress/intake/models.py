"""Drafts of reports in progress, and the keyed digests of receipt codes."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redress.accounts.models import User
from redress.cases.models import Case, Message
from redress.vault.fields import EncryptedTextField
from redress.vault.models import DataKey


class Draft(models.Model):
    """A report being written. Its answers are sealed with the data key the case will inherit.

    Abandoned drafts expire: the sweep shreds their key and deletes staged evidence. After
    submission the draft holds the receipt code (sealed) until the complainant confirms they have
    saved it, so a double click or a lost response never loses the one copy of the code.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    answers = EncryptedTextField(key_field="data_key", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    receipt = EncryptedTextField(key_field="data_key", null=True, blank=True)
    receipt_confirmed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"draft {self.id}"


class Receipt(models.Model):
    """The keyed digest of a case's receipt code; the code itself is never stored."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="receipt")
    digest = models.BinaryField(max_length=32, unique=True)
    # Named and confidential complainants may give an email address: only its keyed digest is
    # kept here (the address itself is sealed in the case), to find the report when a code is lost.
    email_digest = models.BinaryField(max_length=32, null=True, blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    email_updates = models.BooleanField(default=False)

    class Meta:
        indexes = [
            # Only reports that gave an address are looked up by it: anonymous ones, most of
            # them, cost the index nothing when they are written.
            models.Index(
                fields=["email_digest"],
                name="receipt_email_digest",
                condition=models.Q(email_digest__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"receipt for {self.case}"


class TakenHow(models.TextChoices):
    PHONE = "phone", _("By phone")
    IN_PERSON = "in_person", _("In person")


class TakenState(models.TextChoices):
    AWAITING = "awaiting", _("Awaiting the reporter's confirmation")
    CONFIRMED = "confirmed", _("Confirmed by the reporter")
    CORRECTED = "corrected", _("Corrected by the reporter")


class TakenReport(models.Model):
    """A report a member of staff wrote down for the reporter, given by phone or in person.

    The reporter checks the record with their receipt code, and confirms it or corrects it
    (EU Directive 2019/1937, Art. 18(2)-(4)); until then it awaits their confirmation. A
    correction is the reporter's own message on the case, which ``correction`` points to.
    """

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="taken_report")
    taken_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    how = models.CharField(max_length=16, choices=TakenHow.choices)
    taken_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=16, choices=TakenState.choices, default=TakenState.AWAITING)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    corrected_at = models.DateTimeField(null=True, blank=True)
    correction = models.OneToOneField(
        Message, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"report taken for {self.case}"
