"""Evidence on a case: the one writer of attachment rows.

Every file, from the complainant (with the report or later), a handler or the respondent, is
added here: with the case's row locked, within the complainant's file limit, and with the stored
file removed again when its row cannot be written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from redress.accounts.models import User
from redress.cases.actions.base import CaseError, _lock, _obj, _ref, live_roles
from redress.cases.cleaning import Cleaning
from redress.cases.models import Attachment, Case, Source, Stage
from redress.ledger.append import append, digest_of
from redress.ledger.events import Action
from redress.vault.storage import EncryptingStorage

# At most this many of the complainant's files on a case in all (the wizard's ten included), so
# the complainant's front door cannot be used to fill the store.
MAX_COMPLAINANT_FILES = 20


class CaseFull(CaseError):
    """The case already has as many of the complainant's files as it may."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"a case takes at most {limit} files from the complainant")
        self.limit = limit


class ReportClosed(CaseError):
    """The report was withdrawn or closed, so it takes no more messages or evidence."""


@dataclass(frozen=True)
class SealedFile:
    """A file already stored, sealed with the case's key (staged while the report was written)."""

    stored_name: str
    kind: str
    size: int
    kept_original: bool
    original_name: str
    # What the sanitiser removed and what the file still shows; None when it was not recorded.
    cleaning: Cleaning | None = None


def complainant_files(case: Case) -> int:
    return case.attachments.filter(source=Source.COMPLAINANT).count()


def _refuse_unless_open(case: Case, source: Source, *, count: bool) -> None:
    # The complainant's channel closes when they withdraw; the others' when the case closes.
    if source == Source.COMPLAINANT:
        if case.withdrawn_at is not None:
            raise ReportClosed("This report was withdrawn.")
        if count and complainant_files(case) >= MAX_COMPLAINANT_FILES:
            raise CaseFull(MAX_COMPLAINANT_FILES)
    elif case.stage == Stage.CLOSED:
        raise CaseError(_("The case is closed."))


def attach(
    case: Case,
    data: bytes,
    *,
    kind: str,
    original_name: str,
    kept_original: bool,
    source: Source,
    actor: User | str,
    cleaning: Cleaning | None = None,
) -> Attachment:
    """Add evidence, already checked and cleaned by the front door, sealed with the case's key.

    ``cleaning`` is the sanitiser's account of what it removed and what the file still shows,
    kept for the staff who read the evidence (None: not recorded). A member of staff who adds a
    file is kept as ``added_by``.

    Refuses (``CaseError``) a member of staff not assigned to the case, and a closed case for
    handlers and the respondent; for the complainant,
    a withdrawn report (``ReportClosed``) and a case that already holds
    ``MAX_COMPLAINANT_FILES`` of their files (``CaseFull``), counted with the case's row locked so
    two uploads at once cannot both take the last place. A refused or failed write removes the
    stored file: nothing names it.
    """
    _refuse_unless_open(case, source, count=False)
    storage = EncryptingStorage()
    stored = storage.save_sealed(data, case.data_key)
    try:
        with transaction.atomic():
            locked = _lock(case)
            if isinstance(actor, User) and not live_roles(locked, actor):
                raise CaseError(_("Only the case's handlers can add evidence."))
            _refuse_unless_open(locked, source, count=True)
            sealed = SealedFile(stored, kind, len(data), kept_original, original_name, cleaning)
            added_by = actor if isinstance(actor, User) else None
            attachment = _save(locked, sealed, source=source, added_by=added_by)
            append(
                actor=_ref(actor),
                action=Action.CASE_EVIDENCE_ADDED,
                obj=_obj(locked),
                digest=digest_of(data),
            )
    except BaseException:
        storage.delete(stored)
        raise
    return attachment


def staged(case: Case, files: Iterable[SealedFile]) -> list[Attachment]:
    """The complainant's files staged with the report, as unsaved rows for ``receive`` to write
    with the new case: nobody else can add to a case not yet committed, and the report's own
    entry covers them."""
    return [_attachment(case, sealed, source=Source.COMPLAINANT) for sealed in files]


def _save(case: Case, sealed: SealedFile, *, source: Source, added_by: User | None) -> Attachment:
    attachment = _attachment(case, sealed, source=source)
    attachment.added_by = added_by
    attachment.save()
    return attachment


def _attachment(case: Case, sealed: SealedFile, *, source: Source) -> Attachment:
    attachment = Attachment(
        case=case,
        data_key=case.data_key,
        stored_name=sealed.stored_name,
        kind=sealed.kind,
        size=sealed.size,
        kept_original=sealed.kept_original,
        source=source,
    )
    attachment.original_name = sealed.original_name[:200]
    if sealed.cleaning is not None:
        attachment.cleaning = sealed.cleaning.to_json()
    return attachment
