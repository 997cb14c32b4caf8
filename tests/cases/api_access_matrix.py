"""API-matrix rows for the case queue and transitions: (no token, every scope, statistics only).

A token holder with no assigned cases gets an empty queue; a case nobody assigned them is 404;
the matrix's POST has no body, so it is refused as invalid (400)."""

ROWS = {
    ("GET", "/api/cases"): (401, 200, 403),
    ("GET", "/api/cases/{reference}"): (401, 404, 403),
    ("POST", "/api/cases/{reference}/transitions"): (401, 400, 403),
    ("POST", "/api/cases/{reference}/appeal-decision"): (401, 400, 403),
}
