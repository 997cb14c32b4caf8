"""Access-matrix rows for taking a report given by phone or in person: support advisers and
caseworkers only."""

from redress.accounts.models import Role
from tests.accounts.visitors import roles_only

ROWS = {
    "staff:report-new": (
        "/staff/reports/new",
        roles_only(Role.SUPPORT_ADVISER, Role.CASEWORKER),
    ),
}
