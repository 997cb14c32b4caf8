"""Access-matrix rows for escrow: the complainant's pages (open to all) and the counsellor's."""

from redress.accounts.models import Role
from tests.accounts.visitors import roles_only, same_for_all

ROWS = {
    "public:escrow-start": ("/escrow", same_for_all(200)),
    "public:escrow-confirm": ("/escrow/confirm/forged", same_for_all(400)),
    "public:escrow-check": ("/escrow/check", same_for_all(200)),
    "public:escrow-status": ("/escrow/entry", same_for_all(302)),
    "public:escrow-delete": ("/escrow/delete", same_for_all(405)),
    "staff:escrow": ("/staff/escrow", roles_only(Role.ESCROW_COUNSELLOR)),
    # No match 1 exists: the counsellor gets 404; everyone else is refused first.
    "staff:escrow-match": (
        "/staff/escrow/matches/1",
        {**roles_only(Role.ESCROW_COUNSELLOR), str(Role.ESCROW_COUNSELLOR): 404},
    ),
    # A GET is refused (405) to those let through; everyone else is refused first.
    "staff:escrow-contacted": (
        "/staff/escrow/matches/1/entries/1/contacted",
        {**roles_only(Role.ESCROW_COUNSELLOR), str(Role.ESCROW_COUNSELLOR): 405},
    ),
}
