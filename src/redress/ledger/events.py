"""Every kind of act or read the ledger records, as one enumeration.

``append`` takes only a member of ``Action``, so a misspelt or invented name cannot be written,
and a reader (an auditor, the case timeline, the statistics) can list every kind of entry from
here. The values are the names stored in ``Entry.action`` since the first entry; a member's
value never changes, because existing entries keep their names and their hashes cover them.
Add a member when a new act is built; never rename or remove one that has been written.

Names are ``subject.event``, lowercase, past tense: what happened, to what.
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    # Staff accounts and integration tokens
    ACCOUNT_SIGNED_IN = "accounts.signed_in"
    ACCOUNT_PASSWORD_CHANGED = "accounts.password_changed"  # noqa: S105 - an event's name
    ACCOUNT_SECOND_FACTOR_ENROLLED = "accounts.second_factor_enrolled"
    ACCOUNT_SECOND_FACTOR_RESET = "accounts.second_factor_reset"
    TOKEN_ISSUED = "accounts.token_issued"  # noqa: S105 - an event's name
    TOKEN_REVOKED = "accounts.token_revoked"  # noqa: S105 - an event's name
    TOKEN_DESCRIBED = "api.token_described"  # noqa: S105 - an event's name
    TOKEN_APPROVED = "accounts.token_approved"  # noqa: S105 - an event's name
    ACCOUNT_INVITED = "accounts.invited"
    ACCOUNT_INVITATION_WITHDRAWN = "accounts.invitation_withdrawn"
    ACCOUNT_ENROLLED = "accounts.enrolled"
    ACCOUNT_DEACTIVATED = "accounts.deactivated"
    ACCOUNT_IDENTITY_BOUND = "accounts.identity_bound"
    ACCOUNT_PASSKEY_ADDED = "accounts.passkey_added"
    ACCOUNT_PASSKEY_REMOVED = "accounts.passkey_removed"
    ROLE_GRANTED = "accounts.role_granted"
    ROLE_REVOKED = "accounts.role_revoked"
    ROLE_REQUESTED = "accounts.role_requested"
    ROLE_REQUEST_APPROVED = "accounts.role_request_approved"
    ROLE_REQUEST_REFUSED = "accounts.role_request_refused"

    # A case from receipt to closure
    CASE_RECEIVED = "case.received"
    CASE_VIEWED = "case.viewed"
    CASE_EVIDENCE_ADDED = "case.evidence_added"
    CASE_EVIDENCE_VIEWED = "case.evidence_viewed"
    CASE_ASSIGNED = "case.assigned"
    CASE_UNASSIGNED = "case.unassigned"
    CASE_ASSIGNMENT_SUSPENDED = "case.assignment_suspended"
    CASE_STAGE_CHANGED = "case.stage_changed"
    CASE_HELD = "case.held"
    CASE_HOLD_REVIEWED = "case.hold_reviewed"
    CASE_RESUMED = "case.resumed"
    CASE_MESSAGE_SENT = "case.message_sent"
    CASE_MESSAGE_RECEIVED = "case.message_received"
    CASE_MEASURE_RECORDED = "case.measure_recorded"
    CASE_MEASURE_REVIEWED = "case.measure_reviewed"
    CASE_MEASURE_ENDED = "case.measure_ended"
    CASE_RISK_EXCEPTION_REQUESTED = "case.risk_exception_requested"
    CASE_RISK_EXCEPTION_APPROVED = "case.risk_exception_approved"
    CASE_RISK_EXCEPTION_REVIEWED = "case.risk_exception_reviewed"
    CASE_RISK_EXCEPTION_ENDED = "case.risk_exception_ended"
    CASE_RESPONDENT_NOTIFIED = "case.respondent_notified"
    CASE_RESPONDENT_LINK_RESENT = "case.respondent_link_resent"
    CASE_RESPONDENT_OPENED = "case.respondent_opened"
    CASE_RESPONDENT_READ = "case.respondent_read"
    CASE_RESPONDENT_ANSWERED = "case.respondent_answered"
    CASE_FINDINGS_COMMENTED = "case.findings_commented"
    CASE_WITHDRAWN = "case.withdrawn"
    CONFLICT_DECLARED = "conflict.declared"

    # A record put on the case file, one member for each kind of record (cases.models.RecordKind)
    RECORD_ALLEGATIONS = "case.record_added.allegations"
    RECORD_EVIDENCE_NOTE = "case.record_added.evidence_note"
    RECORD_INTERVIEW = "case.record_added.interview"
    RECORD_FINDINGS = "case.record_added.findings"
    RECORD_ACCURACY_COMMENT = "case.record_added.accuracy_comment"
    RECORD_RESPONSE = "case.record_added.response"
    RECORD_APPEAL_GROUNDS = "case.record_added.appeal_grounds"
    RECORD_APPEAL_OUTCOME = "case.record_added.appeal_outcome"
    RECORD_HOLD = "case.record_added.hold"
    RECORD_REVIEW = "case.record_added.review"
    RECORD_RISK_EXCEPTION = "case.record_added.risk_exception"
    RECORD_TRANSITION = "case.record_added.transition"

    # Deadlines
    DEADLINE_SWEPT = "deadline.swept"

    # The complainant's receipt code and contact address
    RECEIPT_READ = "receipt.read"
    RECEIPT_REFUSED = "receipt.refused"
    RECEIPT_ENTRY_PAUSED = "receipt.entry_paused"
    RECEIPT_REISSUED = "receipt.reissued"
    RECEIPT_EMAIL_VERIFIED = "receipt.email_verified"

    # Reports taken by staff by phone or in person, and the reporter's check of the record
    REPORT_TAKEN_BY_PHONE = "report.taken_by_phone"
    REPORT_TAKEN_IN_PERSON = "report.taken_in_person"
    REPORT_RECEIPT_READ_OUT = "report.receipt_read_out"
    REPORT_RECEIPT_EMAILED = "report.receipt_emailed"
    REPORT_RECORD_SHOWN = "report.record_shown"
    REPORT_RECORD_CONFIRMED = "report.record_confirmed"
    REPORT_RECORD_CORRECTED = "report.record_corrected"

    # Escrow and the matching key service
    ESCROW_KEY_CREATED = "escrow.key_created"
    ESCROW_LODGED = "escrow.lodged"
    ESCROW_MATCHED = "escrow.matched"
    ESCROW_OPENED = "escrow.opened"
    ESCROW_CONVERTED = "escrow.converted"
    ESCROW_CONTACT_RECORDED = "escrow.contact_recorded"
    ESCROW_WITHDRAWN = "escrow.withdrawn"
    ESCROW_EVALUATED = "escrow.evaluated"

    # The sanctions register and vetting
    REGISTER_RECORDED = "register.recorded"
    REGISTER_CHANGED = "register.changed"
    REGISTER_WITHDRAWN = "register.withdrawn"
    REGISTER_READ = "register.read"
    VETTING_CHECKED = "vetting.checked"
    VETTING_FLAGGED = "vetting.flagged"

    # The directory of people
    DIRECTORY_IMPORTED = "directory.imported"

    # Retention of closed cases, and legal holds that stop it
    RETENTION_SHREDDED = "retention.shredded"
    HOLD_PLACED = "retention.hold_placed"
    HOLD_REVIEWED = "retention.hold_reviewed"
    HOLD_LIFTED = "retention.hold_lifted"

    # A confidential complainant's sealed identity, and the steps to read or disclose it
    IDENTITY_SEALED = "disclosure.identity_sealed"
    IDENTITY_ASKED = "disclosure.asked"
    IDENTITY_APPROVED = "disclosure.approved"
    IDENTITY_REFUSED = "disclosure.refused"
    IDENTITY_EXCEPTION_RECORDED = "disclosure.exception_recorded"
    IDENTITY_EXCEPTION_LIFTED = "disclosure.exception_lifted"
    IDENTITY_NOTICE_SENT = "disclosure.notice_sent"
    IDENTITY_READ = "disclosure.read"
    IDENTITY_DISCLOSED = "disclosure.disclosed"

    # The helpline: support requests from either party, contact, referrals
    SUPPORT_REQUESTED = "helpline.support_requested"
    SUPPORT_CONTACTED = "helpline.contacted"
    SUPPORT_REFERRED = "helpline.referred"
    SUPPORT_REFERRAL_OUTCOME = "helpline.referral_outcome"
    SUPPORT_CLOSED = "helpline.closed"

    # Keys, stored files and the ledger itself
    VAULT_KEY_SHREDDED = "vault.key_shredded"
    VAULT_KEK_ROTATED = "vault.kek_rotated"
    STORAGE_ORPHANS_REMOVED = "storage.orphans_removed"
    LEDGER_VERIFIED = "ledger.verified"

    # Subject access, erasure and rectification requests, answered by the data protection officer
    DATA_REQUEST_RECORDED = "subjectaccess.recorded"
    DATA_REQUEST_EXTENDED = "subjectaccess.extended"
    DATA_REQUEST_SEARCHED = "subjectaccess.searched"
    DATA_REQUEST_CASE_READ = "subjectaccess.case_read"
    DATA_REQUEST_READ = "subjectaccess.read"
    DATA_REQUEST_REDACTION_MARKED = "subjectaccess.redaction_marked"
    DATA_REQUEST_REDACTION_REMOVED = "subjectaccess.redaction_removed"
    DATA_REQUEST_CONSENT_RECORDED = "subjectaccess.consent_recorded"
    DATA_REQUEST_ASSEMBLED = "subjectaccess.assembled"
    DATA_REQUEST_APPROVED = "subjectaccess.approved"
    DATA_REQUEST_RELEASED = "subjectaccess.released"
    DATA_REQUEST_DOWNLOADED = "subjectaccess.downloaded"
    DATA_REQUEST_REFUSED = "subjectaccess.refused"

    @classmethod
    def record_added(cls, kind: str) -> Action:
        """The member for a record of ``kind`` put on a case file; ValueError if unknown."""
        return cls(f"case.record_added.{kind}")
