"""Access-matrix rows for the published log under /log/: open to everyone alike, signed in or
not. With no checkpoint published yet, the checkpoint and every tile are 404."""

from tests.accounts.visitors import same_for_all

ROWS = {
    "log:checkpoint": ("/log/checkpoint", same_for_all(404)),
    "log:vkey": ("/log/vkey", same_for_all(200)),
    "log:tile": ("/log/tile/0/000.p/1", same_for_all(404)),
    "log:entries": ("/log/tile/entries/000.p/1", same_for_all(404)),
    "log:unknown": ("/log/", same_for_all(404)),
}
