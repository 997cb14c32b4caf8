"""The witness's own key, and the logs it is willing to cosign.

The key file holds one line, in the form Go's signed-note tools use for private keys:

    PRIVATE+KEY+<witness name>+<key ID hex>+<base64(0x04 || 32-byte Ed25519 seed)>

0x04 is the signature type of `cosignature/v1` (c2sp.org/tlog-cosignature), and the key ID is
computed as for the verifier key, so a key file whose name, key ID and seed disagree is refused.
It is created on first use, readable by its owner only (mode 0600), in a folder of mode 0700.

The logs are listed in ``logs.json`` in the data folder, and may be given on the command line as
well (``--log``). Each log is its origin line and one of its verifier keys (signature type 0x01,
Ed25519); a log whose key was rotated is listed once per key, under the same origin:

    {"logs": [{"origin": "complaints.example.org/log",
               "vkey": "complaints.example.org/log+1a2b3c4d+AQ..."}]}

``origin`` may be left out when it is the key's name, as it is for Redress's log.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket
import stat
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from nacl.signing import SigningKey

from redress.ledger import tlog

KEY_FILE = "witness.key"
LOGS_FILE = "logs.json"
STATE_FILE = "state.sqlite3"
EVIDENCE_DIR = "evidence"
PRIVATE_KEY_PREFIX = "PRIVATE+KEY+"
MAX_CONFIG_BYTES = 1024 * 1024

LogKeys = dict[str, list[tlog.Verifier]]
"""Each known origin and the log keys trusted to sign its checkpoints."""


class ConfigError(Exception):
    """The witness's key or its list of logs cannot be used; the message says why, plainly."""


def make_data_dir(data: Path) -> None:
    """Create the data folder (mode 0700) if it is missing."""
    data.mkdir(parents=True, exist_ok=True, mode=0o700)


def format_private_key(name: str, seed: bytes) -> str:
    """The key file's line for a witness named ``name`` with this 32-byte seed."""
    public = bytes(SigningKey(seed).verify_key.encode())
    key_id = tlog.key_id(name, tlog.COSIGNATURE_V1, public).hex()
    encoded = base64.b64encode(bytes([tlog.COSIGNATURE_V1]) + seed).decode("ascii")
    return f"{PRIVATE_KEY_PREFIX}{name}+{key_id}+{encoded}"


def parse_private_key(text: str, source: str) -> tlog.CosignatureSigner:
    """Read a key file's line; ConfigError when it is not a well-formed witness key."""
    line = text.strip()
    if not line.startswith(PRIVATE_KEY_PREFIX):
        raise ConfigError(f"{source} does not hold a witness key (it should begin PRIVATE+KEY+)")
    name, _, rest = line[len(PRIVATE_KEY_PREFIX) :].partition("+")
    key_id, _, encoded = rest.partition("+")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except ValueError:
        raise ConfigError(f"the key in {source} is not valid base64") from None
    if len(raw) != 33 or raw[0] != tlog.COSIGNATURE_V1:
        raise ConfigError(
            f"the key in {source} is not an Ed25519 cosignature key (type 0x04, 32 bytes)"
        )
    try:
        signer = tlog.CosignatureSigner(name, SigningKey(raw[1:]))
    except tlog.TlogError as problem:
        raise ConfigError(f"the key in {source} is not usable: {problem}") from None
    if signer.verifier.key_id.hex() != key_id.lower():
        raise ConfigError(f"the key ID in {source} does not match its name and key")
    return signer


def _write_new(path: Path, data: bytes) -> bool:
    """Write ``data`` to a new file at ``path``, mode 0600, all or nothing; False if it exists."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)


def _read_small(path: Path, what: str) -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as problem:
        raise ConfigError(f"cannot read {what} {path}: {problem.strerror or problem}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{what} {path} is too large")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{what} {path} is not UTF-8 text") from None


def default_name() -> str:
    """The name a new key gets when none is given: this machine's host name and ``/witness``."""
    host = "".join(ch for ch in socket.getfqdn() if ch.isascii() and ch > " " and ch != "+")
    return f"{host or 'localhost'}/witness"


def load_key(
    data: Path, key_file: Path | None = None, name: str | None = None
) -> tuple[tlog.CosignatureSigner, bool]:
    """The witness's signer, and whether its key was created just now.

    With ``key_file``, that file must exist. Without it, the key is ``<data>/witness.key``,
    created on first use for a witness named ``name`` (by default `default_name`). ``name``
    given for an existing key must be the key's name."""
    created = False
    if key_file is None:
        key_file = data / KEY_FILE
        if not key_file.exists():
            name = name or default_name()
            try:
                tlog.key_id(name, tlog.COSIGNATURE_V1, bytes(32))
            except tlog.TlogError as problem:
                raise ConfigError(f"the name {name!r} cannot be a key name: {problem}") from None
            make_data_dir(data)
            line = format_private_key(name, secrets.token_bytes(32)) + "\n"
            created = _write_new(key_file, line.encode())
    signer = parse_private_key(_read_small(key_file, "the key file"), str(key_file))
    if name and name != signer.name:
        raise ConfigError(
            f"the key in {key_file} is named {signer.name!r}, not {name!r}: a witness keeps "
            "its name for as long as it keeps its key"
        )
    return signer, created


def key_file_too_open(path: Path) -> bool:
    """Whether anyone but the owner may read or write the key file."""
    return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))


def _read_vkey(value: str) -> str:
    """A verifier key given as itself, or as the path of a file holding it."""
    if "+" not in value and os.path.isfile(value):
        return _read_small(Path(value), "the verifier key file").strip()
    return value.strip()


def parse_log_vkey(value: str, origin: str | None = None) -> tuple[str, tlog.Verifier]:
    """(origin, key) for a log given by its verifier key (or a file holding it)."""
    try:
        verifier = tlog.parse_vkey(_read_vkey(value))
    except tlog.TlogError as problem:
        raise ConfigError(f"the log key {value!r} is not usable: {problem}") from None
    if verifier.sig_type != tlog.ED25519:
        raise ConfigError(
            f"the key {value!r} is not a log's key: a log signs its checkpoints with an "
            "Ed25519 key of type 0x01"
        )
    origin = origin if origin is not None else verifier.name
    if not origin or any(ch < " " for ch in origin):
        raise ConfigError(f"the origin {origin!r} is not one line of text")
    return origin, verifier


def read_logs_file(data: Path) -> list[tuple[str, tlog.Verifier]]:
    """The logs listed in ``<data>/logs.json``; none when the file is missing."""
    path = data / LOGS_FILE
    if not path.exists():
        return []
    try:
        document = json.loads(_read_small(path, "the list of logs"))
    except ValueError:
        raise ConfigError(f"{path} is not valid JSON") from None
    entries = document.get("logs") if isinstance(document, Mapping) else None
    if not isinstance(entries, list):
        raise ConfigError(f'{path} must be an object with a list "logs"')
    logs = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("vkey"), str):
            raise ConfigError(f'log {number} in {path} has no "vkey"')
        origin = entry.get("origin")
        if origin is not None and not isinstance(origin, str):
            raise ConfigError(f'the "origin" of log {number} in {path} is not text')
        logs.append(parse_log_vkey(entry["vkey"], origin))
    return logs


def add_to_logs_file(data: Path, origin: str, verifier: tlog.Verifier) -> bool:
    """List a log key in ``<data>/logs.json``; False when it was listed already."""
    make_data_dir(data)
    path = data / LOGS_FILE
    listed = read_logs_file(data)
    if (origin, verifier) in listed:
        return False
    document = {"logs": [{"origin": o, "vkey": v.vkey} for o, v in [*listed, (origin, verifier)]]}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return True


def log_keys(logs: Iterable[tuple[str, tlog.Verifier]]) -> LogKeys:
    """Group log keys by origin, each key once; ConfigError when two keys cannot be told apart."""
    grouped: LogKeys = {}
    for origin, verifier in logs:
        keys = grouped.setdefault(origin, [])
        for known in keys:
            if known.name == verifier.name and known.key_id == verifier.key_id:
                if known != verifier:
                    raise ConfigError(
                        f"two different keys of the log {origin!r} share the name "
                        f"{verifier.name} and key ID {verifier.key_id.hex()}: remove one"
                    )
                break
        else:
            keys.append(verifier)
    return grouped


def describe_logs(logs: Mapping[str, Sequence[tlog.Verifier]]) -> str:
    return "; ".join(
        f"{origin} ({', '.join(key.vkey for key in keys)})" for origin, keys in sorted(logs.items())
    )
