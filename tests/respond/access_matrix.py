"""Access-matrix rows for the respondent's pages: open to all, a link or a session decides."""

from tests.accounts.visitors import same_for_all

ROWS = {
    "respond:case": ("/respond/", same_for_all(200)),
    "respond:open": ("/respond/open/forged", same_for_all(400)),
    "respond:new-link": ("/respond/new-link", same_for_all(200)),
    "respond:leave": ("/respond/leave", same_for_all(405)),
}
