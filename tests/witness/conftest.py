"""Fixtures for the witness tests: a log kept in memory, and a witness serving on loopback.

The witness needs no database: these tests use none. Each witness runs in a thread of the
test process, on a free port, with its data folder in the test's temporary folder.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from redress.ledger import merkle, tlog, tlog_witness
from redress.witness.keys import load_key, log_keys
from redress.witness.server import Witness, WitnessServer

ORIGIN = "complaints.example.org/log"
WITNESS_NAME = "witness.example.org/board"


def entry(label: str) -> bytes:
    """A log entry: 32 bytes that stand for one ledger entry."""
    return hashlib.sha256(label.encode()).digest()


class MemoryLog:
    """A log kept in memory: its entries, every complete subtree, and a signed checkpoint of
    any size it has had."""

    def __init__(self, signer: tlog.NoteSigner, entries: Sequence[bytes] = ()) -> None:
        self.signer = signer
        self.builder = merkle.TreeBuilder()
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.roots: dict[int, bytes] = {0: tlog.EMPTY_ROOT}
        self.entries: list[bytes] = []
        self.extend(entries)

    @property
    def origin(self) -> str:
        return self.signer.name

    @property
    def size(self) -> int:
        return self.builder.size

    def extend(self, entries: Sequence[bytes]) -> MemoryLog:
        for value in entries:
            for level, index, node in self.builder.append(tlog.leaf_hash(value)):
                self.nodes[level, index] = node
            self.entries.append(value)
            self.roots[self.builder.size] = self.builder.root()
        return self

    def grow(self, count: int, label: str = "honest") -> MemoryLog:
        start = self.size
        return self.extend([entry(f"{label} {i}") for i in range(start, start + count)])

    def checkpoint(self, size: int | None = None) -> str:
        """The signed checkpoint of the tree at ``size`` (now, by default)."""
        size = self.size if size is None else size
        text = tlog.Checkpoint(self.origin, size, self.roots[size]).text()
        return tlog.sign_note(text, [self.signer])

    def proof(self, old: int, new: int | None = None) -> list[bytes]:
        new = self.size if new is None else new
        return merkle.consistency_proof(old, new, lambda level, index: self.nodes[level, index])

    def request(
        self, old: int, new: int | None = None, proof: Sequence[bytes] | None = None
    ) -> bytes:
        """An add-checkpoint body: from ``old`` to ``new`` with the right proof by default."""
        new = self.size if new is None else new
        hashes = self.proof(old, new) if proof is None else proof
        return tlog_witness.AddCheckpoint(old, tuple(hashes), self.checkpoint(new)).format()


def log_signer(origin: str = ORIGIN, seed: int = 1) -> tlog.NoteSigner:
    return tlog.NoteSigner(origin, SigningKey(bytes([seed]) * 32))


@dataclass
class Reply:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.body.decode()


class RunningWitness:
    """A witness serving on a loopback port in a thread of this process."""

    def __init__(self, data: Path, logs: Sequence[tlog.Verifier]) -> None:
        self.data = data
        signer, _ = load_key(data, name=WITNESS_NAME)
        self.witness = Witness(data, signer, log_keys((key.name, key) for key in logs))
        self.server = WitnessServer(("127.0.0.1", 0), self.witness)
        self.host, self.port = self.server.server_address[:2]  # type: ignore[misc]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    @property
    def vkey(self) -> str:
        return self.witness.vkey

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(str(self.host), int(self.port), timeout=10)

    def request(self, method: str, path: str, body: bytes | None = None) -> Reply:
        connection = self.connection()
        try:
            connection.request(method, path, body=body)
            response = connection.getresponse()
            return Reply(
                response.status,
                response.getheader("Content-Type", ""),
                response.read(),
                {name.lower(): value for name, value in response.getheaders()},
            )
        finally:
            connection.close()

    def add(self, body: bytes) -> Reply:
        return self.request("POST", "/add-checkpoint", body)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def log() -> MemoryLog:
    return MemoryLog(log_signer())


@pytest.fixture
def witness(tmp_path: Path, log: MemoryLog) -> Iterator[RunningWitness]:
    running = RunningWitness(tmp_path / "witness", [log.signer.verifier])
    yield running
    running.stop()


class Records(logging.Handler):
    """Keeps the witness's log records (Redress's logging does not pass them to the root)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def messages(self, level: int = logging.DEBUG) -> list[str]:
        return [r.getMessage() for r in self.records if r.levelno >= level]


@pytest.fixture
def witness_log() -> Iterator[Records]:
    handler = Records()
    logger = logging.getLogger("redress.witness")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(previous)
