"""Access-matrix rows for reports taken by phone or in person: taking one is for support
advisers and caseworkers only; checking its record needs the receipt code, so without one the
page leads back to the code page."""

from redress.accounts.models import Role
from tests.accounts.visitors import roles_only, same_for_all

ROWS = {
    "staff:report-new": (
        "/staff/reports/new",
        roles_only(Role.SUPPORT_ADVISER, Role.CASEWORKER),
    ),
    "public:report-confirm-record": ("/check/record", same_for_all(302)),
}
