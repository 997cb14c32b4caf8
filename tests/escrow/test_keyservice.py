"""The matching key service, in-process and over HTTP, as its callers and attackers meet it:
strangers and forged, stale or replayed requests get 401; a caller over its hourly share gets 429
while another still works; the service is sent the blinded element and nothing else; both
implementations give the same outputs; every evaluation is in the ledger without the element;
failures reach the caller as one plain line, never a stack trace."""

from __future__ import annotations

import base64
import http.client
import json
import os
import stat
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import DatabaseError

from redress.escrow import oprf, server
from redress.escrow.keyservice import (
    HttpKeyService,
    InProcessKeyService,
    KeyServiceBusy,
    KeyServiceError,
    get_key_service,
    matching_key,
    shared_secret,
    signature,
    signed_headers,
)
from redress.escrow.server import KeyServiceServer, evaluations_in_the_last_hour, make_server
from redress.ledger.append import append, digest_of
from redress.ledger.models import Entry

SECRET = b"a shared secret for tests"
IDENTIFIER = b"M-4521"
ELEMENT = oprf.hash_to_group(b"some element")


@pytest.fixture
def key() -> bytes:
    return oprf.generate_key()


@pytest.fixture
def data_dir(tmp_path: Path, settings: Any) -> Path:
    settings.KEYS_DIR = tmp_path / "keys"
    return tmp_path


def _start(key: bytes, per_hour: int = 60) -> tuple[KeyServiceServer, str]:
    running = make_server("127.0.0.1", 0, key=key, secret=SECRET, per_hour=per_hour)
    threading.Thread(target=running.serve_forever, args=(0.05,), daemon=True).start()
    return running, f"http://127.0.0.1:{running.server_address[1]}"


@pytest.fixture
def service(key: bytes, transactional_db: None) -> Iterator[tuple[KeyServiceServer, str]]:
    running, url = _start(key, per_hour=3)
    yield running, url
    running.shutdown()
    running.server_close()


def _post(
    url: str, body: bytes, headers: dict[str, str], path: str = "/evaluate"
) -> tuple[int, dict[str, Any]]:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read()
    finally:
        conn.close()
    assert b"Traceback" not in text
    return response.status, json.loads(text)


def _body(element: bytes = ELEMENT) -> bytes:
    return json.dumps({"blinded_element": element.hex()}).encode()


def _client(url: str, caller: str = "web-1", secret: bytes = SECRET) -> HttpKeyService:
    return HttpKeyService(url, caller=caller, secret=secret)


def _evaluations() -> int:
    return Entry.objects.filter(action="escrow.evaluated").count()


def test_strangers_and_forged_stale_or_replayed_requests_get_401(
    service: tuple[KeyServiceServer, str],
) -> None:
    _server, url = service
    body = _body()
    good = signed_headers(SECRET, "web-1", body)

    assert _post(url, body, {})[0] == 401  # no signature at all
    assert _post(url, body, signed_headers(b"a guessed secret, wrong", "web-1", body))[0] == 401
    assert _post(url, _body(oprf.hash_to_group(b"other")), good)[0] == 401  # body swapped
    assert _post(url, body, {**good, "X-Caller": "web-2"})[0] == 401  # another caller's name
    stale = str(int(time.time()) - 600)
    nonce = "0" * 32
    old = {
        "X-Caller": "web-1",
        "X-Timestamp": stale,
        "X-Nonce": nonce,
        "X-Signature": signature(SECRET, "web-1", stale, nonce, body),
    }
    assert _post(url, body, old)[0] == 401  # signed properly, ten minutes ago
    with pytest.raises(KeyServiceError, match="401"):
        _client(url, secret=b"not the shared secret at all").evaluate(ELEMENT)

    status, answer = _post(url, body, good)
    assert status == 200
    assert oprf.check_element(bytes.fromhex(answer["evaluated_element"]))
    replayed, detail = _post(url, body, good)
    assert replayed == 401
    assert detail == {"detail": "Not authenticated: this request was already answered."}
    assert _evaluations() == 1  # only the genuine request was evaluated


def test_a_caller_over_its_rate_gets_429_while_another_still_works(
    service: tuple[KeyServiceServer, str],
) -> None:
    _server, url = service
    busy = _client(url, "web-1")
    for _ in range(3):
        busy.evaluate(ELEMENT)
    with pytest.raises(KeyServiceBusy, match="429"):
        busy.evaluate(ELEMENT)
    status, detail = _post(url, _body(), signed_headers(SECRET, "web-1", _body()))
    assert (status, detail) == (429, {"detail": "Too many evaluations this hour."})
    assert _client(url, "worker-1").evaluate(ELEMENT)
    assert _evaluations() == 4


def test_a_restart_does_not_hand_out_a_fresh_hour(key: bytes, transactional_db: None) -> None:
    for _ in range(3):
        append(actor="keyservice:web-1", action="escrow.evaluated", obj="keyservice")
    running, url = _start(key, per_hour=3)
    try:
        running.limit.seed(evaluations_in_the_last_hour())
        with pytest.raises(KeyServiceBusy):
            _client(url, "web-1").evaluate(ELEMENT)
        assert _client(url, "web-2").evaluate(ELEMENT)
    finally:
        running.shutdown()
        running.server_close()


@pytest.mark.parametrize("identifier", ["M-4521", "S-0007", "Ffion Ap Rhys, Aelod o'r Senedd"])
def test_the_service_is_sent_only_the_blinded_element(
    service: tuple[KeyServiceServer, str], key: bytes, identifier: str
) -> None:
    running, url = service
    data = identifier.encode()
    _blind, blinded = oprf.blind(data)
    _client(url).evaluate(blinded)

    (sent,) = running.RequestHandlerClass.received  # type: ignore[attr-defined]
    assert json.loads(sent) == {"blinded_element": blinded.hex()}
    group_element = oprf.hash_to_group(data)
    for secret in (data, group_element):
        for form in (secret, secret.hex().encode(), base64.b64encode(secret)):
            assert form not in sent
            assert form.upper() not in sent.upper()


def test_http_and_in_process_give_the_same_output_for_one_key(
    service: tuple[KeyServiceServer, str], key: bytes
) -> None:
    _server, url = service
    blind, blinded = oprf.blind(IDENTIFIER)
    over_http = oprf.finalize(IDENTIFIER, blind, _client(url).evaluate(blinded))
    in_process = oprf.finalize(IDENTIFIER, blind, InProcessKeyService(key).evaluate(blinded))
    assert over_http == in_process == oprf.prf(key, IDENTIFIER)
    # Fresh blinding, same person: the same output again (matching depends on it).
    blind, blinded = oprf.blind(IDENTIFIER)
    assert oprf.finalize(IDENTIFIER, blind, _client(url).evaluate(blinded)) == over_http


def test_each_evaluation_is_in_the_ledger_without_the_element(
    service: tuple[KeyServiceServer, str],
) -> None:
    _server, url = service
    first, second = oprf.blind(b"A-1")[1], oprf.blind(b"A-2")[1]
    _client(url, "web-1").evaluate(first)
    _client(url, "worker-1").evaluate(second)
    entries = list(Entry.objects.filter(action="escrow.evaluated").order_by("seq"))
    assert [(e.actor, e.object, e.digest) for e in entries] == [
        ("keyservice:web-1", "keyservice", digest_of(first)),
        ("keyservice:worker-1", "keyservice", digest_of(second)),
    ]
    for entry in entries:
        fields = f"{entry.actor} {entry.action} {entry.object} {entry.digest}"
        assert first.hex() not in fields
        assert second.hex() not in fields


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(_body(bytes(32)), id="the identity element"),
        pytest.param(_body(b"\xff" * 32), id="not canonical"),
        pytest.param(json.dumps({"blinded_element": "zz" * 32}).encode(), id="not hex"),
        pytest.param(json.dumps({"blinded_element": ELEMENT.hex()[:62]}).encode(), id="too short"),
        pytest.param(
            json.dumps({"blinded_element": ELEMENT.hex(), "input": "M-4521"}).encode(), id="extra"
        ),
        pytest.param(json.dumps([ELEMENT.hex()]).encode(), id="not an object"),
        pytest.param(b"\xff\xfe not json", id="not JSON"),
    ],
)
def test_anything_but_one_valid_element_gets_a_plain_400(
    service: tuple[KeyServiceServer, str], body: bytes
) -> None:
    _server, url = service
    status, detail = _post(url, body, signed_headers(SECRET, "web-1", body))
    assert (status, detail) == (400, {"detail": "Send one valid blinded element."})
    assert _evaluations() == 0


def test_malformed_requests_get_plain_answers(service: tuple[KeyServiceServer, str]) -> None:
    _server, url = service
    body = _body()
    headers = signed_headers(SECRET, "web-1", body)
    assert _post(url, body, headers, path="/other")[0] == 404
    assert _post(url, b"x" * 2000, signed_headers(SECRET, "web-1", b"x" * 2000))[0] == 400
    for odd_name in ("web 1", "x" * 65, "", "-web"):  # signed, but not a caller's name
        assert _post(url, body, signed_headers(SECRET, odd_name, body))[0] == 401
    with pytest.raises(KeyServiceError, match="refused"):
        _client(url).evaluate(bytes(32))  # the client refuses before sending
    assert _evaluations() == 0


def test_no_evaluation_leaves_without_its_ledger_entry(
    service: tuple[KeyServiceServer, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _server, url = service

    def ledger_down(**kwargs: Any) -> None:
        raise DatabaseError("database is locked")

    monkeypatch.setattr(server, "append", ledger_down)
    status, answer = _post(url, _body(), signed_headers(SECRET, "web-1", _body()))
    assert status == 503
    assert "evaluated_element" not in answer
    with pytest.raises(KeyServiceError, match="ledger"):
        _client(url).evaluate(ELEMENT)


def test_an_unexpected_failure_reaches_the_caller_as_one_line(
    service: tuple[KeyServiceServer, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _server, url = service

    def broken(sk: bytes, element: bytes) -> bytes:
        raise RuntimeError("internal detail that must stay inside")

    monkeypatch.setattr(oprf, "evaluate", broken)
    status, answer = _post(url, _body(), signed_headers(SECRET, "web-1", _body()))
    assert (status, answer) == (500, {"detail": "The key service failed."})


def test_a_lying_or_absent_key_service_is_a_clear_error() -> None:
    class Liar(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.dumps({"evaluated_element": "00" * 32}).encode()  # the identity
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    liar = ThreadingHTTPServer(("127.0.0.1", 0), Liar)
    threading.Thread(target=liar.serve_forever, daemon=True).start()
    try:
        with pytest.raises(KeyServiceError, match="not an element"):
            _client(f"http://127.0.0.1:{liar.server_address[1]}").evaluate(ELEMENT)
    finally:
        liar.shutdown()
        liar.server_close()
    with pytest.raises(KeyServiceError, match="could not be reached"):
        _client(f"http://127.0.0.1:{liar.server_address[1]}").evaluate(ELEMENT)


def test_the_in_process_key_is_a_private_file_in_the_data_folder(data_dir: Path) -> None:
    first = matching_key()
    path = data_dir / "keys" / "matching.key"
    assert path.read_bytes() == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert matching_key() == first
    blind, blinded = oprf.blind(IDENTIFIER)
    evaluated = InProcessKeyService().evaluate(blinded)
    assert oprf.finalize(IDENTIFIER, blind, evaluated) == oprf.prf(first, IDENTIFIER)
    with pytest.raises(KeyServiceError, match="refused"):
        InProcessKeyService().evaluate(bytes(32))


def test_the_key_can_come_from_the_environment(data_dir: Path, settings: Any, key: bytes) -> None:
    settings.MATCHING_KEY = key.hex()
    assert matching_key() == key
    assert not (data_dir / "keys" / "matching.key").exists()
    for bad in ("not hex", "ab" * 31, "ff" * 32, "00" * 32):
        settings.MATCHING_KEY = bad
        with pytest.raises(ImproperlyConfigured, match="REDRESS_MATCHING_KEY"):
            matching_key()


def test_a_damaged_key_file_stops_with_its_name(data_dir: Path) -> None:
    path = data_dir / "keys" / "matching.key"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xff" * 32)
    with pytest.raises(ImproperlyConfigured, match=str(path)):
        matching_key()


def test_the_service_is_chosen_by_settings(data_dir: Path, settings: Any) -> None:
    settings.KEYSERVICE_URL = ""
    assert isinstance(get_key_service(), InProcessKeyService)
    settings.KEYSERVICE_URL = "http://127.0.0.1:8710"
    settings.KEYSERVICE_CALLER = "web-2"
    settings.KEYSERVICE_SECRET = "sixteen or more characters"
    chosen = get_key_service()
    assert isinstance(chosen, HttpKeyService)
    assert (chosen.url, chosen.caller) == ("http://127.0.0.1:8710/evaluate", "web-2")
    assert chosen.secret == b"sixteen or more characters"
    settings.KEYSERVICE_SECRET = "short"
    with pytest.raises(ImproperlyConfigured, match="at least 16"):
        get_key_service()
    settings.KEYSERVICE_SECRET = ""
    assert shared_secret() == (data_dir / "keys" / "keyservice-secret.key").read_bytes()
    settings.KEYSERVICE_URL = "file:///etc/passwd"
    with pytest.raises(ImproperlyConfigured, match="http"):
        get_key_service()
    settings.KEYSERVICE_URL = "http://127.0.0.1:8710"
    settings.KEYSERVICE_CALLER = "web 1"
    with pytest.raises(ImproperlyConfigured, match="CALLER"):
        get_key_service()


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int, dict[str, Any]]] = []
        self.seeded: list[tuple[str, float]] = []

    def __call__(self, host: str, port: int, **kwargs: Any) -> _Recorder:
        self.calls.append((host, port, kwargs))
        self.server_address = (host, port)
        self.limit = self
        return self

    def seed(self, earlier: list[tuple[str, float]]) -> None:
        self.seeded = list(earlier)

    def serve_forever(self) -> None:
        return

    def server_close(self) -> None:
        return


@pytest.mark.django_db
def test_the_command_listens_on_loopback_by_default(
    data_dir: Path, settings: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from redress.escrow.management.commands import keyservice as command

    settings.MATCHING_KEY = ""
    settings.KEYSERVICE_SECRET = ""
    recorder = _Recorder()
    monkeypatch.setattr(command, "make_server", recorder)
    call_command("keyservice")
    ((host, port, options),) = recorder.calls
    assert (host, port) == ("127.0.0.1", 8710)
    assert options["key"] == matching_key()
    assert options["per_hour"] == settings.KEYSERVICE_RATE == 60
    assert "http://127.0.0.1:8710/evaluate" in capsys.readouterr().out

    settings.MATCHING_KEY = "not a key"
    with pytest.raises(CommandError, match="REDRESS_MATCHING_KEY"):
        call_command("keyservice")
