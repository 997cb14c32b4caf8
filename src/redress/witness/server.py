"""The witness's HTTP service (c2sp.org/tlog-witness) and the checks behind it.

Routes:

- ``POST /add-checkpoint``: the tlog-witness call. The body is the old size line, the
  consistency proof lines, an empty line and the signed checkpoint. Answers 200 with one
  `cosignature/v1` signature line; 400 when the body is malformed (or the old size is larger
  than the checkpoint's); 403 when no key this witness trusts for that origin signed it; 404
  for an origin it does not know; 409, with ``Content-Type: text/x.tlog.size`` and the size it
  last cosigned as the body, when the old size is not that size (or the sizes are equal and the
  root hashes differ); 411 without a Content-Length; 413 when the body is larger than
  `tlog_witness.MAX_WITNESS_REQUEST_BYTES` (said by the Content-Length, before any of it is
  read); 422 when the consistency proof does not verify. Every other refusal's body is one
  plain sentence.
- ``GET /checkpoint/<origin>``: the latest checkpoint cosigned for that log (the origin
  percent-encoded as a URL path, its slashes kept), with the log's signatures and this
  witness's cosignature; 404 when it never cosigned one.
- ``GET /vkey``: this witness's verifier key (signature type 0x04), one line.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from redress.ledger import tlog, tlog_witness
from redress.witness.keys import EVIDENCE_DIR, STATE_FILE, LogKeys, make_data_dir
from redress.witness.state import Cosigned, Evidence, State, clear_evidence, keep_evidence

logger = logging.getLogger("redress.witness")
http_logger = logging.getLogger("redress.witness.http")

MAX_BODY_BYTES = tlog_witness.MAX_WITNESS_REQUEST_BYTES
"""The largest add-checkpoint body read: an old size line, 63 proof lines and a large note."""
SOCKET_TIMEOUT_SECONDS = 10
"""A connection that sends nothing for this long is closed."""
MAX_CONNECTIONS = 64
"""Connections served at once; the log needs one or two."""
TEXT = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str = TEXT
    headers: Mapping[str, str] = field(default_factory=dict)


def plain(status: int, message: str, **headers: str) -> Response:
    return Response(status, (message.rstrip("\n") + "\n").encode(), TEXT, headers)


def refusal(problem: tlog.TlogError) -> Response:
    if isinstance(problem, tlog.WitnessConflict):
        return Response(problem.status, problem.body, problem.content_type)
    return plain(problem.status, str(problem))


class Witness:
    """A witness: its key, the logs it knows, and its record in the data folder.

    `add_checkpoint` is the whole of the tlog-witness call, HTTP aside."""

    def __init__(
        self,
        data: Path,
        signer: tlog.CosignatureSigner,
        logs: Mapping[str, Sequence[tlog.Verifier]],
        clock: Callable[[], float] = time.time,
    ) -> None:
        make_data_dir(data)
        self.data = data
        self.signer = signer
        self.logs: LogKeys = {origin: list(keys) for origin, keys in logs.items()}
        self.state = State(data / STATE_FILE)
        self.evidence_dir = data / EVIDENCE_DIR
        self.clock = clock

    @property
    def vkey(self) -> str:
        return self.signer.vkey

    def add_checkpoint(self, body: bytes) -> Response:
        """Check the request, and cosign its checkpoint if it extends the one last cosigned."""
        try:
            request, checked = tlog_witness.open_add_checkpoint(body, self.logs)
        except tlog.TlogError as problem:
            return refusal(problem)
        checkpoint = checked.checkpoint
        note = checked.note
        served = tlog.Note(note.text, tuple(sig.signature for sig in checked.log_signatures))
        refused: tlog.TlogError | None = None
        with self.state.transaction() as record:
            latest = record.get(checkpoint.origin)
            try:
                tlog_witness.check_add_checkpoint(
                    request,
                    checkpoint,
                    latest.size if latest else 0,
                    latest.root if latest else None,
                )
            except tlog.TlogError as problem:
                refused = problem  # nothing is written: the transaction ends unchanged
            else:
                # A cosignature never claims an earlier time than the one before it.
                timestamp = max(int(self.clock()), latest.timestamp if latest else 0)
                cosignature = self.signer.cosign(note.text, timestamp)
                record.put(
                    Cosigned(
                        checkpoint.origin,
                        checkpoint.size,
                        checkpoint.root,
                        timestamp,
                        served.with_signatures([cosignature]).format(),
                    )
                )
        if refused is not None:
            self._refused(latest, checked, body, refused)
            return refusal(refused)
        logger.info("cosigned %s at size %d", checkpoint.origin, checkpoint.size)
        self._cleared(checkpoint)
        return Response(200, tlog_witness.format_cosignatures([cosignature]))

    def _cleared(self, checkpoint: tlog.Checkpoint) -> None:
        """Drop the evidence kept about a checkpoint now proved consistent and cosigned."""
        try:
            removed = clear_evidence(
                self.evidence_dir, checkpoint.origin, checkpoint.size, checkpoint.root
            )
        except OSError:
            logger.exception("could not look through the evidence of %s", checkpoint.origin)
            return
        for folder in removed:
            logger.info(
                "the checkpoint of %s at size %d refused earlier is now proved consistent and "
                "cosigned: removed %s",
                checkpoint.origin,
                checkpoint.size,
                folder,
            )

    def _refused(
        self,
        latest: Cosigned | None,
        checked: tlog.VerifiedCheckpoint,
        body: bytes,
        problem: tlog.TlogError,
    ) -> None:
        """Say why a signed checkpoint was refused, and keep it beside the one cosigned unless
        it is that very checkpoint (a client that did not hear the answer the first time)."""
        checkpoint = checked.checkpoint
        origin = checkpoint.origin
        if latest is None or (latest.size, latest.root) == (checkpoint.size, checkpoint.root):
            logger.info(
                "refused a checkpoint of %s at size %d (HTTP %d): %s",
                origin,
                checkpoint.size,
                problem.status,
                problem,
            )
            return
        evidence = Evidence(
            cosigned=latest,
            refused_checkpoint=checked.note.format(),
            refused_size=checkpoint.size,
            refused_root=checkpoint.root,
            request=body,
            status=problem.status,
            reason=str(problem),
        )
        try:
            folder, new = keep_evidence(self.evidence_dir, evidence)
        except OSError as failure:
            kept = f"but the evidence could not be written ({failure}): check the data folder"
        else:
            kept = f"both checkpoints are kept as evidence in {folder}" + (
                "" if new else " (this same request was kept before)"
            )
        if latest.size == checkpoint.size:
            logger.error(
                "the log %s has forked: it signed two different trees of size %d; this witness "
                "cosigned one and refused the other (HTTP %d); %s",
                origin,
                checkpoint.size,
                problem.status,
                kept,
            )
        elif isinstance(problem, tlog.ProofError):
            logger.error(
                "refused a checkpoint of %s at size %d (HTTP %d): %s. It may rewrite the log's "
                "history as this witness cosigned it at size %d; %s",
                origin,
                checkpoint.size,
                problem.status,
                problem,
                latest.size,
                kept,
            )
        else:
            # Most often a log that does not know what this witness cosigned (it will retry
            # from the size in the 409); the evidence is removed if it then proves consistency.
            logger.log(
                logging.INFO if checkpoint.size > latest.size else logging.WARNING,
                "refused a checkpoint of %s at size %d (HTTP %d): %s. Nothing proves it extends "
                "the checkpoint cosigned at size %d; %s, until the log proves it consistent",
                origin,
                checkpoint.size,
                problem.status,
                problem,
                latest.size,
                kept,
            )

    def checkpoint(self, origin: str) -> Response:
        """The latest checkpoint cosigned for ``origin``, or 404."""
        latest = self.state.latest(origin)
        if latest is None:
            return plain(404, f"this witness has cosigned no checkpoint of the log {origin!r}")
        return Response(200, latest.checkpoint.encode(), headers={"Cache-Control": "no-store"})


class Handler(BaseHTTPRequestHandler):
    """The witness's routes over HTTP/1.1, with keep-alive."""

    server: WitnessServer
    protocol_version = "HTTP/1.1"
    server_version = "redress-witness"
    sys_version = ""
    timeout = SOCKET_TIMEOUT_SECONDS

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if path != "/add-checkpoint":
            self._refuse(plain(404, f"there is nothing at {path}"))
            return
        if self.headers.get("Transfer-Encoding"):
            self._refuse(plain(411, "send the request with a Content-Length, not chunked"))
            return
        declared = self.headers.get("Content-Length")
        if declared is None:
            self._refuse(plain(411, "the request has no Content-Length"))
            return
        if not declared.isascii() or not declared.isdigit() or len(declared) > 20:
            self._refuse(plain(400, "the Content-Length is not a number"))
            return
        length = int(declared)
        if length > MAX_BODY_BYTES:
            # Refused before reading any of it; the unread body ends the connection.
            self._refuse(plain(413, f"the request is larger than {MAX_BODY_BYTES} bytes"))
            return
        body = self.rfile.read(length)
        if len(body) != length:
            self._refuse(plain(400, "the request ended before its Content-Length"))
            return
        try:
            response = self.server.witness.add_checkpoint(body)
        except Exception:
            logger.exception("could not handle an add-checkpoint request")
            response = plain(500, "the witness could not handle the request; nothing was cosigned")
        self._respond(response)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        witness = self.server.witness
        if path == "/vkey":
            response = plain(200, witness.vkey)
        elif path.startswith("/checkpoint/") and len(path) > len("/checkpoint/"):
            try:
                origin = unquote(path[len("/checkpoint/") :], errors="strict")
            except UnicodeDecodeError:
                self._respond(plain(400, "the origin in the path is not UTF-8"))
                return
            try:
                response = witness.checkpoint(origin)
            except Exception:
                logger.exception("could not read the record of %r", origin)
                response = plain(500, "the witness could not read its record")
        elif path == "/add-checkpoint":
            response = plain(405, "add-checkpoint is a POST", Allow="POST")
        else:
            response = plain(404, f"there is nothing at {path}")
        self._respond(response)

    def _refuse(self, response: Response) -> None:
        """Answer and close the connection, whose request body was not read."""
        self.close_connection = True
        self._respond(response)

    def _respond(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        http_logger.info("%s %s", self.address_string(), format % args)


class WitnessServer(ThreadingHTTPServer):
    """A threaded HTTP server for one `Witness`; ``address`` is (host, port), port 0 for any.

    It serves at most `MAX_CONNECTIONS` connections at once; one more is closed at once."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], witness: Witness) -> None:
        self.witness = witness
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            http_logger.warning("refused a connection: %d are open already", MAX_CONNECTIONS)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{name}]" if ":" in name else name
        return f"http://{shown}:{port}"
