"""Gathering witnesses' cosignatures for the log's checkpoints (C2SP tlog-witness).

Each configured witness (``LOG_WITNESSES``: its URL prefix and verifier key) is sent each new
checkpoint with a consistency proof from the size it last cosigned; it answers with a
timestamped cosignature only when the new tree extends the one it saw. A checkpoint is
published once ``LOG_QUORUM`` witnesses have cosigned it. A witness that is down or slow
(``LOG_WITNESS_TIMEOUT_SECONDS``) delays publication and nothing else: this runs in the
worker, never in an act or a request, and the next pass asks again.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings

from redress.ledger import tlog, tlog_witness
from redress.ledger.models import LogCheckpoint

if TYPE_CHECKING:
    from redress.ledger.log import Against

log = logging.getLogger(__name__)

MAX_RESPONSE_BYTES = 64 * 1024


@dataclass(frozen=True)
class Witness:
    url: str
    verifier: tlog.Verifier

    @property
    def name(self) -> str:
        return self.verifier.name


def configured() -> list[Witness]:
    """The witnesses of ``LOG_WITNESSES``; ImproperlyConfigured-like ValueError when malformed."""
    found = []
    for item in settings.LOG_WITNESSES:
        url = str(item.get("url", "")).rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"a witness needs an http(s) URL, not {url!r}")
        found.append(Witness(url=url, verifier=tlog.witness_verifier(str(item.get("vkey", "")))))
    return found


def gather(checkpoint: LogCheckpoint) -> None:
    """Ask every witness to cosign ``checkpoint``; publish it with a quorum of cosignatures.

    With no witness (or a quorum of 0) the checkpoint is published at once, unwitnessed. A
    witness that refuses (its tree is not ours: 409 after a retry, or 422) is logged as an
    error: that is what a rewritten history looks like from outside.
    """
    from redress.ledger import log as transparency_log

    witnesses = configured()
    quorum = settings.LOG_QUORUM
    if not witnesses or quorum <= 0:
        transparency_log.publish(checkpoint)
        return
    cosignatures: list[tlog.Signature] = []
    for witness in witnesses:
        signature = _cosignature(witness, checkpoint)
        if signature is not None:
            cosignatures.append(signature)
    if len(cosignatures) >= quorum:
        transparency_log.publish(checkpoint, cosignatures)
    else:
        log.warning(
            "log checkpoint at size %s has %s of the %s cosignatures it needs; not published",
            checkpoint.size,
            len(cosignatures),
            quorum,
        )


def _cosignature(witness: Witness, checkpoint: LogCheckpoint) -> tlog.Signature | None:
    old_size = _last_cosigned(witness)
    for _attempt in range(2):
        try:
            status, body = _add_checkpoint(witness, checkpoint, old_size)
        except (OSError, tlog.TlogError) as error:
            log.warning("witness %s could not be reached: %s", witness.url, error)
            return None
        if status == 200:
            try:
                verified = tlog_witness.verify_cosignatures(checkpoint.note, body, witness.verifier)
            except tlog.TlogError as error:
                log.error("witness %s answered with no good cosignature: %s", witness.url, error)
                return None
            return verified[0].signature
        if status == 409 and _size(body) is not None:
            known = _size(body)
            if known is not None and known <= checkpoint.size and known != old_size:
                old_size = known  # it knows a different size: prove consistency from that one
                continue
        log.error(
            "witness %s refused the log checkpoint at size %s (HTTP %s): %s",
            witness.url,
            checkpoint.size,
            status,
            body[:200].decode(errors="replace").strip(),
        )
        return None
    return None


def _add_checkpoint(
    witness: Witness, checkpoint: LogCheckpoint, old_size: int
) -> tuple[int, bytes]:
    from redress.ledger import log as transparency_log

    proof = (
        transparency_log.consistency_proof(old_size, checkpoint.size)
        if 0 < old_size < checkpoint.size
        else []
    )
    body = tlog_witness.AddCheckpoint(old_size, tuple(proof), checkpoint.note).format()
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked in configured()
        f"{witness.url}/add-checkpoint", data=body, method="POST"
    )
    try:
        with urllib.request.urlopen(  # noqa: S310 - as above
            request, timeout=settings.LOG_WITNESS_TIMEOUT_SECONDS
        ) as response:
            return response.status, response.read(MAX_RESPONSE_BYTES)
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read(MAX_RESPONSE_BYTES)


def _size(body: bytes) -> int | None:
    text = body.decode(errors="replace").strip()
    return int(text) if text.isdigit() and len(text) < 20 else None


def _last_cosigned(witness: Witness) -> int:
    """The size of the newest checkpoint ``witness`` cosigned, as this log recorded it."""
    marker = f"{tlog.SIGNATURE_PREFIX}{witness.name} "
    for size, lines in (
        LogCheckpoint.objects.exclude(cosignatures="")
        .order_by("-size")
        .values_list("size", "cosignatures")[:50]
    ):
        if any(line.startswith(marker) for line in lines.splitlines()):
            return int(size)
    return 0


def latest_cosigned() -> list[Against]:
    """Each reachable witness's latest cosigned checkpoint of this log, for ``ledger verify``:
    fetched from the witness (``GET <url>/checkpoint/<origin>``), and kept only when both the
    log's signature and the witness's cosignature on it verify. A witness that cannot be
    reached is skipped with a warning."""
    from redress.ledger import log as transparency_log

    found: list[Against] = []
    origin = transparency_log.origin()
    for witness in configured():
        url = f"{witness.url}/checkpoint/{urllib.parse.quote(origin, safe='')}"
        try:
            with urllib.request.urlopen(  # noqa: S310 - http(s) only, checked in configured()
                url, timeout=settings.LOG_WITNESS_TIMEOUT_SECONDS
            ) as response:
                note = response.read(MAX_RESPONSE_BYTES)
        except urllib.error.HTTPError as error:
            if error.code != 404:  # 404: it has cosigned nothing of this log yet
                log.warning("witness %s answered %s", witness.url, error.code)
            continue
        except OSError as error:
            log.warning("witness %s could not be reached: %s", witness.url, error)
            continue
        try:
            checked = tlog.verify_checkpoint(
                note,
                transparency_log.verifiers(),
                witnesses=[witness.verifier],
                quorum=1,
                origin=origin,
            )
        except tlog.TlogError as error:
            log.warning("witness %s gave a checkpoint that does not verify: %s", witness.url, error)
            continue
        found.append(
            transparency_log.Against(
                f"the checkpoint witness {witness.name} cosigned at size {checked.checkpoint.size}",
                checked.checkpoint.size,
                checked.checkpoint.root,
            )
        )
    return found
