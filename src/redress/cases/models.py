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
    APPEAL = "appeal", _("Under appeal")
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


class Sanction(models.TextChoices):
    """What follows an upheld finding; recorded on the sanctions register with the finding."""

    NONE = "none", _("No sanction")
    APOLOGY = "apology", _("Apology")
    TRAINING = "training", _("Training")
    BEHAVIOUR_AGREEMENT = "behaviour_agreement", _("Behaviour agreement")
    RESTRICTED_ACCESS = "restricted_access", _("Restricted access to the estate or staff")
    SUSPENSION = "suspension", _("Suspension")
    DISMISSAL = "dismissal", _("Dismissal")
    OTHER = "other", _("Other sanction")


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
    sanction = models.CharField(max_length=32, choices=Sanction.choices, blank=True)
    # The sanction's terms (``cases.sanctions``): the length is entered in months and the end
    # worked out from it. The conditions are part of the decision, sealed like its reasons and
    # shredded with the case; the register keeps its own copy, written for it, for its years.
    sanction_starts_on = models.DateField(null=True, blank=True)
    sanction_months = models.PositiveSmallIntegerField(null=True, blank=True)
    sanction_ends_on = models.DateField(null=True, blank=True)
    sanction_conditions = EncryptedTextField(key_field="data_key", null=True, blank=True)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    # When the first steps were taken: what the published time-to-stage figures count.
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    assessed_at = models.DateTimeField(null=True, blank=True)
    # "On hold" (for example during a police investigation) stops every deadline's clock.
    held_since = models.DateTimeField(null=True, blank=True)
    hold_reason = EncryptedTextField(key_field="data_key", null=True, blank=True)
    # People from the directory named in the case (witnesses, others involved): none of them
    # may handle it.
    named_people = models.ManyToManyField(Person, blank=True, related_name="+")
    respondent_notified_at = models.DateTimeField(null=True, blank=True)

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


class AssignmentEnd(models.TextChoices):
    """Why an assignment ended: what the case page tells a handler who lost access."""

    HANDED_OVER = "handed_over", _("Handed over")
    CONFLICT = "conflict", _("A conflict of interest arose")
    ACCOUNT_CLOSED = "account_closed", _("Their account was closed")


class Assignment(models.Model):
    """A handler on a case. Access to content follows a live assignment, not a global role."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=32, choices=AssignmentRole.choices)
    assigned_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Why it ended: handed over by hand (the reasons are in the ledger), or ended by the system
    # when a conflict arose or the account was closed. Blank for assignments ended before.
    end_reason = models.CharField(max_length=32, choices=AssignmentEnd.choices, blank=True)
    # The conflict's reasons as independence words them, in English, one a line: shown, in
    # the reader's language, only to the person who lost access.
    end_note = models.CharField(max_length=1000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user", "role"],
                condition=Q(ended_at__isnull=True),
                name="one_live_assignment_per_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.get_role_display()} on {self.case}"


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


class Source(models.TextChoices):
    """Who put something on the case file."""

    COMPLAINANT = "complainant", _("Complainant")
    RESPONDENT = "respondent", _("Respondent")
    STAFF = "staff", _("Caseworker")


class Attachment(models.Model):
    """Evidence: an encrypted file under a random name, with its description sealed too."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    stored_name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16)
    size = models.PositiveIntegerField()
    added_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.COMPLAINANT)
    kept_original = models.BooleanField(default=False)
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    # The name the complainant's file had can identify them ("IMG_2024 Jane's phone.jpg").
    original_name = EncryptedTextField(key_field="data_key", null=True, blank=True)
    # What the sanitiser removed and what the file still shows, as JSON of its English labels
    # (``cases.actions.Cleaning``); sealed, since a removed file's own name can identify too.
    # Null for files added before it was kept.
    cleaning = EncryptedTextField(key_field="data_key", null=True, blank=True)
    # The member of staff who added a file with ``source`` staff; null for the parties' files.
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} attachment on {self.case}"


class DeadlineKind(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("Acknowledge receipt")
    ASSESS = "assess", _("Initial assessment")
    NOTIFY_RESPONDENT = "notify_respondent", _("Notify the respondent")
    FEEDBACK = "feedback", _("Update the complainant")
    SUBSTANTIVE_ANSWER = "substantive_answer", _("Substantive answer to the complainant")
    INVESTIGATION = "investigation", _("Investigation")
    DECIDE = "decide", _("Decision")
    APPEAL_WINDOW = "appeal_window", _("Appeal window ends")
    APPEAL = "appeal", _("Appeal decision")
    INTERIM_REVIEW = "interim_review", _("Interim measure review")
    HOLD_REVIEW = "hold_review", _("Hold review")
    RISK_REVIEW = "risk_review", _("Risk exception review")
    REASSIGN = "reassign", _("Reassign the case")
    ASSIGN_APPEALS_PANEL = "assign_appeals_panel", _("Assign the appeals panel")


class Deadline(models.Model):
    """One item of the lifecycle table with its due date, in working days of the scheme's nation.

    Open while neither met nor cancelled. While the case is on hold (or a risk exception delays
    notification) the item is paused: ``paused_remaining`` keeps the working days that were
    left, and the sweep ignores it. The sweep marks open items past ``due_on`` overdue and, past
    ``escalate_on`` (five working days after the due date), escalates them to oversight.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="deadlines")
    kind = models.CharField(max_length=32, choices=DeadlineKind.choices)
    # The assigned role answerable for the item; its live holders are told when it is overdue.
    owner_role = models.CharField(max_length=32, choices=AssignmentRole.choices)
    # What the item is about, when more than the case: "measure:12", "exception:3".
    subject = models.CharField(max_length=64, blank=True)
    started_on = models.DateField()
    due_on = models.DateField()
    escalate_on = models.DateField()
    met_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    paused_remaining = models.IntegerField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            # What the sweep reads: open, running, not yet overdue (or not yet escalated).
            models.Index(
                fields=["due_on"],
                name="deadline_watch",
                condition=Q(
                    met_at__isnull=True,
                    cancelled_at__isnull=True,
                    paused_remaining__isnull=True,
                    overdue_at__isnull=True,
                ),
            ),
            models.Index(
                fields=["escalate_on"],
                name="deadline_escalation_watch",
                condition=Q(
                    met_at__isnull=True,
                    cancelled_at__isnull=True,
                    paused_remaining__isnull=True,
                    overdue_at__isnull=False,
                    escalated_at__isnull=True,
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.case_id} due {self.due_on}"

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None

    @property
    def is_paused(self) -> bool:
        return self.paused_remaining is not None


class DirectoryLink(models.Model):
    """The directory entry of a member of staff, from which party, office and line management
    are read for the independence checks."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="directory_link"
    )
    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.user_id} is {self.person_id}"


class ConflictDeclaration(models.Model):
    """A handler's own declaration: a person, a party or an office they must not judge."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conflicts"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True)
    party = models.ForeignKey(
        "directory.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    office = models.ForeignKey(
        "directory.Office", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=500)
    declared_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False)
                | Q(party__isnull=False)
                | Q(office__isnull=False),
                name="conflict_names_someone",
            )
        ]

    def __str__(self) -> str:
        return f"conflict declared by {self.user_id}"


class MeasureKind(models.TextChoices):
    SUSPENSION = "suspension", _("Suspension")
    NO_CONTACT = "no_contact", _("No contact")
    CHANGED_ARRANGEMENTS = "changed_arrangements", _("Changed working arrangements")
    WHIP_WITHDRAWN = "whip_withdrawn", _("Whip withdrawn by the party (recorded fact)")


class InterimMeasure(models.Model):
    """A protective step while the case runs, reviewed on its own deadline until ended."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="measures")
    kind = models.CharField(max_length=32, choices=MeasureKind.choices)
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    details = EncryptedTextField(key_field="data_key")
    started_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    last_reviewed_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["started_on", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.case_id}"


class RecordKind(models.TextChoices):
    ALLEGATIONS = "allegations", _("Substance of the allegations")
    EVIDENCE_NOTE = "evidence_note", _("Evidence")
    INTERVIEW = "interview", _("Interview notes")
    FINDINGS = "findings", _("Findings report")
    ACCURACY_COMMENT = "accuracy_comment", _("Comment on the findings' factual accuracy")
    RESPONSE = "response", _("Respondent's answer")
    APPEAL_GROUNDS = "appeal_grounds", _("Grounds of appeal")
    APPEAL_OUTCOME = "appeal_outcome", _("Appeal outcome")
    HOLD = "hold", _("Hold")
    REVIEW = "review", _("Review")
    RISK_EXCEPTION = "risk_exception", _("Risk exception")
    TRANSITION = "transition", _("Reasons for a step")
    WITHDRAWAL = "withdrawal", _("Complainant's reasons for withdrawing")


# What a respondent may read once notified: never the complainant's own words or identity.
SHARED_WITH_RESPONDENT = {
    RecordKind.ALLEGATIONS,
    RecordKind.FINDINGS,
    RecordKind.RESPONSE,
    RecordKind.APPEAL_OUTCOME,
}


class CaseRecord(models.Model):
    """A written record on the case file, sealed with the case's key."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="records")
    kind = models.CharField(max_length=32, choices=RecordKind.choices)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.STAFF)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField(key_field="data_key")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.case_id}"


class RiskException(models.Model):
    """A documented reason to delay telling the respondent, approved by the decision-maker and
    reviewed every 10 working days."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="risk_exceptions")
    record = models.OneToOneField(CaseRecord, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"risk exception on {self.case_id}"

    @property
    def is_live(self) -> bool:
        return self.approved_at is not None and self.ended_at is None


class RespondentInvitation(models.Model):
    """The emailed link by which a respondent reaches the case. Only a digest of it is kept."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="invitations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    token_digest = models.BinaryField(max_length=32, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    first_opened_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"invitation to {self.person_id} on {self.case_id}"


class AppealOutcome(models.TextChoices):
    DISMISSED = "dismissed", _("Appeal dismissed: the decision stands")
    ALLOWED = "allowed", _("Appeal allowed: the decision is changed")


class Appeal(models.Model):
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="appeal")
    by = models.CharField(max_length=16, choices=Source.choices)
    grounds = models.OneToOneField(CaseRecord, on_delete=models.PROTECT, related_name="+")
    lodged_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=16, choices=AppealOutcome.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"appeal on {self.case_id}"
