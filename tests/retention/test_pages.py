"""Oversight's retention pages: what will be deleted in the next 30 days (never content), and
placing, reviewing and lifting holds, with bad input refused in the page and nothing stored."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from redress.accounts.models import Role
from redress.cases import actions as cases
from redress.cases.models import AssignmentRole
from redress.ledger.models import Entry
from redress.retention import actions
from redress.retention.models import LegalHold
from tests.factories import make_staff, sign_in
from tests.retention.helpers import SECRET, closed_case, person

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2024, 6, 1, 9, tzinfo=dt.UTC)


@pytest.fixture
def oversight(client: Client) -> Client:
    sign_in(client, make_staff("olive", Role.OVERSIGHT))
    return client


def test_the_page_lists_what_will_be_deleted_soon_without_content(oversight: Client) -> None:
    with time_machine.travel(NOW, tick=True):
        soon = closed_case("not_taken_forward", dt.date(2022, 6, 20))
        later = closed_case("not_taken_forward", dt.date(2022, 8, 20))
        page = oversight.get("/staff/retention")
    text = page.content.decode()
    assert page.status_code == 200
    assert soon.reference in text
    assert "20 June 2024" in text
    assert later.reference not in text
    assert SECRET not in text


def test_oversight_places_reviews_and_lifts_a_hold(oversight: Client) -> None:
    with time_machine.travel(NOW, tick=True):
        case = closed_case("not_taken_forward", dt.date(2022, 6, 20))
        page = oversight.post(
            "/staff/retention/holds/new",
            {"case": case.reference, "reason": "A claim is expected", "review_on": "2024-09-01"},
        )
        assert page.status_code == 302
        hold = LegalHold.objects.get()
        assert hold.case == case
        listing = oversight.get("/staff/retention").content.decode()
        assert "A claim is expected" in listing
        assert f'<th scope="row" class="govuk-table__header">{case.reference}</th>' not in (listing)
        page = oversight.post(
            f"/staff/retention/holds/{hold.pk}/review",
            {"reason": "Still expected", "review_on": "2024-12-01"},
        )
        assert page.status_code == 302
        page = oversight.post(f"/staff/retention/holds/{hold.pk}/lift", {"reason": "Settled"})
        assert page.status_code == 302
        assert oversight.get(f"/staff/retention/holds/{hold.pk}/lift").status_code == 404
    assert Entry.objects.filter(action__startswith="retention.hold").count() == 3


def test_a_hold_on_a_person_from_the_directory(oversight: Client) -> None:
    with time_machine.travel(NOW, tick=True):
        member = person()
        page = oversight.post(
            "/staff/retention/holds/new",
            {"person": member.identifier, "reason": "An inquiry", "review_on": "2024-09-01"},
        )
    assert page.status_code == 302
    assert LegalHold.objects.get().person == member


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"reason": "Claim", "review_on": "2024-09-01"}, "not both"),
        ({"case": "RX-NONE", "reason": "Claim", "review_on": "2024-09-01"}, "no case"),
        ({"person": "nobody", "reason": "Claim", "review_on": "2024-09-01"}, "nobody in"),
        ({"case": "{ref}", "reason": "", "review_on": "2024-09-01"}, "Enter the reason"),
        ({"case": "{ref}", "reason": "Claim", "review_on": "2024-01-01"}, "in the future"),
        ({"case": "{ref}", "reason": "Claim", "review_on": "soon"}, "real date"),
        ({"case": "{ref}", "reason": "Claim", "review_on": "2024-09-01"}, "already deleted"),
    ],
)
def test_bad_holds_are_refused_in_the_page(oversight: Client, form: dict, message: str) -> None:
    with time_machine.travel(NOW, tick=True):
        case = closed_case("not_taken_forward", dt.date(2020, 1, 6))
        if message == "already deleted":
            actions.apply(actor="system:test")
        before = Entry.objects.count()
        data = {key: value.replace("{ref}", case.reference) for key, value in form.items()}
        page = oversight.post("/staff/retention/holds/new", data)
    text = page.content.decode()
    assert page.status_code == 400
    assert "govuk-error-summary" in text
    assert message in text
    if data.get("reason"):
        assert data["reason"] in text
    assert not LegalHold.objects.exists()
    assert Entry.objects.count() == before


def test_others_are_refused(client: Client) -> None:
    sign_in(client, make_staff("carl", Role.CASEWORKER))
    assert client.get("/staff/retention").status_code == 403
    assert client.post("/staff/retention/holds/new", {}).status_code == 403


def test_the_page_speaks_welsh(oversight: Client) -> None:
    oversight.get("/language/cy?next=/")
    page = oversight.get("/staff/retention", HTTP_ACCEPT_LANGUAGE="cy")
    assert "Daliadau cyfreithiol" in page.content.decode()


def test_a_handler_still_sees_the_skeleton_of_a_shredded_case(client: Client) -> None:
    caseworker = make_staff("carl", Role.CASEWORKER)
    with time_machine.travel(NOW, tick=True):
        case = closed_case("not_taken_forward", dt.date(2020, 1, 6))
        cases.assign(case, caseworker, AssignmentRole.CASEWORKER, actor="system:test")
        actions.apply(actor="system:test")
        sign_in(client, caseworker)
        page = client.get(f"/staff/cases/{case.reference}")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Deleted under the retention policy" in text
    assert SECRET not in text
    assert "A further thing happened" not in text
