"""Invitations and the first administrator: a link that works once, for a while, for one person.

An invited account cannot sign in until its holder has chosen a password and set up an
authenticator with the link; expired, reused, forged and withdrawn links are refused with a
plain message and change nothing; the ledger records each act without the address.
"""

from __future__ import annotations

import io
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import mail, management
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from redress import cli
from redress.accounts import invitations
from redress.accounts.models import Invitation, Role, RoleGrant, RoleRequest, User
from redress.accounts.second_factor import current_code
from redress.cases.models import DirectoryLink
from redress.directory.models import Person, PersonKind
from redress.ledger.events import Action
from redress.ledger.models import Entry
from tests.factories import PASSWORD, make_staff, sign_in

pytestmark = pytest.mark.django_db

ADDRESS = "nia.parry@scheme.example"
Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    sign_in(client, make_staff("ada", Role.ADMINISTRATOR))
    return client


def _invite(
    admin_client: Client,
    capture: Capture,
    roles: tuple[str, ...] = ("caseworker",),
    email: str = ADDRESS,
) -> str:
    """Invite through the console; returns the path of the emailed link."""
    mail.outbox.clear()
    with capture(execute=True):
        response = admin_client.post(
            "/staff/invitations/new",
            {"display_name": "Nia Parry", "email": email, "roles": list(roles)},
        )
    assert response.status_code == 302, response.content
    return _link_in_mail()


def _link_in_mail() -> str:
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    found = re.search(r"https?://\S+/staff/enrol/\S+", mail.outbox[0].body)
    assert found
    return found.group(0).removeprefix(settings.SITE_URL.rstrip("/"))


def _enrol(link: str, password: str = PASSWORD) -> Client:
    """Use ``link`` as its holder would; returns their client at the "set up" page."""
    client = Client()
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == "/staff/enrol"
    response = client.post("/staff/enrol", {"password": password, "password_again": password})
    assert response.status_code == 302, response.content
    response = client.get("/staff/enrol/authenticator")
    assert response.status_code == 200
    user = User.objects.get(email=ADDRESS)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/staff/enrol/authenticator", {"code": current_code(device)})
    assert response.status_code == 302, response.content
    assert response["Location"] == "/staff/enrol/done"
    return client


def _can_sign_in(username: str, password: str = PASSWORD) -> bool:
    response = Client().post("/staff/sign-in", {"username": username, "password": password})
    return response.status_code == 302


def _actions() -> list[str]:
    return list(Entry.objects.order_by("seq").values_list("action", flat=True))


@pytest.fixture
def later() -> Iterator[Callable[[timedelta], Any]]:
    def travel(by: timedelta) -> Any:
        return time_machine.travel(timezone.now() + by, tick=False)

    return travel


def test_invited_person_enrols_and_then_signs_in(
    admin_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    link = _invite(admin_client, django_capture_on_commit_callbacks)
    message = mail.outbox[0]
    assert message.to == [ADDRESS]
    assert "72" not in message.subject
    user = User.objects.get(email=ADDRESS)
    assert not user.has_usable_password()
    assert not _can_sign_in(user.username)
    assert not user.roles()

    client = _enrol(link)
    assert "Your account is set up" in client.get("/staff/enrol/done").content.decode()
    user = User.objects.get(pk=user.pk)  # roles() is cached on the object
    assert user.check_password(PASSWORD)
    assert user.has_role(Role.CASEWORKER)
    grant = RoleGrant.objects.get(user=user)
    assert grant.reason == "invitation"
    assert grant.granted_by is not None
    assert grant.granted_by.username == "ada"
    assert Invitation.objects.get(user=user).accepted_at is not None
    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=False):
        sign_in(Client(), user)


def test_nothing_is_emailed_when_the_invitation_is_not_committed(admin_client: Client) -> None:
    response = admin_client.post(
        "/staff/invitations/new",
        {"display_name": "Nia Parry", "email": ADDRESS, "roles": ["caseworker"]},
    )
    assert response.status_code == 302
    # The test's transaction is never committed, so the email waits for a commit that never comes.
    assert mail.outbox == []


def test_the_link_leaves_the_address_and_the_pages_send_no_referrer(
    admin_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    link = _invite(admin_client, django_capture_on_commit_callbacks)
    client = Client()
    response = client.get(link)
    assert response["Location"] == "/staff/enrol"
    assert response["Referrer-Policy"] == "no-referrer"
    page = client.get("/staff/enrol")
    assert page["Referrer-Policy"] == "no-referrer"
    assert link.rsplit("/", 1)[1] not in page.content.decode()
    assert "Nia Parry" in page.content.decode()


def test_a_weak_password_is_refused_with_the_rules_words_and_nothing_is_kept(
    admin_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    link = _invite(admin_client, django_capture_on_commit_callbacks)
    client = Client()
    client.get(link)
    response = client.post("/staff/enrol", {"password": "password", "password_again": "password"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert "too short" in body or "too common" in body
    assert "Nia Parry" in body
    mismatch = client.post("/staff/enrol", {"password": PASSWORD, "password_again": PASSWORD + "x"})
    assert "The two passwords are not the same" in mismatch.content.decode()
    # The authenticator step is not open without a password chosen.
    assert client.get("/staff/enrol/authenticator")["Location"] == "/staff/enrol"
    assert not User.objects.get(email=ADDRESS).has_usable_password()


def test_a_wrong_code_is_refused_and_the_account_stays_closed(
    admin_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    link = _invite(admin_client, django_capture_on_commit_callbacks)
    client = Client()
    client.get(link)
    client.post("/staff/enrol", {"password": PASSWORD, "password_again": PASSWORD})
    client.get("/staff/enrol/authenticator")
    response = client.post("/staff/enrol/authenticator", {"code": "000000"})
    assert response.status_code == 400
    assert "The code is not right" in response.content.decode()
    user = User.objects.get(email=ADDRESS)
    assert not user.has_usable_password()
    assert not user.roles()
    assert Invitation.objects.get(user=user).accepted_at is None


def test_expired_link_is_refused_and_nothing_changes(
    admin_client: Client, django_capture_on_commit_callbacks: Capture, later: Any
) -> None:
    link = _invite(admin_client, django_capture_on_commit_callbacks)
    with later(timedelta(hours=71)):
        assert Client().get(link).status_code == 302
    with later(timedelta(hours=72, seconds=1)):
        response = Client().get(link)
    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()
    user = User.objects.get(email=ADDRESS)
    assert not user.has_usable_password()
    assert Invitation.objects.get(user=user).accepted_at is None


def test_expiry_during_enrolment_stops_it(
    admin_client: Client, django_capture_on_commit_callbacks: Capture, later: Any
) -> None:
    link = _invite(admin_client, django_capture_on_commit_callbacks)
    client = Client()
    with later(timedelta(hours=71, minutes=55)):
        client.get(link)
        client.post("/staff/enrol", {"password": PASSWORD, "password_again": PASSWORD})
        client.get("/staff/enrol/authenticator")
    user = User.objects.get(email=ADDRESS)
    device = TOTPDevice.objects.get(user=user)
    with later(timedelta(hours=72, minutes=1)):
        response = client.post("/staff/enrol/authenticator", {"code": current_code(device)})
    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_a_used_link_is_refused(
    admin_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    link = _invite(admin_client, django_capture_on_commit_callbacks)
    _enrol(link)
    user = User.objects.get(email=ADDRESS)
    password = user.password
    entries = Entry.objects.count()
    response = Client().get(link)
    assert response.status_code == 400
    assert "This link has already been used" in response.content.decode()
    user.refresh_from_db()
    assert user.password == password
    assert Entry.objects.count() == entries


def test_a_forged_link_is_refused(client: Client) -> None:
    entries = Entry.objects.count()
    response = client.get("/staff/enrol/" + "A" * 43)
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert client.get("/staff/enrol").status_code == 400
    assert Entry.objects.count() == entries


def test_withdrawn_link_is_refused_even_mid_enrolment(
    admin_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    link = _invite(admin_client, django_capture_on_commit_callbacks, roles=("oversight",))
    invitation = Invitation.objects.get(email=ADDRESS)
    assert RoleRequest.objects.filter(user=invitation.user, decided_at=None).count() == 1
    client = Client()
    client.get(link)
    client.post("/staff/enrol", {"password": PASSWORD, "password_again": PASSWORD})
    client.get("/staff/enrol/authenticator")

    confirm = admin_client.get(f"/staff/invitations/{invitation.pk}/withdraw")
    assert "Withdraw the invitation to" in confirm.content.decode()
    assert admin_client.post(f"/staff/invitations/{invitation.pk}/withdraw").status_code == 302
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None
    assert invitation.withdrawn_by is not None
    assert invitation.withdrawn_by.username == "ada"
    assert not RoleRequest.objects.filter(user=invitation.user, decided_at=None).exists()

    device = TOTPDevice.objects.get(user=invitation.user)
    response = client.post("/staff/enrol/authenticator", {"code": current_code(device)})
    assert response.status_code == 400
    assert "This invitation was withdrawn" in response.content.decode()
    assert "This invitation was withdrawn" in Client().get(link).content.decode()
    invitation.user.refresh_from_db()
    assert not invitation.user.has_usable_password()
    assert Action.ACCOUNT_INVITATION_WITHDRAWN.value in _actions()


def test_the_link_of_a_closed_account_is_refused(
    admin_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    link = _invite(admin_client, django_capture_on_commit_callbacks)
    User.objects.filter(email=ADDRESS).update(is_active=False, deactivated_at=timezone.now())
    response = Client().get(link)
    assert response.status_code == 400
    assert "This invitation was withdrawn" in response.content.decode()


def test_an_invitation_withdrawn_can_be_made_again_for_the_same_account(
    admin_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    _invite(admin_client, django_capture_on_commit_callbacks)
    first = Invitation.objects.get()
    admin_client.post(f"/staff/invitations/{first.pk}/withdraw")
    link = _invite(admin_client, django_capture_on_commit_callbacks, roles=("investigator",))
    assert User.objects.filter(email=ADDRESS).count() == 1
    _enrol(link)
    assert User.objects.get(email=ADDRESS).roles() == {"investigator"}


def test_send_again_replaces_the_link_with_a_fresh_one(
    admin_client: Client, django_capture_on_commit_callbacks: Capture, later: Any
) -> None:
    old_link = _invite(admin_client, django_capture_on_commit_callbacks)
    old = Invitation.objects.get(email=ADDRESS)
    with later(timedelta(hours=80)):
        admin_client = Client()  # the first session ended long ago
        sign_in(admin_client, User.objects.get(username="ada"))
        listing = admin_client.get("/staff/invitations")
        assert "Expired" in listing.content.decode()
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(f"/staff/invitations/{old.pk}/send-again")
        assert response.status_code == 302
        new_link = _link_in_mail()
        assert new_link != old_link
        assert "This invitation was withdrawn" in Client().get(old_link).content.decode()
        new = Invitation.objects.get(email=ADDRESS, withdrawn_at=None)
        assert new.user == old.user
        assert new.expires_at == timezone.now() + timedelta(hours=72)
        _enrol(new_link)
    assert User.objects.get(email=ADDRESS).has_role(Role.CASEWORKER)


def test_an_address_with_an_account_or_a_live_invitation_is_refused(
    admin_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    _invite(admin_client, django_capture_on_commit_callbacks)
    again = admin_client.post(
        "/staff/invitations/new",
        {"display_name": "Nia P", "email": ADDRESS.upper(), "roles": ["investigator"]},
    )
    assert again.status_code == 400
    assert "already has an invitation waiting" in again.content.decode()
    assert 'value="Nia P"' in again.content.decode()
    taken = make_staff("bryn", Role.CASEWORKER)
    taken.email = "bryn@scheme.example"
    taken.save()
    refused = admin_client.post(
        "/staff/invitations/new",
        {"display_name": "Bryn", "email": "bryn@scheme.example", "roles": ["caseworker"]},
    )
    assert "already belongs to a staff account" in refused.content.decode()
    assert Invitation.objects.count() == 1


def test_the_invite_form_says_what_is_missing(admin_client: Client) -> None:
    response = admin_client.post("/staff/invitations/new", {"email": "not an address"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Enter the name of the person you are inviting" in body
    assert "Enter an email address in the right format" in body
    assert "Select at least one role" in body
    assert not Invitation.objects.exists()


def test_administrator_and_oversight_wait_for_a_second_administrator(
    admin_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    link = _invite(
        admin_client, django_capture_on_commit_callbacks, roles=("administrator", "caseworker")
    )
    _enrol(link)
    user = User.objects.get(email=ADDRESS)
    assert user.roles() == {"caseworker"}
    request = RoleRequest.objects.get(user=user)
    assert request.role == Role.ADMINISTRATOR
    assert request.requested_by.username == "ada"
    assert request.decided_at is None


def test_a_member_of_the_directory_is_refused_a_handling_role_at_enrolment(
    admin_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    link = _invite(admin_client, django_capture_on_commit_callbacks)
    user = User.objects.get(email=ADDRESS)
    person = Person.objects.create(identifier="D-1", name="Nia Parry", kind=PersonKind.MEMBER)
    DirectoryLink.objects.create(user=user, person=person)
    client = Client()
    client.get(link)
    client.post("/staff/enrol", {"password": PASSWORD, "password_again": PASSWORD})
    client.get("/staff/enrol/authenticator")
    device = TOTPDevice.objects.get(user=user)
    entries = Entry.objects.count()
    response = client.post("/staff/enrol/authenticator", {"code": current_code(device)})
    assert response.status_code == 400
    assert "Members and party officials can never hold" in response.content.decode()
    user = User.objects.get(pk=user.pk)
    assert not user.roles()
    assert not user.has_usable_password()
    assert Entry.objects.count() == entries


@pytest.mark.django_db(transaction=True)
def test_two_acceptances_at_once_use_the_link_once(postgres_only: None) -> None:
    admin = make_staff("ada", Role.ADMINISTRATOR)
    invitation, secret = invitations.invite(ADDRESS, "Nia Parry", [Role.CASEWORKER], actor=admin)
    code = current_code(invitations.enrolment_device(invitation))
    hashed = make_password(PASSWORD)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def accept() -> None:
        try:
            start.wait()
            invitations.accept(secret, password_hash=hashed, code=code)
            outcomes.append("accepted")
        except (invitations.InvitationRefused, invitations.WrongCode) as refused:
            outcomes.append(type(refused).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) in (
        ["InvitationRefused", "accepted"],
        ["WrongCode", "accepted"],  # the second saw the code already spent
    )
    assert RoleGrant.objects.filter(user=invitation.user).count() == 1
    assert Entry.objects.filter(action=Action.ACCOUNT_ENROLLED.value).count() == 1


def test_the_ledger_records_each_act_without_the_address(
    admin_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    link = _invite(admin_client, django_capture_on_commit_callbacks)
    _enrol(link)
    actions = _actions()
    for action in (Action.ACCOUNT_INVITED, Action.ACCOUNT_ENROLLED, Action.ROLE_GRANTED):
        assert action.value in actions
    for actor, obj, digest in Entry.objects.values_list("actor", "object", "digest"):
        for text in (actor, obj, digest):
            assert "scheme.example" not in text
            assert "nia" not in text.lower()


def test_the_staff_home_page_links_administrators_to_invitations(admin_client: Client) -> None:
    assert 'href="/staff/invitations"' in admin_client.get("/staff/").content.decode()
    caseworker = Client()
    sign_in(caseworker, make_staff("ffion", Role.CASEWORKER))
    assert 'href="/staff/invitations"' not in caseworker.get("/staff/").content.decode()


# The first administrator.


def _create_admin(email: str = "first@scheme.example") -> str:
    out = io.StringIO()
    call_command("create_admin", email, "--name", "Gwen Jones", stdout=out)
    found = re.search(r"https?://\S+/staff/enrol/\S+", out.getvalue())
    assert found, out.getvalue()
    assert found.group(0).startswith(settings.SITE_URL.rstrip("/"))
    return found.group(0).removeprefix(settings.SITE_URL.rstrip("/"))


def test_create_admin_prints_a_link_that_makes_the_first_administrator() -> None:
    link = _create_admin()
    assert mail.outbox == []
    user = User.objects.get(email="first@scheme.example")
    assert not _can_sign_in(user.username)
    client = Client()
    client.get(link)
    client.post("/staff/enrol", {"password": PASSWORD, "password_again": PASSWORD})
    client.get("/staff/enrol/authenticator")
    device = TOTPDevice.objects.get(user=user)
    assert client.post("/staff/enrol/authenticator", {"code": current_code(device)}).status_code
    user.refresh_from_db()
    assert user.has_role(Role.ADMINISTRATOR)
    assert RoleGrant.objects.get(user=user).granted_by is None
    entry = Entry.objects.filter(action=Action.ACCOUNT_INVITED.value).get()
    assert entry.actor == "system:create-admin"


def test_create_admin_is_refused_once_an_administrator_exists() -> None:
    make_staff("ada", Role.ADMINISTRATOR)
    with pytest.raises(CommandError, match="An administrator already exists"):
        call_command("create_admin", "first@scheme.example", stdout=io.StringIO())
    assert not Invitation.objects.exists()


def test_create_admin_link_expires_after_a_day(later: Any) -> None:
    link = _create_admin()
    with later(timedelta(hours=23)):
        assert Client().get(link).status_code == 302
    with later(timedelta(hours=24, seconds=1)):
        response = Client().get(link)
    assert "This link has expired" in response.content.decode()


def test_first_administrator_link_stops_once_another_administrator_exists() -> None:
    link = _create_admin()
    make_staff("ada", Role.ADMINISTRATOR)
    client = Client()
    client.get(link)
    client.post("/staff/enrol", {"password": PASSWORD, "password_again": PASSWORD})
    client.get("/staff/enrol/authenticator")
    user = User.objects.get(email="first@scheme.example")
    device = TOTPDevice.objects.get(user=user)
    response = client.post("/staff/enrol/authenticator", {"code": current_code(device)})
    assert response.status_code == 400
    assert "An administrator already exists" in response.content.decode()
    user.refresh_from_db()
    assert not user.roles()
    assert not user.has_usable_password()


def test_create_admin_has_no_password_option() -> None:
    with pytest.raises(CommandError):
        call_command("create_admin", "first@scheme.example", "--password", "x")


def test_create_admin_answers_to_its_hyphenated_name(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[list[str]] = []
    monkeypatch.setattr(sys, "argv", ["redress", "create-admin", "first@scheme.example"])
    monkeypatch.setattr(management, "execute_from_command_line", ran.append)
    umask = os.umask(0o022)
    try:
        cli.main()
    finally:
        os.umask(umask)
    assert ran == [["redress", "create_admin", "first@scheme.example"]]
    assert "create_admin" in management.get_commands()


def test_every_new_string_has_welsh() -> None:
    words = [
        "Invite a member of staff",
        "Invite staff",
        "Choose a password",
        "Your account is set up",
        "This link cannot be used",
        "This link has expired. Ask your administrator to send the invitation again.",
        "This link has already been used. Sign in with your password instead.",
        "This invitation was withdrawn. Ask your administrator for a new one.",
        "This link is not valid. Check you copied all of it from the email.",
        "Select at least one role",
        "Finish setting up",
    ]
    with translation.override("cy"):
        untranslated = [w for w in words if translation.gettext(w) == w]
    assert untranslated == []
