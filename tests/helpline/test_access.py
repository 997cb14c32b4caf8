"""The helpline's routes answer every kind of visitor as its access-matrix rows say (the whole
matrix runs in tests/accounts; this runs the helpline's rows alone, quickly)."""

from __future__ import annotations

import pytest
from django.test import Client

from redress.accounts.models import Role
from tests.accounts.visitors import ANONYMOUS, EVERYONE, NO_ROLE
from tests.factories import make_staff, sign_in
from tests.helpline.access_matrix import ROWS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", EVERYONE)
def test_each_visitor_gets_the_expected_answer(who: str) -> None:
    client = Client()
    if who != ANONYMOUS:
        roles = [] if who == NO_ROLE else [Role(who)]
        sign_in(client, make_staff(f"user-{who}".replace(" ", "-"), *roles))
    answers = {name: client.get(path).status_code for name, (path, _) in ROWS.items()}
    assert answers == {name: row[who] for name, (_, row) in ROWS.items()}
