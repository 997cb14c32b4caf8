"""Access-matrix rows for data protection requests: data protection officers only. No request
999 exists, so an officer is answered 404 there and everyone else 403. A release link that
was never issued is answered 404 to everyone."""

from redress.accounts.models import Role
from tests.accounts.visitors import roles_only, same_for_all


def _missing(path: str) -> tuple[str, dict[str, int]]:
    officer = Role.DATA_PROTECTION_OFFICER
    return (path, {**roles_only(officer), str(officer): 404})


ROWS = {
    "staff:data-requests": ("/staff/data-requests", roles_only(Role.DATA_PROTECTION_OFFICER)),
    "staff:data-request-new": (
        "/staff/data-requests/new",
        roles_only(Role.DATA_PROTECTION_OFFICER),
    ),
    "staff:data-request": _missing("/staff/data-requests/999"),
    "staff:data-request-search": _missing("/staff/data-requests/999/search"),
    "staff:data-request-finding": _missing("/staff/data-requests/999/findings/999"),
    "staff:data-request-unredact": _missing(
        "/staff/data-requests/999/findings/999/redactions/999/remove"
    ),
    "staff:data-request-extend": _missing("/staff/data-requests/999/extend"),
    "staff:data-request-consent": _missing("/staff/data-requests/999/consent"),
    "staff:data-request-assemble": _missing("/staff/data-requests/999/assemble"),
    "staff:data-request-approve": _missing("/staff/data-requests/999/approve"),
    "staff:data-request-release": _missing("/staff/data-requests/999/release"),
    "staff:data-request-refuse": _missing("/staff/data-requests/999/refuse"),
    "public:data-request": ("/data-request/forged", same_for_all(404)),
}
