"""API-matrix rows for vetting checks: (no token, every scope, statistics only). The matrix's
POST has no body (400); check 1 was not made by the calling token (404)."""

ROWS = {
    ("POST", "/api/vetting-checks"): (401, 400, 403),
    ("GET", "/api/vetting-checks/{check_id}"): (401, 422, 403),
}
