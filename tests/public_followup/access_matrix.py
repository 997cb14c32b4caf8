"""Access-matrix rows for the complainant's proof: open to all, and without a code it leads back
to the code page."""

from tests.accounts.visitors import same_for_all

ROWS = {
    "public:report-proof-download": ("/check/acknowledgement", same_for_all(302)),
    "public:report-proof-renew": ("/check/proof", same_for_all(302)),
}
