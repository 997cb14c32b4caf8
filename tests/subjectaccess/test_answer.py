"""A respondent's answer never names the complainant: not in the PDF's text, not in its
metadata, not in the JSON, unless the complainant consented. Redactions are listed with their
reasons and exemptions, and overlapping ones are refused."""

from __future__ import annotations

import io
import json

import pikepdf
import pytest
from pypdf import PdfReader

from redress.subjectaccess import actions
from redress.subjectaccess.actions import RequestRefused
from redress.subjectaccess.models import DataRequest, Exemption, Finding, Redaction, State
from redress.subjectaccess.search import fold, search
from tests.subjectaccess.helpers import (
    COMPLAINANT,
    officer,
    reported_case,
    request_for,
    respondent,
)

pytestmark = pytest.mark.django_db

IDENTIFIERS = ["Zoë Halloran", "Zoe Halloran", "Halloran", "zoe.halloran", "07700", "900123"]


def _pdf_words(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        info = " ".join(str(value) for value in document.docinfo.values())
        with document.open_metadata() as xmp:
            metadata = " ".join(str(value) for value in xmp.values())
    return f"{text}\n{info}\n{metadata}"


def _assembled_for_respondent() -> DataRequest:
    dpo = officer()
    reported_case(respondent())
    request = request_for("Rupert Vane", actor=dpo, identifier="M-1")
    search(request, actor=dpo)
    actions.assemble(request, actor=dpo)
    return request


def test_a_respondents_answer_holds_none_of_the_complainants_identifiers() -> None:
    request = _assembled_for_respondent()
    pdf, body = request.answer_pdf or b"", request.answer_json or ""
    words = fold(_pdf_words(pdf))
    assert "rupert vane" in words
    assert "shouted at me" in words
    for identifier in IDENTIFIERS:
        assert fold(identifier) not in words, identifier
        assert fold(identifier) not in fold(body), identifier
        assert fold(identifier).encode() not in pdf.lower()
    answer = json.loads(body)
    narrative = next(a for a in answer["appearances"] if a["field"] == "narrative")
    assert narrative["text"].count("[redacted]") == 3
    assert {r["exemption"] for r in narrative["redactions"]} == {Exemption.OTHER_INDIVIDUALS}


def test_the_pdf_is_tagged_with_a_title_and_language() -> None:
    request = _assembled_for_respondent()
    with pikepdf.open(io.BytesIO(request.answer_pdf or b"")) as document:
        assert "/StructTreeRoot" in document.Root
        assert str(document.Root.Lang).startswith("en")
        assert f"request {request.reference}" in str(document.docinfo["/Title"])


def test_with_the_complainants_recorded_consent_their_name_stays() -> None:
    dpo = officer()
    case = reported_case(respondent())
    request = request_for("Rupert Vane", actor=dpo, identifier="M-1")
    search(request, actor=dpo)
    with pytest.raises(RequestRefused):
        actions.record_consent(request, case, how=" ", actor=dpo)
    actions.record_consent(request, case, how="By letter of 2 March", actor=dpo)
    actions.assemble(request, actor=dpo)
    assert COMPLAINANT["contact_name"] in (request.answer_json or "")


def test_an_answer_still_naming_the_complainant_is_refused() -> None:
    dpo = officer()
    reported_case(respondent())
    request = request_for("Rupert Vane", actor=dpo, identifier="M-1")
    search(request, actor=dpo)
    Redaction.objects.filter(automatic=True).delete()  # as if the search had missed them
    with pytest.raises(RequestRefused, match="still names its complainant"):
        actions.assemble(request, actor=dpo)
    request.refresh_from_db()
    assert request.state == State.SEARCHED
    assert request.answer_pdf is None


def test_the_search_marks_cannot_be_lifted_by_hand() -> None:
    dpo = officer()
    reported_case(respondent())
    request = request_for("Rupert Vane", actor=dpo, identifier="M-1")
    search(request, actor=dpo)
    with pytest.raises(RequestRefused, match="consent"):
        actions.remove_redaction(Redaction.objects.filter(automatic=True).first(), actor=dpo)


def test_overlapping_redactions_are_refused_and_nothing_is_kept() -> None:
    dpo = officer()
    reported_case(respondent())
    request = request_for("Rupert Vane", actor=dpo, identifier="M-1")
    search(request, actor=dpo)
    finding = Finding.objects.get(request=request, field="narrative")
    text = finding.text or ""
    start = text.index("Priya Nair")
    actions.mark_redaction(
        finding,
        [(start, start + len("Priya Nair"))],
        reason="A witness",
        exemption=Exemption.OTHER_INDIVIDUALS,
        actor=dpo,
    )
    before = Redaction.objects.count()
    with pytest.raises(RequestRefused, match="overlap"):
        actions.mark_redaction(
            finding,
            [(start + 6, start + 14)],
            reason="Again",
            exemption=Exemption.OTHER_INDIVIDUALS,
            actor=dpo,
        )
    assert Redaction.objects.count() == before
    actions.assemble(request, actor=dpo)
    answer = json.loads(request.answer_json or "{}")
    narrative = next(a for a in answer["appearances"] if a["field"] == "narrative")
    assert "Priya" not in narrative["text"]
    assert {"reason": "A witness", "exemption": Exemption.OTHER_INDIVIDUALS} in narrative[
        "redactions"
    ]
