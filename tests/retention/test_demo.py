"""The demo data has closed cases, one not taken forward and one upheld, that the retention
schedule deletes within the next 30 days, so oversight's page has something to show."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from redress.cases.models import Case, Stage
from redress.retention import actions

pytestmark = pytest.mark.django_db


def test_the_demo_has_closed_cases_due_within_30_days() -> None:
    call_command("demo", stdout=io.StringIO())
    call_command("demo", stdout=io.StringIO())  # again: nothing is made twice
    closed = Case.objects.filter(stage=Stage.CLOSED)
    assert sorted(closed.values_list("decision", flat=True)) == ["not_taken_forward", "upheld"]
    assert actions.due() == []
    soon = actions.due(within_days=30)
    assert {item.reference for item in soon} == set(closed.values_list("reference", flat=True))
    out = io.StringIO()
    later = timezone.localdate() + dt.timedelta(days=30)
    call_command("retention", "--dry-run", "--as-of", later.isoformat(), stdout=out)
    assert len(out.getvalue().strip().splitlines()) == 2
