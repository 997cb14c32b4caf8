"""A confidential complainant's identity is sealed apart from the case, yet their own subject
access request still finds the case they reported."""

from __future__ import annotations

import pytest

from redress.cases import actions as case_actions
from redress.cases.models import Category, Identity
from redress.disclosure import actions
from redress.subjectaccess.models import Finding
from redress.subjectaccess.search import search
from tests.subjectaccess.helpers import officer, request_for

pytestmark = pytest.mark.django_db

NAME = "Eluned Fairbrother"


def test_a_subject_access_search_finds_a_confidential_complainants_case() -> None:
    case = case_actions.receive(
        category=Category.BULLYING, identity=Identity.CONFIDENTIAL, narrative="It happened."
    )
    actions.seal(case, {"name": NAME, "email": "eluned@example.org"})
    dpo = officer()
    request = request_for(NAME, actor=dpo, email="eluned@example.org")
    search(request, actor=dpo)
    found = Finding.objects.filter(request=request)
    assert case.pk in {finding.case_id for finding in found}
