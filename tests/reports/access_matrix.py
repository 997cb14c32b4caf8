"""Access-matrix rows for the statistics pages: oversight's, and the published ones anyone may
read without signing in."""

from redress.accounts.models import Role
from tests.accounts.visitors import roles_only, same_for_all

ROWS = {
    "staff:oversight": ("/staff/oversight", roles_only(Role.OVERSIGHT)),
    "staff:statistics": ("/staff/statistics", roles_only(Role.OVERSIGHT)),
    "staff:statistics-csv": ("/staff/statistics.csv", roles_only(Role.OVERSIGHT)),
    "staff:record-of-processing": (
        "/staff/record-of-processing",
        roles_only(Role.DATA_PROTECTION_OFFICER, Role.OVERSIGHT),
    ),
    "staff:record-of-processing-csv": (
        "/staff/record-of-processing.csv",
        roles_only(Role.DATA_PROTECTION_OFFICER, Role.OVERSIGHT),
    ),
    "public:statistics": ("/statistics", same_for_all(200)),
    "public:statistics-csv": ("/statistics.csv", same_for_all(200)),
}
