"""Access-matrix rows for the sealed identity pages. Nobody is assigned to a case that does not
exist and no request 999 exists, so those routes refuse everyone alike; the list of waiting
requests is for the data protection officer and decision-makers."""

from redress.accounts.models import Role
from tests.accounts.visitors import roles_only, staff_only

CASE = "/staff/cases/R-0000-0000"

ROWS = {
    "staff:case-identity": (f"{CASE}/identity", staff_only(403)),
    "staff:case-identity-notify": (f"{CASE}/identity/1/notify", staff_only(403)),
    "staff:case-identity-reveal": (f"{CASE}/identity/1/show", staff_only(403)),
    "staff:identity-requests": (
        "/staff/identity-requests",
        roles_only(Role.DATA_PROTECTION_OFFICER, Role.DECISION_MAKER),
    ),
    "staff:identity-request": ("/staff/identity-requests/999", staff_only(403)),
    "staff:identity-request-lift": ("/staff/identity-requests/999/lift", staff_only(403)),
}
