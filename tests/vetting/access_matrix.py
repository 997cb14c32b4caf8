"""Access-matrix rows for the vetting officer's pages."""

from redress.accounts.models import Role
from tests.accounts.visitors import roles_only, same_for_all, staff_only

ROWS = {
    "staff:vetting": ("/staff/vetting", roles_only(Role.VETTING_OFFICER)),
    "staff:vetting-new": ("/staff/vetting/new", roles_only(Role.VETTING_OFFICER)),
    # No check 1 exists: refused alike, without saying so.
    "staff:vetting-check": ("/staff/vetting/1", staff_only(403)),
    "api:make_check": ("/api/vetting-checks", same_for_all(405)),
    "api:read_check": ("/api/vetting-checks/1", same_for_all(401)),
}
