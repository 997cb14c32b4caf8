"""Access-matrix rows for the caseworker console. Nobody is assigned to a case that does not
exist, so every per-case route refuses everyone alike: existence is not revealed."""

from redress.accounts.models import Role
from tests.accounts.visitors import roles_only, same_for_all, staff_only

HANDLERS = (Role.CASEWORKER, Role.INVESTIGATOR, Role.DECISION_MAKER, Role.APPEALS_PANEL)
CASE = "/staff/cases/R-0000-0000"

ROWS = {
    "staff:queue": ("/staff/cases", roles_only(*HANDLERS)),
    "staff:conflicts": ("/staff/conflicts", roles_only(*HANDLERS)),
    "staff:case": (CASE, staff_only(403)),
    "staff:case-take": (f"{CASE}/take", staff_only(403)),
    "staff:case-messages": (f"{CASE}/messages", staff_only(403)),
    "staff:case-file": (f"{CASE}/file", staff_only(403)),
    "staff:case-evidence-list": (f"{CASE}/evidence/all", staff_only(403)),
    "staff:case-history": (f"{CASE}/history", staff_only(403)),
    "staff:case-move": (f"{CASE}/move", staff_only(403)),
    "staff:case-message": (f"{CASE}/message", staff_only(403)),
    "staff:case-record": (f"{CASE}/record", staff_only(403)),
    "staff:case-evidence": (f"{CASE}/evidence", staff_only(403)),
    "staff:case-evidence-file": (f"{CASE}/evidence/1", staff_only(403)),
    "staff:case-evidence-pages": (f"{CASE}/evidence/1/pages", staff_only(403)),
    "staff:case-evidence-page": (f"{CASE}/evidence/1/pages/1", staff_only(403)),
    "staff:case-measure": (f"{CASE}/measures", staff_only(403)),
    "staff:case-measure-review": (f"{CASE}/measures/1/review", staff_only(403)),
    "staff:case-assign": (f"{CASE}/assign", staff_only(403)),
    "staff:case-unassign": (f"{CASE}/assignments/1/end", staff_only(403)),
    "staff:case-hold": (f"{CASE}/hold", staff_only(403)),
    "staff:case-hold-review": (f"{CASE}/hold/review", staff_only(403)),
    "staff:case-resume": (f"{CASE}/hold/end", staff_only(403)),
    "staff:case-risk": (f"{CASE}/risk", staff_only(403)),
    "staff:case-risk-decide": (f"{CASE}/risk/1", staff_only(403)),
    "staff:case-notify": (f"{CASE}/notify", staff_only(403)),
    "staff:case-appeal": (f"{CASE}/appeal", staff_only(403)),
    "staff:case-decide": (f"{CASE}/decision", staff_only(403)),
    # The case API answers tokens, not sessions (its own matrix is in api_access_matrix).
    "api:case_queue": ("/api/cases", same_for_all(401)),
    "api:case_detail": ("/api/cases/R-0000-0000", same_for_all(401)),
    "api:case_transition": ("/api/cases/R-0000-0000/transitions", same_for_all(405)),
    "api:case_appeal_decision": (
        "/api/cases/R-0000-0000/appeal-decision",
        same_for_all(405),
    ),
}
