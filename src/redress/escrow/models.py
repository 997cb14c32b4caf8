"""Escrow entries, their matches and the counsellor's key. No column holds report text or a
respondent's identifier in a form readable without the counsellor's private key."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from redress.cases.models import Case
from redress.vault.fields import EncryptedTextField
from redress.vault.models import DataKey


class CounsellorKey(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    public_key = models.BinaryField(max_length=32)
    locked_private = models.BinaryField()
    salt = models.BinaryField(max_length=16)
    params = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"counsellor key {self.pk}"


class Status(models.TextChoices):
    HELD = "held", "Held, no match yet"
    MATCHED = "matched", "Matched"
    CONVERTED = "converted", "Made into a complaint"
    DELETED = "deleted", "Deleted"


class Match(models.Model):
    pointer = models.BinaryField(max_length=32)
    found_at = models.DateTimeField(default=timezone.now)
    counsellor = models.ForeignKey(CounsellorKey, on_delete=models.PROTECT, related_name="matches")

    def __str__(self) -> str:
        return f"match {self.pk}"


class EscrowEntry(models.Model):
    pointer = models.BinaryField(max_length=32, db_index=True)
    sealed = models.BinaryField()
    counsellor = models.ForeignKey(CounsellorKey, on_delete=models.PROTECT, related_name="entries")
    # Keyed digests: the first counts distinct complainants at a pointer, the second lets the
    # complainant manage the entry with the code they were given. Neither names anyone.
    identity_digest = models.BinaryField(max_length=32)
    code_digest = models.BinaryField(max_length=32, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.HELD)
    match = models.ForeignKey(
        Match, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The complainant's own copy of what they wrote and whom about, sealed under a key derived
    # from their code (and the server's escrow key), so going ahead carries it over without
    # retyping; wiped when the entry is deleted or becomes a complaint. Empty for entries
    # lodged before copies were kept.
    own_copy = models.BinaryField(default=b"", blank=True)
    # The counsellor records when they reached the complainant after a match.
    contacted_at = models.DateTimeField(null=True, blank=True)
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"escrow entry {self.pk} ({self.status})"


class PendingEntry(models.Model):
    """An entry waiting for its complainant to confirm their email address: sealed with its own
    data key, shredded once lodged or after a day."""

    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+")
    content = EncryptedTextField(key_field="data_key")
    token_digest = models.BinaryField(max_length=32, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"pending escrow entry {self.pk}"
