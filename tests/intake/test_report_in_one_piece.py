"""On PostgreSQL a report that arrives in one piece (the API) writes the same rows as the
wizard's draft, through the same writer, all or nothing, with a ledger entry the Python
verifier accepts."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from redress.cases.models import Case, Deadline
from redress.directory.models import Person, PersonKind
from redress.intake import actions
from redress.intake.models import Receipt
from redress.ledger.append import append
from redress.ledger.errors import LedgerError
from redress.ledger.models import Entry, Head
from redress.ledger.verification import verify
from redress.vault.models import DataKey

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres_only")]

ANSWERS: dict[str, Any] = {
    "what_happened": "Ŵyn shouted at me — again — in the tea room.",
    "category": "bullying",
    "respondent_id": "",
    "respondent_description": "The office manager",
    "when_kind": "date",
    "when_date": "2026-03-27",
    "where": "The tea room",
    # No support: a request for support is made after the case, in its transaction
    # (tests/helpline), so it takes more than the one statement.
    "support": "no",
    # Named: a confidential complainant's identity is sealed apart after the case, in its
    # transaction (tests/disclosure), so it takes more than the one statement.
    "identity": "named",
    "contact_name": "Sam Example",
    "contact_email": "sam@example.org",
    "email_updates": True,
}


def _step_by_step(answers: dict[str, Any]) -> actions.Submission:
    # The path the wizard and idempotent API requests take: a draft, then its submission.
    draft = actions.start_draft()
    actions.save_answers(draft, answers)
    return actions.submit(draft.pk)


def _rows(case: Case) -> dict[str, Any]:
    case = Case.objects.get(pk=case.pk)
    receipt = Receipt.objects.get(case=case)
    return {
        "case": {
            "stage": case.stage,
            "category": case.category,
            "identity": case.identity,
            "respondent_id": case.respondent_id,
            "narrative": case.narrative,
            "respondent_description": case.respondent_description,
            "details": case.details,
        },
        "deadlines": sorted(
            Deadline.objects.filter(case=case).values_list(
                "kind", "owner_role", "started_on", "due_on", "escalate_on", "met_at"
            )
        ),
        "receipt": (receipt.email_digest is not None, receipt.email_updates),
        # The key's subject says where it was made ("case", or the wizard's "draft").
        "key": DataKey.objects.filter(pk=case.data_key_id).values_list("shredded_at")[0],
    }


def test_a_report_in_one_piece_writes_what_the_step_by_step_path_writes() -> None:
    with CaptureQueriesContext(connection) as queries:
        fast = actions.submit_answers(dict(ANSWERS))
    # On PostgreSQL the one writer sends a new case and its entry as one statement.
    assert len(queries.captured_queries) == 1
    slow = _step_by_step(dict(ANSWERS))
    assert _rows(fast.case) == _rows(slow.case)
    # Both codes open their own case, and only it.
    assert actions.find_case(fast.code) == fast.case
    assert actions.find_case(slow.code) == slow.case
    # Both complainants are asked to confirm their address; no email carries the report.
    assert len(mail.outbox) == 2
    assert all(ANSWERS["what_happened"] not in m.body for m in mail.outbox)


def test_its_ledger_entry_is_chained_and_verifies() -> None:
    append(actor="system", action="case.viewed", obj="thing:1")
    submission = actions.submit_answers(dict(ANSWERS))
    entry = submission.entry
    assert isinstance(entry, Entry)
    stored = Entry.objects.get(seq=entry.seq)
    assert (stored.object, stored.action, bytes(stored.hash)) == (
        f"case:{submission.case.reference}",
        "case.received",
        bytes(entry.hash),
    )
    assert bytes(stored.prev_hash) == bytes(Entry.objects.get(seq=entry.seq - 1).hash)
    assert Head.objects.get().seq == entry.seq
    assert verify().ok


def test_a_refused_ledger_entry_leaves_no_case_and_no_receipt() -> None:
    append(actor="system", action="case.viewed", obj="thing:1")
    Head.objects.all().delete()  # entries without a head: the ledger refuses to append
    before = (Case.objects.count(), Receipt.objects.count(), DataKey.objects.count())
    with pytest.raises(LedgerError):  # the ledger's own refusal, as for any other act
        actions.submit_answers(dict(ANSWERS))
    assert (Case.objects.count(), Receipt.objects.count(), DataKey.objects.count()) == before
    assert not Deadline.objects.exists()
    assert len(mail.outbox) == 0
    with pytest.raises(LedgerError):
        append(actor="system", action="case.viewed", obj="thing:2")


def test_a_respondent_from_the_directory_is_linked() -> None:
    person = Person.objects.create(identifier="M-0042", name="A. Member", kind=PersonKind.MEMBER)
    answers = {**ANSWERS, "respondent_id": "M-0042", "respondent_description": ""}
    submission = actions.submit_answers(answers)
    assert Case.objects.get(pk=submission.case.pk).respondent == person


def test_inside_a_callers_transaction_it_rolls_back_with_it() -> None:
    def report_then_fail() -> None:
        with transaction.atomic():
            actions.submit_answers(dict(ANSWERS))
            raise RuntimeError("the caller's act failed after the report")

    with pytest.raises(RuntimeError):
        report_then_fail()
    assert not Case.objects.exists()
    assert not Entry.objects.filter(action="case.received").exists()
    assert len(mail.outbox) == 0
