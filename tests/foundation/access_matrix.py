"""Access-matrix rows for the public information pages: open to everyone."""

from tests.accounts.visitors import same_for_all

ROWS = {
    "public:outside-bodies": ("/outside-bodies", same_for_all(200)),
}
