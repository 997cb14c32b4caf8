"""The search finds a person as complainant, respondent, witness and named in text, however
their name is written, and every read is ledgered."""

from __future__ import annotations

import pytest

from redress.cases import actions as case_actions
from redress.cases.models import Category, Identity
from redress.ledger.append import digest_of
from redress.ledger.models import Entry
from redress.subjectaccess.models import Capacity, Finding, Redaction, SearchRun, State
from redress.subjectaccess.search import fold, identity_spans, search
from redress.vault.actions import shred
from tests.subjectaccess.helpers import officer, reported_case, request_for, respondent

pytestmark = pytest.mark.django_db


def _roles(request: object) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for finding in Finding.objects.filter(request=request):
        found.setdefault(finding.role, set()).add(finding.field)
    return found


def test_names_match_ignoring_case_accents_and_spaces() -> None:
    assert fold("  ZOË\u00a0 Halloran ") == fold("zoe halloran")
    assert fold("Zoe\u0308") == "zoe"


def test_the_respondent_is_found_by_their_directory_entry() -> None:
    dpo = officer()
    case = reported_case(respondent())
    reported_case(None)  # about someone else
    request = request_for("Somebody Else", actor=dpo, identifier="M-1")
    result = search(request, actor=dpo)
    assert _roles(request) == {Capacity.RESPONDENT: {"narrative", "respondent_description"}}
    assert {f.case for f in Finding.objects.filter(request=request)} == {case}
    assert result.cases_read == 2
    assert request.state == State.SEARCHED


def test_the_complainant_is_found_by_their_contact_details() -> None:
    dpo = officer()
    reported_case(respondent())
    request = request_for("zoe HALLORAN", actor=dpo)
    search(request, actor=dpo)
    roles = _roles(request)
    assert roles[Capacity.COMPLAINANT] == {"contact_details", "narrative"}
    # A complainant's own answer hides nothing of theirs.
    assert not Redaction.objects.filter(finding__request=request).exists()


def test_a_witness_and_a_person_named_in_text_are_found() -> None:
    dpo = officer()
    reported_case(respondent())
    witness = request_for("PRIYA  NAIR", actor=dpo)
    search(witness, actor=dpo)
    assert _roles(witness) == {
        Capacity.WITNESS: {"details.witnesses"},
        Capacity.NAMED_IN_TEXT: {"narrative"},
    }
    named = request_for("Tea", actor=dpo)  # a whole word of the "where" answer only
    search(named, actor=dpo)
    assert _roles(named) == {Capacity.NAMED_IN_TEXT: {"details.where"}}


def test_a_part_of_a_word_is_not_a_name() -> None:
    dpo = officer()
    reported_case(respondent())
    request = request_for("Pri", actor=dpo)
    search(request, actor=dpo)
    assert not Finding.objects.filter(request=request).exists()


def test_the_complainants_identity_is_marked_for_removal_where_others_appear() -> None:
    dpo = officer()
    reported_case(respondent())
    request = request_for("Rupert Vane", actor=dpo, identifier="M-1")
    search(request, actor=dpo)
    finding = Finding.objects.get(request=request, field="narrative")
    removed = [
        (finding.text or "")[r.start : r.end]
        for r in Redaction.objects.filter(finding=finding, automatic=True)
    ]
    assert removed == ["Zoë Halloran", "zoe.halloran@example.org", "07700900123"]


def test_every_case_read_is_committed_to_by_the_ledger() -> None:
    dpo = officer()
    first = reported_case(respondent())
    second = case_actions.receive(
        category=Category.OTHER, identity=Identity.ANONYMOUS, narrative="Nothing about them"
    )
    gone = case_actions.receive(
        category=Category.OTHER, identity=Identity.ANONYMOUS, narrative="Rupert Vane again"
    )
    shred(gone.data_key, actor="system:test", reason="retention")
    request = request_for("Rupert Vane", actor=dpo, identifier="M-1")
    before = Entry.objects.count()
    result = search(request, actor=dpo)
    run = SearchRun.objects.get(request=request)
    assert run.references_read.split("\n") == [first.reference, second.reference]
    assert (result.cases_read, result.cases_unreadable) == (2, 1)
    searched = Entry.objects.get(action="subjectaccess.searched")
    assert searched.digest == digest_of(run.references_read) == run.digest
    reads = Entry.objects.filter(action="subjectaccess.case_read")
    assert [e.object for e in reads] == [f"case:{first.reference}"]
    assert Entry.objects.count() == before + 2


def test_a_second_search_replaces_the_first() -> None:
    dpo = officer()
    reported_case(respondent())
    request = request_for("Rupert Vane", actor=dpo, identifier="M-1")
    search(request, actor=dpo)
    search(request, actor=dpo)
    assert Finding.objects.filter(request=request).count() == 2


def test_a_phone_number_is_found_however_it_is_spaced() -> None:
    text = "ring 07700-900 123 or (07700) 900123"
    assert len(identity_spans(text, ["07700 900 123"])) == 2
