"""Every change to a case is one function here, atomic, with the actor as a required keyword,
and the ledger entry written in the same transaction as the change.

One module a topic; the public names are gathered here, so ``actions.assign(...)`` reads the
same wherever the act lives.
"""

from redress.cases.actions.appeals import appeal_closes_on, decide_appeal, lodge_appeal
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
    attach,
    comment_on_findings,
    send_message_to_complainant,
)
from redress.cases.actions.creation import (
    CaseContent,
    build_case,
    new_reference,
    open_case,
    receive,
    received_entry,
    record_received,
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
from redress.cases.actions.reading import read_content
from redress.cases.actions.respondent import (
    INVITATION_LIFETIME,
    answer_as_respondent,
    invitation_digest,
    invitation_for,
    notify_respondent,
    record_respondent_read,
    records_for_respondent,
    resend_invitation,
)
from redress.cases.actions.transitions import transition
from redress.cases.actions.withdrawal import withdraw

__all__ = [
    "COMPLAINANT",
    "HANDLERS",
    "INVITATION_LIFETIME",
    "RESPONDENT",
    "CaseContent",
    "CaseError",
    "IllegalTransition",
    "add_record",
    "answer_as_respondent",
    "appeal_closes_on",
    "approve_risk_exception",
    "assign",
    "attach",
    "build_case",
    "comment_on_findings",
    "decide_appeal",
    "declare_conflict",
    "invitation_digest",
    "invitation_for",
    "live_roles",
    "lodge_appeal",
    "new_reference",
    "notify_respondent",
    "open_case",
    "put_on_hold",
    "read_content",
    "receive",
    "received_entry",
    "record_measure",
    "record_received",
    "record_respondent_read",
    "records_for_respondent",
    "request_risk_exception",
    "resend_invitation",
    "resume",
    "review_hold",
    "review_measure",
    "review_risk_exception",
    "send_message_to_complainant",
    "transition",
    "unassign",
    "withdraw",
]
