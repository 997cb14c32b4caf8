"""A model used only by the vault's tests, as another app would declare encrypted fields.

Its app label is not an installed app, so migrations and ``makemigrations --check`` never see
it; ``conftest.py`` creates its table once per test database.
"""

from __future__ import annotations

import uuid

from django.db import models

from redress.vault.fields import EncryptedBinaryField, EncryptedTextField
from redress.vault.models import DataKey


class Complaint(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    # No database constraint: this table outlives each test, and transactional tests on
    # PostgreSQL truncate vault_datakey, which a foreign key from here would forbid.
    data_key = models.ForeignKey(
        DataKey, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    reference = models.CharField(max_length=20, blank=True)
    narrative = EncryptedTextField(key_field="data_key", null=True, blank=True, max_length=5000)
    evidence = EncryptedBinaryField(key_field="data_key", null=True, blank=True)
    statement = EncryptedTextField(key_field="data_key", null=True, blank=True, bind_row=True)

    class Meta:
        app_label = "vault_tests"

    def __str__(self) -> str:
        return self.reference
