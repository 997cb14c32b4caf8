"""The demo has one complainant waiting for the support adviser, so the helpline's queue has
something to show; loading the demo again adds no second request."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from redress.helpline.models import OfferedAt, Party, Status, SupportRequest
from redress.helpline.queries import queue

pytestmark = pytest.mark.django_db


def test_the_demo_has_one_waiting_support_request() -> None:
    call_command("demo", stdout=io.StringIO())
    call_command("demo", stdout=io.StringIO())
    request = SupportRequest.objects.get()
    assert (request.party, request.offered_at) == (Party.COMPLAINANT, OfferedAt.ACKNOWLEDGEMENT)
    assert request.status == Status.WAITING
    assert list(queue()) == [request]
