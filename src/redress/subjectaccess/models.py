"""Requests made under the UK GDPR by a person about their own data, and what answering them
found, removed and released.

Everything that says who the person is, how their identity was checked, what was found about
them and why something was removed is sealed with the request's own data key, so shredding
that key forgets the request as retention forgets a case; dates, states and who acted stay.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redress.cases.models import Case
from redress.vault.fields import EncryptedBinaryField, EncryptedTextField
from redress.vault.models import DataKey


class Kind(models.TextChoices):
    ACCESS = "access", _("Subject access")
    ERASURE = "erasure", _("Erasure")
    RECTIFICATION = "rectification", _("Rectification")


class State(models.TextChoices):
    OPEN = "open", _("Open")
    SEARCHED = "searched", _("Searched")
    ASSEMBLED = "assembled", _("Answer assembled")
    APPROVED = "approved", _("Approved")
    RELEASED = "released", _("Released")
    REFUSED = "refused", _("Refused")


class Outcome(models.TextChoices):
    """What was done about an erasure or rectification request."""

    DONE = "done", _("Done in full")
    PARTLY_DONE = "partly_done", _("Done in part")
    NOT_DONE = "not_done", _("Not done")


class DataRequest(models.Model):
    """One request, from receipt to release. Only ``subjectaccess.actions`` writes it."""

    kind = models.CharField(max_length=16, choices=Kind.choices)
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+")
    subject_name = EncryptedTextField(key_field="data_key", max_length=200)
    subject_email = EncryptedTextField(key_field="data_key", max_length=254, blank=True)
    # The directory identifier when the person is in the directory; sealed too, so the table
    # never links a request to a member of staff or a member.
    subject_identifier = EncryptedTextField(key_field="data_key", max_length=64, blank=True)
    identity_check = EncryptedTextField(key_field="data_key", max_length=2000)
    # What the person asked for, in their words (for rectification: what is wrong).
    asked = EncryptedTextField(key_field="data_key", max_length=4000, blank=True)
    received_on = models.DateField()
    # One calendar month from receipt, plus the months of any extension (at most two).
    due_on = models.DateField()
    extended_months = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    searched_at = models.DateTimeField(null=True, blank=True)
    assembled_at = models.DateTimeField(null=True, blank=True)
    assembled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    refused_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = EncryptedTextField(key_field="data_key", max_length=2000, null=True)
    # Erasure and rectification: what was decided and done.
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    outcome_details = EncryptedTextField(key_field="data_key", max_length=4000, null=True)
    # The assembled answer, sealed; released only through the one-time link.
    answer_json = EncryptedTextField(key_field="data_key", null=True)
    answer_pdf = EncryptedBinaryField(key_field="data_key", null=True)
    # The one-time release link: only its SHA-256 is kept.
    release_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    release_expires_at = models.DateTimeField(null=True, blank=True)
    release_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(extended_months__lte=2), name="subjectaccess_at_most_two_months_more"
            ),
            # Nobody approves their own answer: enforced by the database too.
            models.CheckConstraint(
                condition=Q(approver__isnull=True) | ~Q(approver=models.F("handler")),
                name="subjectaccess_approver_is_not_handler",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"DR-{self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.state in (State.RELEASED, State.REFUSED)


class Extension(models.Model):
    """Time added under Art. 12(3), with the reasons the person is told."""

    request = models.ForeignKey(DataRequest, on_delete=models.PROTECT, related_name="extensions")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    months = models.PositiveSmallIntegerField()
    reason = EncryptedTextField(key_field="data_key", max_length=2000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.months} more month(s) for request {self.request_id}"


class SearchRun(models.Model):
    """One search over the cases: which references were read (what the ledger entry's digest
    commits to), so an auditor can check every read against the ledger."""

    request = models.ForeignKey(DataRequest, on_delete=models.PROTECT, related_name="searches")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    # Case references, one a line, in the order read; references are not personal data.
    references_read = models.TextField(blank=True)
    cases_read = models.PositiveIntegerField(default=0)
    cases_unreadable = models.PositiveIntegerField(default=0)
    digest = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"search of {self.cases_read} cases for request {self.request_id}"


class Capacity(models.TextChoices):
    COMPLAINANT = "complainant", _("Complainant")
    RESPONDENT = "respondent", _("Respondent")
    WITNESS = "witness", _("Witness")
    NAMED_IN_TEXT = "named_in_text", _("Named in the text")


class Finding(models.Model):
    """A place the person appears: a case, in what capacity, in which field, and that field's
    text as read (sealed with the request's key), to which the redactions refer."""

    request = models.ForeignKey(DataRequest, on_delete=models.CASCADE, related_name="findings")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=16, choices=Capacity.choices)
    field = models.CharField(max_length=64)
    text = EncryptedTextField(key_field="data_key", blank=True)
    # The complainant's identifiers (JSON list) when the person is not the complainant of this
    # case: the answer may contain none of them unless the complainant consented.
    protected = EncryptedTextField(key_field="data_key", blank=True)

    class Meta:
        ordering = ["case__reference", "pk"]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.field}"


class Exemption(models.TextChoices):
    OTHER_INDIVIDUALS = (
        "dpa2018_sch2_p16",
        _("DPA 2018 Sch. 2 para. 16: information about other individuals"),
    )
    LEGAL_PRIVILEGE = (
        "dpa2018_sch2_p19",
        _("DPA 2018 Sch. 2 para. 19: legal professional privilege"),
    )
    CRIME = "dpa2018_sch2_p2", _("DPA 2018 Sch. 2 para. 2: crime and taxation")
    NEGOTIATIONS = "dpa2018_sch2_p23", _("DPA 2018 Sch. 2 para. 23: negotiations")
    CONFIDENTIAL_REFERENCES = (
        "dpa2018_sch2_p24",
        _("DPA 2018 Sch. 2 para. 24: confidential references"),
    )


class Redaction(models.Model):
    """A span of a finding's text removed from the answer, with its reason and exemption.

    ``automatic`` ones are the complainant's identifiers, marked by the search in every place a
    respondent, witness or person named appears unless the complainant consented."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="redactions")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    reason = EncryptedTextField(key_field="data_key", max_length=500)
    exemption = models.CharField(max_length=32, choices=Exemption.choices)
    automatic = models.BooleanField(default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["finding", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="redaction_not_empty"
            )
        ]

    def __str__(self) -> str:
        return f"characters {self.start} to {self.end} of finding {self.finding_id}"


class ComplainantConsent(models.Model):
    """A complainant's consent to their identity being in this request's answer for one case."""

    request = models.ForeignKey(DataRequest, on_delete=models.PROTECT, related_name="consents")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    # How consent was given (for example "in writing, letter of 3 March").
    how = EncryptedTextField(key_field="data_key", max_length=1000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "case"], name="one_consent_per_case")
        ]

    def __str__(self) -> str:
        return f"consent for case {self.case_id} in request {self.request_id}"
