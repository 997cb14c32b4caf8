"""Which account a provider's subject signs in as: bound at first use, never made."""

from __future__ import annotations

import pytest
from django.utils import timezone

from redress.accounts.identities import (
    Refused,
    SignInRefused,
    account_for,
    second_factor_proven,
)
from redress.accounts.models import Role, SignInIdentity, User
from redress.ledger.events import Action
from redress.ledger.models import Entry
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

ISSUER = "https://id.example.org"


def _staff(username: str, email: str) -> User:
    user = make_staff(username, Role.CASEWORKER, totp=False, password="unused-but-usable-1")
    user.email = email
    user.save(update_fields=["email"])
    return user


def _refusal(**claims: object) -> Refused:
    arguments = {"issuer": ISSUER, "subject": "s-1", "email": "", "email_verified": True}
    with pytest.raises(SignInRefused) as refused:
        account_for(**(arguments | claims))  # type: ignore[arg-type]
    return refused.value.reason


def test_a_verified_address_binds_the_subject_once_and_is_ledgered_by_account() -> None:
    user = _staff("ann", "Ann@Example.org")

    found = account_for(issuer=ISSUER, subject="s-1", email="ann@example.ORG", email_verified=True)

    assert found == user
    identity = SignInIdentity.objects.get()
    assert (identity.user, identity.issuer, identity.subject) == (user, ISSUER, "s-1")
    entry = Entry.objects.get(action=Action.ACCOUNT_IDENTITY_BOUND)
    assert (entry.actor, entry.object) == (f"user:{user.pk}", f"user:{user.pk}")
    # Later the subject alone decides, whatever address the provider sends.
    again = account_for(issuer=ISSUER, subject="s-1", email="", email_verified=False)
    assert again == user
    assert Entry.objects.filter(action=Action.ACCOUNT_IDENTITY_BOUND).count() == 1


def test_an_unverified_address_is_refused() -> None:
    _staff("ann", "ann@example.org")
    assert _refusal(email="ann@example.org", email_verified=False) == Refused.UNVERIFIED
    assert not SignInIdentity.objects.exists()


def test_no_account_is_ever_made() -> None:
    assert _refusal(email="nobody@example.org") == Refused.NO_ACCOUNT
    assert _refusal(email="") == Refused.NO_ACCOUNT
    assert not User.objects.exists()


def test_an_address_two_accounts_share_binds_neither() -> None:
    _staff("ann", "shared@example.org")
    _staff("ann2", "SHARED@example.org")
    assert _refusal(email="shared@example.org") == Refused.NO_ACCOUNT


def test_an_account_still_waiting_for_its_invitation_cannot_be_bound() -> None:
    user = _staff("ann", "ann@example.org")
    user.set_unusable_password()
    user.save()
    assert _refusal(email="ann@example.org") == Refused.NO_ACCOUNT


def test_a_closed_account_is_refused_even_when_bound() -> None:
    user = _staff("ann", "ann@example.org")
    account_for(issuer=ISSUER, subject="s-1", email="ann@example.org", email_verified=True)
    User.objects.filter(pk=user.pk).update(is_active=False, deactivated_at=timezone.now())
    assert _refusal() == Refused.CLOSED


def test_an_account_bound_to_one_subject_is_not_bound_to_another() -> None:
    _staff("ann", "ann@example.org")
    account_for(issuer=ISSUER, subject="s-1", email="ann@example.org", email_verified=True)
    assert _refusal(subject="s-2", email="ann@example.org") == Refused.BOUND_ELSEWHERE
    assert SignInIdentity.objects.count() == 1


@pytest.mark.parametrize(
    ("claims", "proven"),
    [
        ({"amr": ["pwd", "mfa"]}, True),
        ({"amr": ["pwd"]}, False),
        ({"amr": "hwk"}, True),
        ({"amr": [["mfa"]]}, False),
        ({"acr": "urn:example:loa:high"}, True),
        ({"acr": "urn:example:loa:low"}, False),
        ({}, False),
    ],
)
def test_only_a_configured_amr_or_acr_proves_a_second_factor(
    claims: dict[str, object], proven: bool
) -> None:
    trusted = {"trusted_amr": ["mfa", "hwk"], "trusted_acr": ["urn:example:loa:high"]}
    assert second_factor_proven(claims, **trusted) is proven
    assert second_factor_proven(claims, trusted_amr=[], trusted_acr=[]) is False
