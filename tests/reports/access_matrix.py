"""Access-matrix rows for the statistics pages: oversight only."""

from redress.accounts.models import Role
from tests.accounts.visitors import roles_only

ROWS = {
    "staff:oversight": ("/staff/oversight", roles_only(Role.OVERSIGHT)),
    "staff:statistics": ("/staff/statistics", roles_only(Role.OVERSIGHT)),
    "staff:statistics-csv": ("/staff/statistics.csv", roles_only(Role.OVERSIGHT)),
}
