"""The answer to a request as the person receives it: JSON for machines and a tagged PDF for
people, built from the findings with every redaction applied.

Other people's identifying information is removed, not covered: ``redress.redaction`` takes
the characters out and leaves a fixed mark, and each removal is listed with its reason and
the exemption relied on (never the words removed). Before anything is kept, every place a
respondent, witness or person named appears is checked once more for the complainant's
identifiers (name and its parts, email, phone); if one is left and the complainant has not
consented, the answer is refused and the officer marks it, so a respondent's answer never
names the complainant by oversight.

Each place says where on the case it is: the report, a message, a record on the case file, a
support request or the decision's reasons, with its kind and date. An evidence file the person
gave is listed by type and date only: its content is not copied into the answer (it is not
text that could be checked and redacted here), and the answer says how to ask for a copy.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from redress.cases.models import Attachment, CaseRecord, Direction, Message, RecordKind
from redress.helpline.models import SupportRequest
from redress.redaction.text import Span, redact_text
from redress.subjectaccess.models import (
    Capacity,
    ComplainantConsent,
    DataRequest,
    Exemption,
    Finding,
    Kind,
    Outcome,
    Redaction,
)
from redress.subjectaccess.search import identity_spans


class IdentityLeft(Exception):
    """The answer would still hold a complainant's identity in the case named."""

    def __init__(self, reference: str) -> None:
        self.reference = reference
        self.message = _(
            "The text from case %(reference)s still names its complainant. Remove those words "
            "before assembling the answer."
        ) % {"reference": reference}
        super().__init__(self.message)


@dataclass(frozen=True)
class Removal:
    reason: str
    exemption: str
    exemption_text: str


@dataclass
class Item:
    reference: str
    role: str
    role_text: str
    field: str
    text: str
    removals: list[Removal] = dataclasses.field(default_factory=list)
    # Where on the case, in words ("Message (To the complainant), 3 March 2026"); empty for the
    # report's own answers. ``evidence`` marks a file listed without its content.
    where: str = ""
    evidence: bool = False


@dataclass(frozen=True)
class Document:
    json: str
    pdf: bytes


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _day(moment: Any) -> str:
    return date_format(timezone.localtime(moment), "j F Y")


def _places(fields: list[str]) -> dict[str, str]:
    """Where each message, record, support request and evidence file among ``fields`` is, in
    words, from their unsealed columns only: one query for each kind there is."""
    ids: dict[str, list[int]] = {}
    for name in fields:
        kind, _colon, pk = name.partition(":")
        if pk.isdigit():
            ids.setdefault(kind, []).append(int(pk))
    places = {"decision_reasons": _("Reasons for the decision")}
    for message in Message.objects.filter(pk__in=ids.get("message", [])).only(
        "direction", "sent_at"
    ):
        places[f"message:{message.pk}"] = _("Message (%(direction)s), %(date)s") % {
            "direction": _label(Direction, message.direction),
            "date": _day(message.sent_at),
        }
    for record in CaseRecord.objects.filter(pk__in=ids.get("record", [])).only(
        "kind", "created_at"
    ):
        places[f"record:{record.pk}"] = _("Case record (%(kind)s), %(date)s") % {
            "kind": _label(RecordKind, record.kind),
            "date": _day(record.created_at),
        }
    support = SupportRequest.objects.filter(pk__in=ids.get("support", [])).only("asked_at")
    for row in support:
        places[f"support:{row.pk}"] = _("Request for support, %(date)s") % {
            "date": _day(row.asked_at)
        }
    files = Attachment.objects.filter(pk__in=ids.get("evidence", [])).only("kind", "added_at")
    for file in files:
        places[f"evidence:{file.pk}"] = _("Evidence file (%(type)s), added %(date)s") % {
            "type": file.kind.upper(),
            "date": _day(file.added_at),
        }
    return places


def items(request: DataRequest) -> list[Item]:
    """Each finding's text with its redactions applied, checked for complainants' identities.

    Raises ``IdentityLeft`` as the module docstring says, and the ``redress.redaction`` errors
    for spans that overlap or fall outside the text."""
    consented = set(
        ComplainantConsent.objects.filter(request=request).values_list("case_id", flat=True)
    )
    # Each finding and redaction opens its sealed text with its data key: fetched with the row.
    found = Finding.objects.filter(request=request).select_related("case", "data_key")
    places = _places(list(found.values_list("field", flat=True)))
    out = []
    redactions = Prefetch("redactions", Redaction.objects.select_related("data_key"))
    for finding in found.prefetch_related(redactions):
        removals = list(finding.redactions.all())
        text = redact_text(
            finding.text or "", [Span(r.start, r.end, r.reason, r.exemption) for r in removals]
        )
        protected = json.loads(finding.protected or "[]")
        if protected and finding.case_id not in consented and identity_spans(text, protected):
            raise IdentityLeft(finding.case.reference)
        out.append(
            Item(
                reference=finding.case.reference,
                role=finding.role,
                role_text=_label(Capacity, finding.role),
                field=finding.field,
                text=text,
                where=places.get(finding.field, ""),
                evidence=finding.field.startswith("evidence:"),
                removals=[
                    Removal(
                        reason=_(r.reason) if r.automatic else r.reason,
                        exemption=r.exemption,
                        exemption_text=_label(Exemption, r.exemption),
                    )
                    for r in removals
                ],
            )
        )
    return out


def as_json(request: DataRequest, answer_items: list[Item]) -> str:
    """The answer as JSON: the request, the person, where they appear and what was removed."""
    with_text = request.kind == Kind.ACCESS
    body: dict[str, Any] = {
        "reference": request.reference,
        "kind": request.kind,
        "received_on": request.received_on.isoformat(),
        "due_on": request.due_on.isoformat(),
        "answered_on": timezone.localdate().isoformat(),
        "subject": {"name": request.subject_name, "email": request.subject_email},
        "appearances": [
            {
                "case": item.reference,
                "role": item.role,
                "field": item.field,
                **({"where": item.where} if item.where else {}),
                **({"text": item.text} if with_text else {}),
                "redactions": [
                    {"reason": r.reason, "exemption": r.exemption} for r in item.removals
                ],
            }
            for item in answer_items
        ],
    }
    if request.kind != Kind.ACCESS:
        body["outcome"] = {"decision": request.outcome, "what_was_done": request.outcome_details}
    return json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True)


def as_html(request: DataRequest, answer_items: list[Item]) -> str:
    title = _("Your personal data: request %(reference)s") % {"reference": request.reference}
    return render_to_string(
        "subjectaccess/answer.html",
        {
            "title": title,
            "scheme": settings.SCHEME_NAME,
            "language": get_language() or "en",
            "request": request,
            "kind": _label(Kind, request.kind),
            "outcome": _label(Outcome, request.outcome) if request.outcome else "",
            "with_text": request.kind == Kind.ACCESS,
            "items": answer_items,
            "answered_on": timezone.localdate(),
        },
    )


def as_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: heavy, and only the PDF needs it

    # PDF/UA-1, as the annual report: tagged, with its title and language in the document.
    return bytes(HTML(string=html).write_pdf(pdf_variant="pdf/ua-1"))


def build(request: DataRequest) -> Document:
    """The whole answer, JSON and PDF, for ``request`` as it stands."""
    answer_items = items(request)
    return Document(as_json(request, answer_items), as_pdf(as_html(request, answer_items)))
