"""Access-matrix rows for the sanctions register's review page: oversight only."""

from redress.accounts.models import Role
from tests.accounts.visitors import roles_only

ROWS = {
    "staff:register": ("/staff/register", roles_only(Role.OVERSIGHT)),
}
