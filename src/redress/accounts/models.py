"""Staff accounts, the roles they hold, and API tokens for integrations."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device


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
    DATA_PROTECTION_OFFICER = "data_protection_officer", _("Data protection officer")
    ADMINISTRATOR = "administrator", _("Administrator")


class User(AbstractUser):  # type: ignore[django-manager-missing]  # passkey_set: see Passkey
    """A person who signs in: staff of the scheme. Complainants never have accounts."""

    display_name = models.CharField(_("name"), max_length=200, blank=True)
    # Demo accounts (made by `redress demo`) may show their current code on the sign-in page
    # when the service runs in demo mode; no real account ever can.
    is_demo = models.BooleanField(default=False)
    # Leaving: set with is_active=False by the one act that closes an account; never undone by
    # reactivating quietly (a returning person is invited again).
    deactivated_at = models.DateTimeField(null=True, blank=True)
    deactivated_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

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
    reason = models.TextField(blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_grant_per_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.get_role_display()}"


class RoleRequest(models.Model):
    """A grant of a role that needs a second administrator (administrator, oversight).

    It takes effect only when another administrator approves it, which creates the RoleGrant;
    nobody approves a request they made or one about themselves.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="role_requests")
    role = models.CharField(max_length=32, choices=Role.choices)
    reason = models.TextField()
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    approved = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(decided_at__isnull=True),
                name="one_open_request_per_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} for {self.user}"


class Invitation(models.Model):
    """A single-use link that lets a new member of staff set a password and a second factor.

    The account (``user``) exists from the invitation on, with no usable password, so it cannot
    sign in until the link is used. Only a SHA-256 digest of the link's secret is kept.
    ``created_by`` is empty for the first administrator, made by ``redress create-admin``.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField()
    roles = models.JSONField(default=list)
    digest = models.BinaryField(max_length=32, unique=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"invitation for {self.email}"


class SignInIdentity(models.Model):
    """An account's subject at an OpenID provider, bound at first use, never created by it."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="sign_in_identities")
    issuer = models.CharField(max_length=500)
    subject = models.CharField(max_length=255)
    bound_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="one_account_per_subject"),
            models.UniqueConstraint(fields=["user", "issuer"], name="one_subject_per_issuer"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.issuer}"


class Passkey(Device):
    """A WebAuthn credential used as the second factor, beside TOTP.

    A django-otp device, so signing in with it marks the session verified like a TOTP code
    does; it never verifies a typed token.
    """

    # Annotated by hand: django-otp's Device has no type stubs, so mypy's Django plugin does
    # not see this class as a model.
    credential_id: models.CharField[str, str] = models.CharField(max_length=1400, unique=True)
    public_key: models.BinaryField[bytes, bytes] = models.BinaryField()
    sign_count: models.PositiveBigIntegerField[int, int] = models.PositiveBigIntegerField(default=0)
    transports: models.JSONField = models.JSONField(default=list, blank=True)
    created_at: models.DateTimeField[dt.datetime, dt.datetime] = models.DateTimeField(
        default=timezone.now
    )
    last_used_at: models.DateTimeField[dt.datetime | None, dt.datetime | None] = (
        models.DateTimeField(null=True, blank=True)
    )

    def verify_token(self, token: object) -> bool:
        return False


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
    # A token that acts for someone other than its issuer works only once that person has
    # approved it; a handler's own token is approved when issued.
    approved_at = models.DateTimeField(null=True, blank=True)
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
