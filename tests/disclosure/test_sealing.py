"""A confidential complainant's identity is sealed apart from the case: not in its content, not
on the staff case page, under a key of its own, and shredded with the case."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from redress.cases.models import Case, Identity
from redress.demo import data
from redress.disclosure import actions
from redress.disclosure.models import SealedIdentity
from redress.ledger.models import Entry
from redress.retention import actions as retention
from redress.vault.errors import Shredded
from redress.vault.models import DataKey
from tests.cases.helpers import new_case
from tests.disclosure.helpers import setting, signed_in
from tests.respond.journey import EMAIL, NAME, PHONE

pytestmark = pytest.mark.django_db


def test_the_identity_is_kept_out_of_the_case_and_its_staff_page() -> None:
    s = setting()
    case = Case.objects.get(pk=s.journey.case.pk)
    details = case.details or ""
    for secret in (NAME, EMAIL, PHONE):
        assert secret not in details
    row = SealedIdentity.objects.get(case=case)
    assert row.data_key_id != case.data_key_id
    assert json.loads(row.identity or "{}") == {"name": NAME, "email": EMAIL, "phone": PHONE}
    assert Entry.objects.filter(action="disclosure.identity_sealed").count() == 1
    client = signed_in(s.caseworker)
    page = client.get(f"/staff/cases/{case.reference}").content.decode()
    assert case.reference in page
    for secret in (NAME, EMAIL, PHONE):
        assert secret not in page


def test_named_and_anonymous_complainants_have_nothing_sealed() -> None:
    case = new_case()
    assert case.identity == Identity.NAMED
    assert not SealedIdentity.objects.exists()
    with pytest.raises(actions.DisclosureError):
        actions.seal(case, {"name": "Jo"})


def test_a_second_identity_for_the_same_case_is_refused() -> None:
    s = setting()
    with pytest.raises(actions.DisclosureError):
        actions.seal(s.journey.case, {"name": "Someone Else"})
    assert SealedIdentity.objects.count() == 1


def test_shredding_the_case_destroys_the_sealed_identity() -> None:
    s = setting()
    case = s.journey.case
    Case.objects.filter(pk=case.pk).update(stage="closed", decision="not_upheld")
    retention.apply(dt.date.today() + dt.timedelta(days=5000), actor="system:test")
    row = SealedIdentity.objects.select_related("data_key").get(case=case)
    assert DataKey.objects.get(pk=row.data_key_id).shredded_at is not None
    fresh = SealedIdentity.objects.get(pk=row.pk)
    with pytest.raises(Shredded):
        _ = fresh.identity
    assert actions.status_for(case).deleted


def test_the_demo_seals_its_confidential_complainants() -> None:
    call_command("demo", stdout=io.StringIO())
    confidential = Case.objects.filter(identity=Identity.CONFIDENTIAL)
    assert confidential.count() == SealedIdentity.objects.count() == len(data.SEALED_IDENTITIES)
    for case in confidential:
        assert "Pendleford" not in (case.details or "")
        assert "Orrell" not in (case.details or "")
        assert actions.status_for(case).sealed
