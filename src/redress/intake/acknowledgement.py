"""Acknowledgements: a file, kept by the complainant, that proves their report was made, when,
and that it is in the published log, checkable by anyone without trusting Redress.

The file is version 2 of the acknowledgement that ``redress.ledger.tlog`` describes and checks
(``tlog.verify_acknowledgement``; ``python tlog.py verify`` is the standalone verifier):

- ``statement``: the log's origin, the case reference, the time received and the report's entry
  in the log (the salted 32-byte digest of its ``case.received`` ledger entry), as a note signed
  by the log's key. It is there from the moment the report is made.
- ``tlog_proof``: a ``c2sp.org/tlog-proof@v1`` that the entry is in a published checkpoint (the
  first one that covers it, unless the complainant kept another). It is ``null`` until a
  published checkpoint covers the entry: the worker makes one every ``LOG_CHECKPOINT_SECONDS``.
- ``latest``: when a newer checkpoint has been published since, a proof against the newest one
  and the consistency proof from the first, so a file fetched later shows that the report is
  still there and that the log has only grown by appending.

The file is compact JSON with no trailing newline and nothing but these fields, so that every
byte of it is part of what is checked (``check`` also refuses fields it does not know).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from redress.cases.models import Case
from redress.ledger import log, tlog
from redress.ledger.checkpoints import format_time
from redress.ledger.events import Action
from redress.ledger.models import Entry, LogCheckpoint

KIND = tlog.ACKNOWLEDGEMENT_KIND
VERSION = tlog.ACKNOWLEDGEMENT_VERSION
FIELDS = ("kind", "version", "case", "received_at", "statement", "tlog_proof", "latest")
LATEST_FIELDS = ("tlog_proof", "consistency")
CONTENT_TYPE = "application/json"
MAX_BYTES = tlog.MAX_ACKNOWLEDGEMENT_BYTES


class RenewRefused(Exception):
    """A kept acknowledgement cannot be renewed; the message says why, in plain words.

    ``record_changed`` is False when the fault is the file's, and True when the file is genuine
    but the log today does not extend its checkpoint: what a changed record looks like from
    outside."""

    def __init__(self, message: str, *, record_changed: bool = False) -> None:
        super().__init__(message)
        self.record_changed = record_changed


@dataclass(frozen=True)
class Place:
    """Where a report is in the published log: its entry's index and 32-byte digest."""

    case: str
    received_at: str
    index: int
    digest: bytes


@dataclass(frozen=True)
class ProofState:
    """Whether a published checkpoint covers the report yet, and if not, about when one will."""

    ready: bool
    ready_by: dt.datetime | None


def received_entry(case: Case) -> Entry:
    """The ``case.received`` ledger entry: the record of the report's arrival."""
    return Entry.objects.get(action=Action.CASE_RECEIVED, object=f"case:{case.reference}")


def place(case: Case, entry: Entry | None = None) -> Place:
    """The report's place in the log, from its ``case.received`` entry."""
    entry = entry or received_entry(case)
    index = log.entry_index(entry)
    (digest,) = log.log_entries(index, 1)
    return Place(
        case=case.reference, received_at=format_time(entry.time), index=index, digest=digest
    )


def statement(where: Place) -> str:
    """The statement, signed by the log's key, binding the case and time to the entry."""
    return tlog.Statement(log.origin(), where.case, where.received_at, where.digest).sign(
        log.signer()
    )


def _covering(index: int) -> LogCheckpoint | None:
    """The first published checkpoint whose tree holds entry ``index``."""
    return (
        LogCheckpoint.objects.filter(published_at__isnull=False, size__gt=index)
        .order_by("size")
        .first()
    )


def _published_of_size(size: int) -> LogCheckpoint | None:
    return LogCheckpoint.objects.filter(published_at__isnull=False, size=size).first()


def proof(where: Place, checkpoint: LogCheckpoint) -> str:
    """The ``c2sp.org/tlog-proof@v1`` of the entry in ``checkpoint``, the digest as extra."""
    hashes = tuple(log.inclusion_proof(where.index, checkpoint.size))
    return tlog.TlogProof(
        index=where.index, hashes=hashes, checkpoint=checkpoint.signed_note(), extra=where.digest
    ).format()


def consistency(old_size: int, new_size: int) -> list[str]:
    """The consistency proof from the tree of ``old_size`` to that of ``new_size``, in base64."""
    return [base64.b64encode(h).decode("ascii") for h in log.consistency_proof(old_size, new_size)]


def _file(where: Place) -> dict[str, Any]:
    return {
        "kind": KIND,
        "version": VERSION,
        "case": where.case,
        "received_at": where.received_at,
        "statement": statement(where),
        "tlog_proof": None,
    }


def build(case: Case, *, where: Place | None = None, since: int | None = None) -> dict[str, Any]:
    """The acknowledgement as it stands now.

    Its proof is against the first published checkpoint that covers the report, or the
    published checkpoint of size ``since`` when that one covers it (the one in a file the
    complainant kept); a newer published checkpoint adds ``latest``. Without a published
    checkpoint that covers the report, ``tlog_proof`` is null.
    """
    where = where or place(case)
    ack = _file(where)
    newest = log.published()
    if newest is None or newest.size <= where.index:
        return ack
    base = _published_of_size(since) if since is not None and since > where.index else None
    base = base or _covering(where.index) or newest
    ack["tlog_proof"] = proof(where, base)
    if newest.size > base.size:
        ack["latest"] = {
            "tlog_proof": proof(where, newest),
            "consistency": consistency(base.size, newest.size),
        }
    return ack


def loads(data: bytes | str) -> dict[str, Any]:
    """An acknowledgement file read as JSON, refused (``tlog.MalformedError``) when it is too
    large, not a JSON object, or carries a field the format does not have."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) > MAX_BYTES:
        raise tlog.TooLarge("the acknowledgement file is too large")
    try:
        ack = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise tlog.MalformedError("the acknowledgement is not valid JSON") from None
    if not isinstance(ack, dict):
        raise tlog.MalformedError("the acknowledgement is not a JSON object")
    unknown = sorted(set(ack) - set(FIELDS))
    later = ack.get("latest")
    if isinstance(later, Mapping):
        unknown += [f"latest.{key}" for key in sorted(set(later) - set(LATEST_FIELDS))]
    if unknown:
        raise tlog.MalformedError(
            f"the acknowledgement has a field it should not have: {', '.join(unknown)}"
        )
    return ack


def check(
    data: bytes | str,
    log_keys: Iterable[tlog.Verifier],
    witnesses: Iterable[tlog.Verifier] = (),
    quorum: int = 0,
) -> tlog.VerifiedAcknowledgement:
    """Check an acknowledgement file as the standalone verifier does
    (``tlog.verify_acknowledgement``), and refuse fields the format does not have."""
    return tlog.verify_acknowledgement(loads(data), list(log_keys), list(witnesses), quorum)


def renew(case: Case, kept: bytes) -> dict[str, Any]:
    """The acknowledgement renewed from one the complainant kept: their proof stays as it is,
    and ``latest`` proves the report against the newest published checkpoint with the
    consistency proof from the checkpoint in their proof.

    Refuses (``RenewRefused``) a file that is not a genuine acknowledgement of this report from
    this log. A kept file without a proof yet gives the acknowledgement as it stands now.
    """
    try:
        ack = loads(kept)
        if ack.get("tlog_proof") is None:
            if ack.get("kind") != KIND or ack.get("version") != VERSION:
                raise tlog.MalformedError(
                    f"this is not a Redress acknowledgement of version {VERSION}"
                )
            kept_statement = tlog.verify_statement(str(ack.get("statement", "")), log.verifiers())
            checked = None
        else:
            checked = tlog.verify_acknowledgement(ack, log.verifiers())
            kept_statement = checked.statement
    except tlog.TlogError as problem:
        raise RenewRefused(str(problem)) from None
    where = place(case)
    if kept_statement.entry != where.digest or kept_statement.case != where.case:
        raise RenewRefused("this file is the acknowledgement of another report")
    if checked is None:
        return build(case)
    if checked.proof.index != where.index:
        raise RenewRefused("this file puts the report at another place in the log")
    kept_checkpoint = checked.proof.checkpoint.checkpoint
    newest = log.published()
    if newest is None or newest.size < kept_checkpoint.size:
        raise RenewRefused(
            "the log has no published checkpoint as large as the one in this file",
            record_changed=True,
        )
    hashes = log.consistency_proof(kept_checkpoint.size, newest.size)
    try:
        tlog.verify_consistency(
            kept_checkpoint.size, newest.size, kept_checkpoint.root, bytes(newest.root), hashes
        )
    except tlog.ProofError:
        raise RenewRefused(
            "the log today does not extend the checkpoint in this file: the record may have "
            "been changed since",
            record_changed=True,
        ) from None
    renewed = _file(where)
    renewed["tlog_proof"] = ack["tlog_proof"]
    if newest.size > kept_checkpoint.size:
        renewed["latest"] = {
            "tlog_proof": proof(where, newest),
            "consistency": [base64.b64encode(h).decode("ascii") for h in hashes],
        }
    return renewed


def state(case: Case) -> ProofState:
    """Whether the report's proof is ready: a published checkpoint covers its entry."""
    index = log.entry_index(received_entry(case))
    newest = log.published()
    if newest is not None and newest.size > index:
        return ProofState(ready=True, ready_by=None)
    return ProofState(ready=False, ready_by=next_checkpoint_by())


def next_checkpoint_by(now: dt.datetime | None = None) -> dt.datetime:
    """About when the next checkpoint will be published, at the latest: the worker makes one
    every ``LOG_CHECKPOINT_SECONDS`` after the last; rounded up to the minute."""
    now = now or timezone.now()
    every = dt.timedelta(seconds=settings.LOG_CHECKPOINT_SECONDS)
    last = LogCheckpoint.objects.order_by("-size").values_list("time", flat=True).first()
    due = last + every if last is not None and last + every > now else now + every
    rounded = due.replace(second=0, microsecond=0)
    return rounded if rounded == due else rounded + dt.timedelta(minutes=1)


def dumps(ack: Mapping[str, Any]) -> bytes:
    """The file's bytes: compact JSON, fields in their documented order, no trailing newline."""
    ordered = {key: ack[key] for key in FIELDS if key in ack}
    return json.dumps(ordered, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def filename(ack: Mapping[str, Any]) -> str:
    return f"redress-acknowledgement-{ack['case']}.json"
