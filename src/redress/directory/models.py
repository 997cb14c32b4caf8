"""People a scheme covers (members, staff), with the ties that decide who may handle a case."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Party(models.Model):
    name = models.CharField(max_length=200, unique=True)

    class Meta:
        verbose_name_plural = "parties"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Office(models.Model):
    """A place of work: a member's office, a department, a constituency office."""

    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PersonKind(models.TextChoices):
    MEMBER = "member", _("Member")
    STAFF = "staff", _("Staff")
    # A party's own officials (whips, party staff) are in the directory so that conflicts with
    # them can be seen; they never handle complaints.
    PARTY_OFFICIAL = "party_official", _("Party official")


class PersonQuerySet(models.QuerySet["Person"]):
    def by_identifier(self, identifier: str) -> Person | None:
        """The person with this identifier from the scheme's records, or None if there is no
        such person. The one way to find a person by identifier."""
        return self.filter(identifier=identifier).first()


class Person(models.Model):
    """Someone in the directory, identified by a stable identifier from the scheme's records."""

    identifier = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=PersonKind.choices)
    role_title = models.CharField(_("role"), max_length=200, blank=True)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, null=True, blank=True)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, null=True, blank=True)
    constituency = models.CharField(max_length=200, blank=True)
    line_manager = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    # Where a respondent's invitation and a vetting notice are sent; never shown to complainants.
    email = models.EmailField(blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name
