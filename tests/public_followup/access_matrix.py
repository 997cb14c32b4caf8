"""Access-matrix rows for the complainant's proof: open to all, and without a code it leads back
to the code page."""

from tests.accounts.visitors import same_for_all

ROWS = {
    "public:report-proof-download": ("/check/acknowledgement", same_for_all(302)),
    "public:report-proof-renew": ("/check/proof", same_for_all(302)),
    "public:report-proof-page": ("/check/acknowledgement/read", same_for_all(302)),
    "public:report-proof-pdf": ("/check/acknowledgement/pdf", same_for_all(302)),
    # Just after reporting, only in the browser that sent the report.
    "public:report-acknowledgement-page": ("/report/acknowledgement/read", same_for_all(404)),
    "public:report-acknowledgement-pdf": ("/report/acknowledgement/pdf", same_for_all(404)),
}
