"""Bidirectional controls in a report's words are shown to staff as visible marks, and kept as
they were sent: text cannot be made to read to a caseworker differently from what it says."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.utils import timezone

from redress.accounts.models import Role
from redress.cases import actions
from redress.cases.models import AssignmentRole, Case, CaseRecord, Message, RecordKind
from redress.staff.templatetags.staff_text import mark_bidi, marked
from tests.factories import API_REPORT, make_staff, sign_in

pytestmark = pytest.mark.django_db

CONTROLS = [
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2066, 0x206A)),
    "\u200e",
    "\u200f",
    "\u061c",
]
# Reads "I was paid 3100 pounds" where shown as it is; says 0013.
TRICK = "I was paid \u202e0013\u202c pounds. " + "".join(CONTROLS)


def test_each_control_becomes_a_visible_mark_and_other_text_stays() -> None:
    for control in CONTROLS:
        assert mark_bidi(f"a{control}b") == f"a⟨U+{ord(control):04X}⟩b"
    assert mark_bidi("Cymraeg â, עברית, العربية, 🙂") == "Cymraeg â, עברית, العربية, 🙂"
    assert marked(None) is None


def test_staff_see_marks_in_place_of_the_controls_and_the_text_is_kept(client: Client) -> None:
    report = {**API_REPORT, "what_happened": TRICK, "respondent_description": "A \u202eB"}
    assert client.post("/api/reports", report, content_type="application/json").status_code == 201
    case = Case.objects.get()
    actions.receive_message_from_complainant(case, TRICK)
    Case.objects.filter(pk=case.pk).update(respondent_notified_at=timezone.now())
    actions.answer_as_respondent(Case.objects.get(pk=case.pk), TRICK)

    staff = Client()
    caseworker = make_staff("cw", Role.CASEWORKER)
    sign_in(staff, caseworker)
    actions.assign(case, caseworker, AssignmentRole.CASEWORKER, actor="system:test")
    response = staff.get(f"/staff/cases/{case.reference}")
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    for control in CONTROLS:
        assert control not in page
    assert "I was paid ⟨U+202E⟩0013⟨U+202C⟩ pounds" in page
    # The narrative, the message, the respondent's answer, and the description of who.
    assert page.count("⟨U+202E⟩") >= 4
    assert "A ⟨U+202E⟩B" in page

    # Kept as sent: the marks are only in what staff are shown.
    case = Case.objects.get()
    assert case.narrative == TRICK
    assert Message.objects.get(case=case).body == TRICK
    assert CaseRecord.objects.get(case=case, kind=RecordKind.RESPONSE).body == TRICK
