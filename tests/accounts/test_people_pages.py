"""The people pages: granting, removing, approving and closing on the console, each refused
with a plain message and nothing stored; the access review for oversight."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from redress.accounts import leaving, roles
from redress.accounts.models import Role, RoleGrant, RoleRequest, User
from redress.cases.models import DirectoryLink
from redress.directory.models import Person, PersonKind
from redress.ledger.models import Entry
from tests.factories import make_staff, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> User:
    return make_staff("ada", Role.ADMINISTRATOR)


@pytest.fixture
def client(admin: User) -> Client:
    client = Client()
    sign_in(client, admin)
    return client


def test_an_administrator_grants_a_role_and_sees_it_by_its_label(
    admin: User, client: Client
) -> None:
    cal = make_staff("cal", password=None)
    response = client.post(
        f"/staff/people/{cal.pk}/grant", {"role": "decision_maker", "reason": "Commissioner"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/staff/people/{cal.pk}"
    grant = RoleGrant.objects.get(user=cal)
    assert (grant.role, grant.granted_by, grant.reason) == ("decision_maker", admin, "Commissioner")
    page = client.get(f"/staff/people/{cal.pk}").content.decode()
    assert "Decision-maker" in page
    assert "decision_maker" not in page
    assert "granted by ada" in page
    listing = client.get("/staff/people").content.decode()
    assert "Decision-maker" in listing
    assert "decision_maker" not in listing


def test_a_member_is_refused_a_handling_role_with_the_input_kept(client: Client) -> None:
    cal = make_staff("cal", password=None)
    person = Person.objects.create(identifier="M-1", name="Morgan", kind=PersonKind.MEMBER)
    DirectoryLink.objects.create(user=cal, person=person)
    entries = Entry.objects.count()
    response = client.post(
        f"/staff/people/{cal.pk}/grant", {"role": "caseworker", "reason": "Short of hands"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Members and party officials can never hold the role Caseworker" in page
    assert "Short of hands" in page
    assert not RoleGrant.objects.filter(user=cal).exists()
    assert Entry.objects.count() == entries


def test_a_form_without_a_role_or_reason_stores_nothing(client: Client) -> None:
    cal = make_staff("cal", password=None)
    response = client.post(f"/staff/people/{cal.pk}/grant", {"role": "", "reason": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Select the role to grant" in page
    assert "Enter the reason" in page
    assert not RoleGrant.objects.filter(user=cal).exists()


def test_oversight_waits_for_a_second_administrator_who_is_not_the_one_who_asked(
    admin: User, client: Client
) -> None:
    cal = make_staff("cal", password=None)
    response = client.post(
        f"/staff/people/{cal.pk}/grant", {"role": "oversight", "reason": "Audit committee"}
    )
    assert response.status_code == 302
    assert not RoleGrant.objects.filter(user=cal).exists()
    asked = RoleRequest.objects.get(user=cal)
    assert "Oversight" in client.get("/staff/people/requests").content.decode()
    # The administrator who asked cannot approve it: a plain message, nothing changes.
    response = client.post(f"/staff/people/requests/{asked.pk}", {"decision": "approve"})
    assert response.status_code == 400
    assert "another administrator must approve it" in response.content.decode()
    assert not RoleGrant.objects.filter(user=cal).exists()
    second = make_staff("bea", Role.ADMINISTRATOR)
    other = Client()
    sign_in(other, second)
    response = other.post(f"/staff/people/requests/{asked.pk}", {"decision": "approve"})
    assert response.status_code == 302
    assert RoleGrant.objects.get(user=cal).granted_by == second
    assert client.get(f"/staff/people/requests/{asked.pk}").status_code == 404


def test_a_request_is_refused_with_a_reason(admin: User, client: Client) -> None:
    cal = make_staff("cal", password=None)
    asked = roles.request(cal, Role.ADMINISTRATOR, actor=admin, reason="Deputy")
    response = client.post(f"/staff/people/requests/{asked.pk}", {"decision": "refuse"})
    assert response.status_code == 400
    assert "Enter the reason" in response.content.decode()
    response = client.post(
        f"/staff/people/requests/{asked.pk}", {"decision": "refuse", "reason": "Not now"}
    )
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.approved is False


def test_a_role_is_removed_with_a_reason(admin: User, client: Client) -> None:
    cal = make_staff("cal", Role.CASEWORKER, password=None)
    grant = RoleGrant.objects.get(user=cal)
    path = f"/staff/people/{cal.pk}/roles/{grant.pk}/remove"
    assert "Remove the role Caseworker" in client.get(path).content.decode()
    response = client.post(path, {"reason": "Moved team"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.revoke_reason == "Moved team"
    assert client.get(path).status_code == 404


def test_the_last_administrators_role_and_account_stay(admin: User, client: Client) -> None:
    grant = RoleGrant.objects.get(user=admin)
    response = client.post(
        f"/staff/people/{admin.pk}/roles/{grant.pk}/remove", {"reason": "Stepping down"}
    )
    assert response.status_code == 400
    assert "This is the last administrator" in response.content.decode()
    response = client.post(
        f"/staff/people/{admin.pk}/deactivate", {"reason": "Leaving", "confirm": "on"}
    )
    assert response.status_code == 400
    assert "Their account cannot be closed" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active
    assert RoleGrant.objects.filter(user=admin, revoked_at__isnull=True).exists()


def test_closing_an_account_needs_a_reason_and_a_confirmation(client: Client) -> None:
    cal = make_staff("cal", Role.CASEWORKER, password=None)
    response = client.post(f"/staff/people/{cal.pk}/deactivate", {"reason": "Left"})
    assert response.status_code == 400
    assert "Confirm that you want to close this account" in response.content.decode()
    cal.refresh_from_db()
    assert cal.is_active
    response = client.post(
        f"/staff/people/{cal.pk}/deactivate", {"reason": "Left", "confirm": "on"}
    )
    assert response.status_code == 302
    cal.refresh_from_db()
    assert not cal.is_active
    assert "Closed on" in client.get(f"/staff/people/{cal.pk}").content.decode()


def test_the_access_review_flags_accounts_unused_for_90_days(admin: User) -> None:
    watcher = make_staff("otto", Role.OVERSIGHT)
    old = timezone.now() - timedelta(days=100)
    idle = make_staff("idle", Role.CASEWORKER, password=None)
    User.objects.filter(pk=idle.pk).update(last_login=old)
    never = make_staff("never", Role.INVESTIGATOR, password=None)
    RoleGrant.objects.filter(user=never).update(granted_at=old)
    fresh = make_staff("fresh", Role.SUPPORT_ADVISER, password=None)
    gone = make_staff("gone", Role.CASEWORKER, password=None)
    leaving.deactivate(gone, actor=admin, reason="Left")
    client = Client()
    sign_in(client, watcher)
    response = client.get("/staff/access-review")
    assert response.status_code == 200
    review = response.context["review"]
    flagged = {row.user.username for row in review.rows if row.unused}
    assert flagged == {"idle", "never"}
    shown = {(row.user.username, row.role_label) for row in review.rows}
    assert ("fresh", "Support adviser") in shown
    assert ("gone", "Caseworker") not in shown
    assert [account.username for account in review.closed] == ["gone"]
    page = response.content.decode()
    assert "2 roles are held by accounts unused for 90 days." in page
    assert "support_adviser" not in page
    assert fresh.username in page


def test_the_home_page_leads_to_the_people_pages(admin: User, client: Client) -> None:
    page = client.get("/staff/").content.decode()
    assert 'href="/staff/people"' in page
    assert 'href="/staff/access-review"' in page
    watcher = Client()
    sign_in(watcher, make_staff("otto", Role.OVERSIGHT))
    page = watcher.get("/staff/").content.decode()
    assert 'href="/staff/access-review"' in page
    assert 'href="/staff/people"' not in page


def test_the_pages_speak_welsh(client: Client) -> None:
    client.cookies["django_language"] = "cy"
    assert "Adolygiad mynediad" in client.get("/staff/access-review").content.decode()
    assert "Cyfrifon staff" in client.get("/staff/people").content.decode()


def test_the_home_page_names_ones_roles_by_their_labels() -> None:
    maker = make_staff("dee", Role.DECISION_MAKER, Role.APPEALS_PANEL)
    client = Client()
    sign_in(client, maker)
    page = client.get("/staff/").content.decode()
    assert "<li>Decision-maker</li>" in page
    assert "<li>Appeals panel</li>" in page
    assert "decision_maker" not in page
