"""Data keys: one per subject (a case, an escrow entry), stored only wrapped by a KEK."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone


class DataKey(models.Model):
    """The key that seals one subject's content, wrapped by a key-encryption key.

    The id is chosen before the row is written because the wrap is bound to it. Shredding
    empties ``wrapped`` and sets ``shredded_at``; rows are never deleted, so references to a
    shredded key keep working and say why the content is gone. Create, read and shred keys
    through ``redress.vault.actions`` only.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A reference such as "case:42"; never a name or anything else that identifies a person.
    subject = models.CharField(max_length=200)
    wrapped = models.BinaryField(editable=False)
    kek_id = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    shredded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "data key"
        constraints = [
            models.CheckConstraint(
                condition=Q(shredded_at__isnull=True) | Q(wrapped=b""),
                name="vault_datakey_shredded_holds_no_key",
                violation_error_message="A shredded data key keeps no key material.",
            ),
        ]

    def __str__(self) -> str:
        state = " (shredded)" if self.is_shredded else ""
        return f"data key {self.id} for {self.subject}{state}"

    @property
    def is_shredded(self) -> bool:
        return self.shredded_at is not None
