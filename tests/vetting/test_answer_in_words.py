"""The vetting answer in words: a finding in its appeal window is given once, marked as able to
change, and never counted again as an open investigation; dates, decisions and sanctions read
as words, in English and Welsh, never as stored values."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import translation

from redress.accounts.models import Role
from redress.cases.models import Case, Stage
from redress.vetting.actions import run_check
from redress.vetting.words import in_words
from tests.factories import make_staff, sign_in
from tests.register.helpers import SECRET, make_member, upheld_case

pytestmark = pytest.mark.django_db
STORED_VALUES = ("partly_upheld", "behaviour_agreement", "appeal_window", "2026-03-02", "(1)")


def test_a_finding_in_its_appeal_window_is_counted_once_and_said_in_words() -> None:
    member = make_member()
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)):
        case, _people = upheld_case(member)
    # Decided: a live finding, and the case still counts among investigations' stages.
    assert Case.objects.get(pk=case.pk).stage in (Stage.DECISION, Stage.APPEAL_WINDOW)
    officer = make_staff("vet", Role.VETTING_OFFICER)
    with time_machine.travel(dt.datetime(2026, 3, 9, 10, 0, tzinfo=dt.UTC)):
        check = run_check(
            subject=member, purpose="Appointment", requesting_body="Clerk", actor=officer
        )
    assert check.result["findings"][0]["appeal"] == "window"
    assert check.result["open_investigations"]["count"] == 0  # not counted twice
    client = Client()
    sign_in(client, officer)
    page = client.get(f"/staff/vetting/{check.pk}").content.decode()
    assert "A complaint of harassment was upheld on 2 March 2026." in page
    assert "Suspension for 3 months, from 2 March 2026 to 1 June 2026." in page
    assert "can still be appealed, so it may change" in page
    assert "It stays on the register until 2 March 2033." in page
    assert "No open investigations past their assessment." in page
    assert "What the sanctions register said on 9 March 2026:" in page
    for stored in STORED_VALUES:
        assert stored not in page.split("<main")[1]
    assert SECRET not in page
    assert case.reference not in page


def test_an_appeal_lodged_and_open_investigations_read_as_words() -> None:
    result = {
        "subject": "M-42",
        "as_of": "2026-12-07",
        "findings": [
            {
                "category": "bullying",
                "decision": "partly_upheld",
                "decided_on": "2026-11-30",
                "sanction": "behaviour_agreement",
                "expires_on": "2031-11-30",
                "appeal": "lodged",
            }
        ],
        "open_investigations": {"count": 3, "stages": {"investigation": 2, "findings": 1}},
        "nothing_recorded": False,
    }
    words = in_words(result)
    assert words.as_of == "7 December 2026"
    (finding,) = words.findings
    assert finding.headline == "Bullying: complaint partly upheld"
    assert finding.sentences[0] == "A complaint of bullying was partly upheld on 30 November 2026."
    assert finding.sentences[1] == "The sanction was: behaviour agreement."
    assert "under appeal" in finding.sentences[2]
    assert words.investigations.startswith(
        "3 open investigations past their assessment (1 at findings, 2 at investigation)."
    )
    with translation.override("cy"):
        welsh = in_words(result)
    assert welsh.as_of == "7 Rhagfyr 2026"
    assert "behaviour" not in " ".join(welsh.findings[0].sentences)
