"""The HTTP side of the matching key service: ``redress keyservice`` runs it.

It accepts one request: POST /evaluate with the JSON body ``{"blinded_element": "<64 hex>"}``
and nothing else, signed by a caller that shares its secret (``keyservice.signed_headers``). It
refuses unsigned, wrongly signed, stale or replayed requests (401), callers over their hourly
limit (429) and anything that is not one valid element (400). Each evaluation is counted in the
ledger under the caller's name with a digest of the element, never the element itself; if the
ledger cannot be written the evaluation is not sent (503). Errors are one-line JSON, never a
stack trace.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone

from redress.escrow import oprf
from redress.escrow.keyservice import CALLER, MAX_SKEW_SECONDS, NONCE, signature
from redress.ledger.append import append, digest_of
from redress.ledger.errors import LedgerError
from redress.ledger.events import Action
from redress.ledger.models import Entry

ACTION = Action.ESCROW_EVALUATED
MAX_BODY = 1024
WINDOW_SECONDS = 3600
RECEIVED_KEPT = 32
log = logging.getLogger(__name__)


class RateLimit:
    """At most ``per_hour`` evaluations per caller in any rolling hour. Counted in memory, and
    seeded from the ledger at start-up so a restart does not hand out a fresh hour."""

    def __init__(self, per_hour: int) -> None:
        self.per_hour = per_hour
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, caller: str, now: float | None = None) -> bool:
        """Count one evaluation for ``caller`` and say whether it is within the limit."""
        now = time.monotonic() if now is None else now
        with self._lock:
            recent = self._seen.setdefault(caller, deque())
            while recent and now - recent[0] >= WINDOW_SECONDS:
                recent.popleft()
            if len(recent) >= self.per_hour:
                return False
            recent.append(now)
            return True

    def seed(self, earlier: Iterable[tuple[str, float]]) -> None:
        """Count evaluations made ``seconds_ago`` by each caller before this process started."""
        now = time.monotonic()
        with self._lock:
            for caller, seconds_ago in sorted(earlier, key=lambda pair: -pair[1]):
                if 0 <= seconds_ago < WINDOW_SECONDS:
                    self._seen.setdefault(caller, deque()).append(now - seconds_ago)


def evaluations_in_the_last_hour() -> list[tuple[str, float]]:
    """(caller, seconds ago) for each evaluation the ledger holds from the last hour."""
    now = timezone.now()
    since = now - dt.timedelta(seconds=WINDOW_SECONDS)
    found: list[tuple[str, float]] = []
    rows = Entry.objects.filter(action=ACTION, time__gte=since).values_list("actor", "time")
    for actor, moment in rows:
        caller = actor.removeprefix("keyservice:")
        found.append((caller, (now - moment).total_seconds()))
    return found


class Nonces:
    """Nonces seen within the freshness window: each signed request is answered once."""

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def first_use(self, caller: str, nonce: str) -> bool:
        now = time.monotonic()
        with self._lock:
            # A stamp is fresh for MAX_SKEW_SECONDS either side, so a nonce must be kept twice that.
            for old in [k for k, at in self._seen.items() if now - at > 2 * MAX_SKEW_SECONDS]:
                del self._seen[old]
            key = f"{caller}\n{nonce}"
            if key in self._seen:
                return False
            self._seen[key] = now
            return True


class KeyServiceServer(ThreadingHTTPServer):
    """One key, one shared secret, one rate limit; a thread per request."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        *,
        key: bytes,
        secret: bytes,
        per_hour: int,
    ) -> None:
        self.key = oprf.check_scalar(key)
        self.secret = secret
        self.limit = RateLimit(per_hour)
        self.nonces = Nonces()
        super().__init__(address, handler)


class Refused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class KeyServiceHandler(BaseHTTPRequestHandler):
    server: KeyServiceServer
    server_version = "redress-keyservice"
    sys_version = ""
    # The last few request bodies, exactly as received: lets checks confirm what callers send.
    received: deque[bytes] = deque(maxlen=RECEIVED_KEPT)

    def log_message(self, format: str, *args: Any) -> None:
        return  # no access log: when callers ask is nobody's business

    def _answer(self, status: int, payload: dict[str, str]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if status == 429:
            self.send_header("Retry-After", str(WINDOW_SECONDS // 6))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        try:
            evaluated = self._evaluate()
        except Refused as refused:
            self._answer(refused.status, {"detail": refused.detail})
        except Exception:  # the caller gets one line; the operator gets the trace
            log.exception("the key service failed on a request")
            self._answer(500, {"detail": "The key service failed."})
        else:
            self._answer(200, {"evaluated_element": evaluated.hex()})

    def do_GET(self) -> None:
        self._answer(405, {"detail": "POST a blinded element to /evaluate."})

    def _evaluate(self) -> bytes:
        if self.path != "/evaluate":
            raise Refused(404, "Not found.")
        body = self._body()
        caller = self._authenticated(body)
        if not self.server.limit.allow(caller):
            raise Refused(429, "Too many evaluations this hour.")
        element = _blinded_element(body)
        try:
            evaluated = oprf.evaluate(self.server.key, element)
        except oprf.OprfError:
            raise Refused(400, "Send one valid blinded element.") from None
        self._record(caller, element)
        return evaluated

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            raise Refused(400, "Send a Content-Length.")
        length = self.headers.get("Content-Length", "")
        if not length.isdigit() or not 0 < int(length) <= MAX_BODY:
            raise Refused(400, "Send a small JSON body with its Content-Length.")
        body = self.rfile.read(int(length))
        type(self).received.append(body)
        return body

    def _authenticated(self, body: bytes) -> str:
        caller = self.headers.get("X-Caller", "")
        stamp = self.headers.get("X-Timestamp", "")
        nonce = self.headers.get("X-Nonce", "")
        given = self.headers.get("X-Signature", "")
        well_formed = CALLER.fullmatch(caller) and NONCE.fullmatch(nonce) and stamp.isdigit()
        if not well_formed or abs(time.time() - int(stamp)) > MAX_SKEW_SECONDS:
            raise Refused(401, "Not authenticated.")
        expected = signature(self.server.secret, caller, stamp, nonce, body)
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise Refused(401, "Not authenticated.")
        if not self.server.nonces.first_use(caller, nonce):
            raise Refused(401, "Not authenticated: this request was already answered.")
        return caller

    def _record(self, caller: str, element: bytes) -> None:
        close_old_connections()
        try:
            with transaction.atomic():
                append(
                    actor=f"keyservice:{caller}",
                    action=ACTION,
                    obj="keyservice",
                    digest=digest_of(element),
                )
        except (DatabaseError, LedgerError):
            log.exception("the key service could not write to the ledger")
            raise Refused(503, "The evaluation could not be recorded; try again.") from None
        finally:
            # Each request has its own thread: close its connection rather than leave it open.
            connection.close()


def _blinded_element(body: bytes) -> bytes:
    try:
        payload = json.loads(body)
        if not isinstance(payload, dict) or set(payload) != {"blinded_element"}:
            raise ValueError("only the blinded element")
        text = payload["blinded_element"]
        if not isinstance(text, str) or len(text) != 2 * oprf.ELEMENT_BYTES:
            raise ValueError("64 hex digits")
        return bytes.fromhex(text)
    except ValueError:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise Refused(400, "Send one valid blinded element.") from None


def make_server(
    host: str, port: int, *, key: bytes, secret: bytes, per_hour: int
) -> KeyServiceServer:
    """A key service bound to ``host:port`` (port 0 picks a free one), not yet serving.

    Each server gets its own handler class, so what one server was sent (``received``) is kept
    apart from another's. Refuses (``OprfError``) a key that is not a valid scalar."""

    class Handler(KeyServiceHandler):
        received: deque[bytes] = deque(maxlen=RECEIVED_KEPT)

    return KeyServiceServer((host, port), Handler, key=key, secret=secret, per_hour=per_hour)
