"""Every change to a case is one function here, atomic, with the actor as a required keyword,
and the ledger entry written in the same transaction as the change.

One module a topic; the public names are gathered here, so ``actions.assign(...)`` reads the
same wherever the act lives.
"""

from redress.cases.actions.appeals import (
    AppealTold,
    appeal_closes_on,
    appeal_told,
    decide_appeal,
    lodge_appeal,
)
from redress.cases.actions.base import (
    COMPLAINANT,
    HANDLERS,
    RESPONDENT,
    CaseError,
    IllegalTransition,
    live_roles,
)
from redress.cases.actions.case_file import (
    add_record,
    comment_on_findings,
    receive_message_from_complainant,
    send_message_to_complainant,
    send_support_message_to_complainant,
)
from redress.cases.actions.creation import new_reference, receive
from redress.cases.actions.evidence import (
    MAX_COMPLAINANT_FILES,
    CaseFull,
    ReportClosed,
    SealedFile,
    attach,
    complainant_files,
)
from redress.cases.actions.handlers import assign, declare_conflict, unassign
from redress.cases.actions.hold import put_on_hold, resume, review_hold
from redress.cases.actions.interim import (
    approve_risk_exception,
    record_measure,
    request_risk_exception,
    review_measure,
    review_risk_exception,
)
from redress.cases.actions.reading import read_content, read_evidence
from redress.cases.actions.respondent import (
    INVITATION_LIFETIME,
    answer_as_respondent,
    answering_open,
    invitation_digest,
    invitation_for,
    notify_respondent,
    record_respondent_read,
    records_for_respondent,
    resend_invitation,
)
from redress.cases.actions.transitions import fitting_decisions, transition
from redress.cases.actions.withdrawal import withdraw, withdrawal_open
from redress.cases.cleaning import Cleaning

__all__ = [
    "COMPLAINANT",
    "HANDLERS",
    "INVITATION_LIFETIME",
    "MAX_COMPLAINANT_FILES",
    "RESPONDENT",
    "AppealTold",
    "CaseError",
    "CaseFull",
    "Cleaning",
    "IllegalTransition",
    "ReportClosed",
    "SealedFile",
    "add_record",
    "answer_as_respondent",
    "answering_open",
    "appeal_closes_on",
    "appeal_told",
    "approve_risk_exception",
    "assign",
    "attach",
    "comment_on_findings",
    "complainant_files",
    "decide_appeal",
    "declare_conflict",
    "fitting_decisions",
    "invitation_digest",
    "invitation_for",
    "live_roles",
    "lodge_appeal",
    "new_reference",
    "notify_respondent",
    "put_on_hold",
    "read_content",
    "read_evidence",
    "receive",
    "receive_message_from_complainant",
    "record_measure",
    "record_respondent_read",
    "records_for_respondent",
    "request_risk_exception",
    "resend_invitation",
    "resume",
    "review_hold",
    "review_measure",
    "review_risk_exception",
    "send_message_to_complainant",
    "send_support_message_to_complainant",
    "transition",
    "unassign",
    "withdraw",
    "withdrawal_open",
]
