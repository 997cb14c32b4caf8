"""Walk the report wizard as a complainant would, with the Django test client."""

from __future__ import annotations

import re

from django.test import Client

ANSWERS = {
    "what-happened": {"what_happened": "He said my job depended on keeping quiet."},
    "category": {"category": "harassment"},
    "who": {"respondent_id": "not-listed", "respondent_description": "A senior member"},
    "when": {"when_kind": "not_sure"},
    "where": {"where": "The committee corridor"},
    "witnesses": {"witnesses": ""},
    "impact": {"impact": "I could not sleep."},
    "outcome": {"outcome": "For it to stop."},
    "support": {"support": "yes"},
    "identity": {"identity": "anonymous"},
}


def fill_report(client: Client, **overrides: dict[str, str]) -> None:
    """Answer every step (evidence skipped), ending on check your answers."""
    client.get("/report/start")
    for slug, answer in {**ANSWERS, **overrides}.items():
        response = client.post(f"/report/{slug}", answer)
        assert response.status_code == 302, (slug, response.content.decode()[:2000])
    client.post("/report/evidence", {"continue": "1"})


def receipt_on(page: str) -> str:
    match = re.search(r'id="receipt-code">([0-9A-Z-]+)<', page)
    assert match, "no receipt code on the page"
    return match.group(1)
