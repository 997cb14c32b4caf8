"""The HTTP side of the matching key service: ``redress keyservice`` runs it.

It accepts one request: POST /evaluate with a blinded element, signed by a caller that shares
its secret. It refuses unsigned, wrongly signed or stale requests (401), callers over their
hourly limit (429) and anything that is not a valid element (400). Each evaluation is counted in
the ledger under the caller's name, with a digest of the element, never the element itself.
"""

from __future__ import annotations

import hmac
import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.db import close_old_connections, transaction

from redress.escrow import oprf
from redress.escrow.keyservice import MAX_SKEW_SECONDS, signature
from redress.ledger.services import append, digest_of

MAX_BODY = 1024


class RateLimit:
    """At most ``per_hour`` evaluations per caller in any rolling hour (in memory)."""

    def __init__(self, per_hour: int) -> None:
        self.per_hour = per_hour
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, caller: str, now: float | None = None) -> bool:
        now = now or time.monotonic()
        with self._lock:
            recent = self._seen.setdefault(caller, deque())
            while recent and now - recent[0] > 3600:
                recent.popleft()
            if len(recent) >= self.per_hour:
                return False
            recent.append(now)
            return True


def make_server(
    host: str, port: int, *, key: bytes, secret: bytes, per_hour: int
) -> ThreadingHTTPServer:
    limit = RateLimit(per_hour)

    class Handler(BaseHTTPRequestHandler):
        server_version = "redress-keyservice"
        sys_version = ""
        # Every request seen, for tests that check what the service is sent.
        received: list[bytes] = []

        def log_message(self, format: str, *args: Any) -> None:
            return  # no access log: callers' timing is nobody's business

        def _answer(self, status: int, payload: dict[str, str]) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            if self.path != "/evaluate":
                self._answer(404, {"detail": "Not found."})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length <= 0 or length > MAX_BODY:
                self._answer(400, {"detail": "Send a small JSON body."})
                return
            body = self.rfile.read(length)
            Handler.received.append(body)
            caller = self.headers.get("X-Caller", "")
            stamp = self.headers.get("X-Timestamp", "")
            given = self.headers.get("X-Signature", "")
            fresh = stamp.isdigit() and abs(time.time() - int(stamp)) <= MAX_SKEW_SECONDS
            expected = signature(secret, caller, stamp, body)
            if not caller or not fresh or not hmac.compare_digest(given, expected):
                self._answer(401, {"detail": "Not authenticated."})
                return
            if not limit.allow(caller):
                self._answer(429, {"detail": "Too many evaluations this hour."})
                return
            try:
                element = bytes.fromhex(json.loads(body)["blinded_element"])
                evaluated = oprf.evaluate(key, element)
            except (ValueError, KeyError, TypeError, oprf.OprfError):
                self._answer(400, {"detail": "Send one valid blinded element."})
                return
            close_old_connections()
            with transaction.atomic():
                append(
                    actor=f"keyservice:{caller[:80]}",
                    action="escrow.evaluated",
                    obj="keyservice",
                    digest=digest_of(element),
                )
            self._answer(200, {"evaluated_element": evaluated.hex()})

        def do_GET(self) -> None:
            self._answer(405, {"detail": "POST a blinded element to /evaluate."})

    return ThreadingHTTPServer((host, port), Handler)
