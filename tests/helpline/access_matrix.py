"""Access-matrix rows for the helpline: support advisers only. No request 999 exists, so an
adviser is answered 404 there and everyone else 403. The parties ask for support from their own
pages, which send anyone without a report or a respondent's link open back to sign in there."""

from redress.accounts.models import Role
from tests.accounts.visitors import roles_only, same_for_all

_ADVISER = str(Role.SUPPORT_ADVISER)


def _missing(path: str) -> tuple[str, dict[str, int]]:
    return (path, {**roles_only(Role.SUPPORT_ADVISER), _ADVISER: 404})


ROWS = {
    "staff:helpline": ("/staff/helpline", roles_only(Role.SUPPORT_ADVISER)),
    "staff:helpline-counts": ("/staff/helpline/numbers", roles_only(Role.OVERSIGHT)),
    "staff:helpline-request": _missing("/staff/helpline/999"),
    "staff:helpline-contact": _missing("/staff/helpline/999/contact"),
    "staff:helpline-refer": _missing("/staff/helpline/999/refer"),
    "staff:helpline-outcome": _missing("/staff/helpline/999/referrals/1/outcome"),
    "staff:helpline-close": _missing("/staff/helpline/999/close"),
    "public:report-support": ("/check/support", same_for_all(302)),
    "respond:support": ("/respond/support", same_for_all(302)),
}
