"""A complainant who goes ahead from escrow is confidential: the address they gave is sealed
apart from the case, like any confidential complainant's."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from redress.cases.models import Case
from redress.disclosure import actions
from tests.escrow.test_pages import lodge_through_pages, setup  # noqa: F401

pytestmark = pytest.mark.django_db


def test_going_ahead_from_escrow_seals_the_address(  # type: ignore[no-untyped-def]
    setup,  # noqa: F811
    django_capture_on_commit_callbacks,
) -> None:
    ann = Client()
    code = lodge_through_pages(ann, "ann@example.org", django_capture_on_commit_callbacks)
    assert ann.post("/escrow/check", {"code": code}).status_code == 302
    made = ann.post(
        "/escrow/entry",
        {
            "category": "harassment",
            "report": "What happened to me.",
            "email": "ann@example.org",
            "respondent": "M-5",
        },
    )
    assert made.status_code == 302
    case = Case.objects.get()
    assert "ann@example.org" not in (case.details or "")
    assert json.loads(case.details or "{}") == {"from_escrow": True}
    assert actions.contact_email(case) == "ann@example.org"
