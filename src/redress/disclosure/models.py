"""A confidential complainant's sealed identity, and the requests to read or disclose it.

The identity is sealed under a data key of its own, not the case's: a handler who may read the
case still cannot open it, and it is shredded with the case (``retention.actions``).
A request's words (reason, recipient, purpose, decision) are sealed under the case's key, so
they go when the case's content goes.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redress.accounts.models import User
from redress.cases.models import Case, Message
from redress.vault.fields import EncryptedTextField
from redress.vault.models import DataKey


class SealedIdentity(models.Model):
    """Who a confidential complainant is (name, email, phone, what they said about themselves),
    as JSON sealed under its own data key. Written only by ``disclosure.actions.seal``."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="sealed_identity")
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+")
    identity = EncryptedTextField(key_field="data_key")
    sealed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"sealed identity of case {self.case_id}"


class Scope(models.TextChoices):
    INSIDE = "inside", _("To read it inside the scheme")
    OUTSIDE = "outside", _("To disclose it to someone outside the scheme")


class IdentityRequest(models.Model):
    """One ask to read (inside) or disclose (outside) a sealed identity, and what became of it.

    Approved by a second role (the case's decision-maker or the data protection officer), never
    the asker. An outside disclosure is made only after the complainant was told (``notice``)
    or an exception was recorded and confirmed by the approver. The identity opens once per
    approval (``opened_at``). Every step is written by ``disclosure.actions``.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="identity_requests")
    # The case's key: the request's words go when the case's content is shredded.
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(max_length=16, choices=Scope.choices)
    asked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    reason = EncryptedTextField(key_field="data_key")
    recipient = EncryptedTextField(key_field="data_key", null=True, blank=True)
    purpose = EncryptedTextField(key_field="data_key", null=True, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    approved = models.BooleanField(null=True, blank=True)
    decision_reason = EncryptedTextField(key_field="data_key", null=True, blank=True)
    # Why the complainant is not told first (it would jeopardise the investigation or judicial
    # proceedings), as the approver confirmed it; lifted once that is no longer so.
    exception_reason = EncryptedTextField(key_field="data_key", null=True, blank=True)
    exception_at = models.DateTimeField(null=True, blank=True)
    exception_lifted_at = models.DateTimeField(null=True, blank=True)
    notice = models.ForeignKey(
        Message, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-asked_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decided_by=models.F("asked_by")),
                name="disclosure_request_not_self_approved",
                violation_error_message="Nobody decides their own request.",
            ),
        ]

    def __str__(self) -> str:
        return f"identity request {self.pk} on case {self.case_id}"

    @property
    def waiting(self) -> bool:
        return self.decided_at is None

    @property
    def excepted(self) -> bool:
        """An exception delays the notice now."""
        return self.exception_at is not None and self.exception_lifted_at is None

    @property
    def may_open(self) -> bool:
        """Approved and not yet opened, and for an outside disclosure the complainant told or
        an exception recorded."""
        if not self.approved or self.opened_at is not None:
            return False
        return self.scope == Scope.INSIDE or self.notified_at is not None or self.excepted
