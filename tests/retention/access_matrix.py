"""Access-matrix rows for retention and legal holds: oversight only. No hold 999 exists, so
oversight is answered 404 there and everyone else 403."""

from redress.accounts.models import Role
from tests.accounts.visitors import roles_only

ROWS = {
    "staff:retention": ("/staff/retention", roles_only(Role.OVERSIGHT)),
    "staff:retention-hold-new": ("/staff/retention/holds/new", roles_only(Role.OVERSIGHT)),
    "staff:retention-hold-review": (
        "/staff/retention/holds/999/review",
        {**roles_only(Role.OVERSIGHT), str(Role.OVERSIGHT): 404},
    ),
    "staff:retention-hold-lift": (
        "/staff/retention/holds/999/lift",
        {**roles_only(Role.OVERSIGHT), str(Role.OVERSIGHT): 404},
    ),
}
