"""Staff accounts, the roles they hold, and API tokens for integrations."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The staff roles of the scheme. A role opens a console; it never opens a case by itself."""

    CASEWORKER = "caseworker", _("Caseworker")
    INVESTIGATOR = "investigator", _("Investigator")
    DECISION_MAKER = "decision_maker", _("Decision-maker")
    APPEALS_PANEL = "appeals_panel", _("Appeals panel")
    SUPPORT_ADVISER = "support_adviser", _("Support adviser")
    ESCROW_COUNSELLOR = "escrow_counsellor", _("Escrow counsellor")
    VETTING_OFFICER = "vetting_officer", _("Vetting officer")
    OVERSIGHT = "oversight", _("Oversight")
    ADMINISTRATOR = "administrator", _("Administrator")


class User(AbstractUser):
    """A person who signs in: staff of the scheme. Complainants never have accounts."""

    display_name = models.CharField(_("name"), max_length=200, blank=True)
    # Demo accounts (made by `redress demo`) may show their current code on the sign-in page
    # when the service runs in demo mode; no real account ever can.
    is_demo = models.BooleanField(default=False)

    def roles(self) -> set[str]:
        """The roles this user holds now (cached for the life of the object)."""
        cached: set[str] | None = getattr(self, "_roles_cache", None)
        if cached is None:
            cached = set(
                self.role_grants.filter(revoked_at__isnull=True).values_list("role", flat=True)
            )
            self._roles_cache = cached
        return cached

    def has_role(self, role: Role | str) -> bool:
        return str(role) in self.roles()

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleGrant(models.Model):
    """A role held by a user, granted and revoked by an administrator; history is kept."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="role_grants")
    role = models.CharField(max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_grant_per_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.role}"


class Scope(models.TextChoices):
    """What an API token may do; each endpoint declares the one it needs."""

    VETTING = "vetting", _("Vetting checks")
    CASES_READ = "cases:read", _("Read case queue")
    CASES_WRITE = "cases:write", _("Move cases through their stages")
    STATISTICS = "statistics", _("Read published statistics")


class ApiToken(models.Model):
    """A bearer token for an integration. Only a SHA-256 digest of the secret is stored."""

    name = models.CharField(max_length=200)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.BinaryField(max_length=32)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # The member of staff a case-handling token acts for, with their assignments and the
    # console's checks (the administrator who issues it can never handle a case).
    acts_for = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None

    @property
    def actor(self) -> str:
        return f"token:{self.pk}"

    @property
    def staff_member(self) -> User:
        """Whom the token acts for: the named member of staff, else whoever issued it."""
        return self.acts_for or self.created_by
