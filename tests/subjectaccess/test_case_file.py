"""The search reads the whole case file, not only the report: messages, records (the
respondent's answers among them), the decision's reasons and support requests; evidence files
are listed by type and date. What others' words say about the person reaches them with the
complainant's identity removed, and the cost of a search does not grow a query a case."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from redress.cases.models import (
    Attachment,
    Case,
    CaseRecord,
    Direction,
    Message,
    RecordKind,
    Source,
)
from redress.helpline.models import OfferedAt, Party, SupportRequest
from redress.ledger.models import Entry
from redress.subjectaccess import actions
from redress.subjectaccess.models import Capacity, Finding
from redress.subjectaccess.search import Subject, fold, scan, search
from tests.subjectaccess.helpers import officer, reported_case, request_for, respondent

pytestmark = pytest.mark.django_db

COMPLAINANT_WORDS = ["Zoë Halloran", "Halloran", "zoe.halloran", "07700", "900123"]


def _message(case: Case, body: str, direction: str = Direction.FROM_COMPLAINANT) -> Message:
    message = Message(case=case, direction=direction, data_key=case.data_key)
    message.body = body
    message.save()
    return message


def _record(case: Case, kind: str, body: str, source: str = Source.STAFF) -> CaseRecord:
    record = CaseRecord(case=case, kind=kind, source=source, data_key=case.data_key)
    record.body = body
    record.save()
    return record


def _file(case: Case) -> None:
    """A case file with something in every place the search reads."""
    _message(case, "Thank you. Is there any news?")
    _message(case, "We have written to the member.", Direction.TO_COMPLAINANT)
    _record(case, RecordKind.INTERVIEW, "Priya Nair confirmed what Zoë Halloran said.")
    _record(case, RecordKind.RESPONSE, "I deny it; Ms Halloran misheard.", Source.RESPONDENT)
    _record(case, RecordKind.WITHDRAWAL, "I am not withdrawing.", Source.COMPLAINANT)
    _record(case, RecordKind.HOLD, "Waiting for the clerk.")
    support = SupportRequest(
        case=case,
        party=Party.RESPONDENT,
        offered_at=OfferedAt.NOTIFICATION,
        data_key=case.data_key,
        due_on=timezone.localdate(),
    )
    support.words = "I would like someone to talk to about Zoë Halloran's complaint."
    support.save()
    for index, source in enumerate([Source.COMPLAINANT, Source.RESPONDENT]):
        Attachment.objects.create(
            case=case,
            stored_name=f"stored-{case.pk}-{index}",
            kind="pdf",
            size=100,
            source=source,
            data_key=case.data_key,
        )
    case.decision_reasons = "The member raised his voice at Zoë Halloran; upheld."
    case.save(update_fields=["decision_reasons_sealed"])


def _fields(request: object) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for finding in Finding.objects.filter(request=request):
        found.setdefault(finding.role, set()).add(finding.field.split(":")[0])
    return found


def test_the_complainant_gets_their_messages_their_records_and_a_list_of_their_files() -> None:
    dpo = officer()
    case = reported_case(respondent())
    _file(case)
    request = request_for("Zoe Halloran", actor=dpo)
    search(request, actor=dpo)
    found = Finding.objects.filter(request=request, role=Capacity.COMPLAINANT)
    assert _fields(request)[Capacity.COMPLAINANT] >= {"message", "record", "evidence"}
    assert sum(f.field.startswith("message:") for f in found) == 2
    records = {
        f.role: f.text for f in Finding.objects.filter(request=request, field__startswith="record:")
    }
    assert records[Capacity.COMPLAINANT] == "I am not withdrawing."
    assert records[Capacity.NAMED_IN_TEXT] == "Priya Nair confirmed what Zoë Halloran said."
    # The respondent's own answer and support request are not the complainant's to receive
    # unless they name her; here they do, as named in the text.
    assert "support" in _fields(request)[Capacity.NAMED_IN_TEXT]
    actions.assemble(request, actor=dpo)
    answer = json.loads(request.answer_json or "{}")
    where = [a.get("where", "") for a in answer["appearances"]]
    assert any(w.startswith("Message (To the complainant), ") for w in where)
    assert any(w.startswith("Case record (Complainant's reasons for withdrawing), ") for w in where)
    files = [a for a in answer["appearances"] if a["field"].startswith("evidence:")]
    assert len(files) == 1  # hers, not the respondent's
    assert files[0]["where"].startswith("Evidence file (PDF), added ")
    assert files[0]["text"] == ""


def test_the_respondent_gets_their_answer_and_the_reasons_without_the_complainant() -> None:
    dpo = officer()
    case = reported_case(respondent())
    _file(case)
    request = request_for("Rupert Vane", actor=dpo, identifier="M-1")
    search(request, actor=dpo)
    fields = _fields(request)[Capacity.RESPONDENT]
    assert {"record", "decision_reasons", "support", "evidence"} <= fields
    records = Finding.objects.filter(request=request, field__startswith="record:")
    # Their answer only: not the interview notes, the hold or the complainant's withdrawal.
    assert [f.text for f in records] == ["I deny it; Ms Halloran misheard."]
    assert not Finding.objects.filter(request=request, field__startswith="message:").exists()
    actions.assemble(request, actor=dpo)
    body = fold(request.answer_json or "")
    assert "i deny it; ms [redacted] misheard." in body
    assert "raised his voice at [redacted]" in body
    for words in COMPLAINANT_WORDS:
        assert fold(words) not in body, words


def test_a_person_named_in_a_message_or_record_is_found_and_ledgered_once_a_case() -> None:
    dpo = officer()
    case = reported_case(respondent())
    _file(case)
    _message(case, "Priya Nair has agreed to speak to you.", Direction.TO_COMPLAINANT)
    reported_case(None)  # names her in its report too
    request = request_for("Priya Nair", actor=dpo)
    result = search(request, actor=dpo)
    named = Finding.objects.filter(request=request, role=Capacity.NAMED_IN_TEXT)
    assert {f.field.split(":")[0] for f in named} >= {"message", "record", "narrative"}
    assert result.cases_read == 2
    assert Entry.objects.filter(action="subjectaccess.searched").count() == 1
    # One entry a case found in (both name her in the report), however many places in it.
    reads = Entry.objects.filter(action="subjectaccess.case_read").values_list("object", flat=True)
    assert sorted(reads) == sorted({f"case:{f.case.reference}" for f in Finding.objects.all()})
    assert len(reads) == 2 < Finding.objects.filter(request=request).count()
    actions.assemble(request, actor=dpo)
    body = fold(request.answer_json or "")
    assert "priya nair has agreed to speak to you." in body
    assert "priya nair confirmed what [redacted] said." in body
    for words in COMPLAINANT_WORDS:
        assert fold(words) not in body, words


def test_the_search_asks_the_database_the_same_number_of_times_for_more_cases() -> None:
    def queries(cases: int) -> int:
        for _ in range(cases):
            _file(reported_case(respondent() if not Case.objects.exists() else None))
        with CaptureQueriesContext(connection) as captured:
            scan(Subject("Rupert Vane"))
        return len(captured)

    assert queries(1) == queries(4)
