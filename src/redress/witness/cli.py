"""``redress witness``: run a witness, print its key, list the logs it cosigns.

    redress witness serve --data DIR [--listen 127.0.0.1:8700] [--log VKEY ...] [--name NAME]
                          [--key FILE]
    redress witness vkey --data DIR [--name NAME] [--key FILE]
    redress witness add-log --data DIR VKEY [--origin ORIGIN]

``serve`` and ``vkey`` create the witness's key in DIR on first use (``--name`` names it; by
default the host name followed by ``/witness``); ``--key FILE`` uses a key kept elsewhere
instead. The logs cosigned are those in ``DIR/logs.json`` (``add-log`` adds one) and those given
with ``--log`` (a verifier key, or a file holding one), for as long as that ``serve`` runs.

Exit status: 0 done (``serve``: stopped by a signal); 2 the command was used wrongly or the
witness's key, logs or data folder cannot be used.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from redress.witness.keys import (
    ConfigError,
    add_to_logs_file,
    describe_logs,
    key_file_too_open,
    load_key,
    log_keys,
    parse_log_vkey,
    read_logs_file,
)
from redress.witness.server import Witness, WitnessServer

logger = logging.getLogger("redress.witness")

DEFAULT_LISTEN = "127.0.0.1:8700"


def parse_listen(value: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:PORT`` for IPv6) as an address to bind."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not HOST:PORT")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host or "127.0.0.1", int(port)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="redress witness",
        description=(
            "A transparency log witness (c2sp.org/tlog-witness): it cosigns a log's checkpoints "
            "only when each extends the last one it cosigned, and keeps evidence when not."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def key_options(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--data",
            type=Path,
            required=True,
            metavar="DIR",
            help="the witness's folder: key, logs, state",
        )
        command.add_argument(
            "--key", type=Path, metavar="FILE", help="use this key file instead of DIR/witness.key"
        )
        command.add_argument(
            "--name",
            help="the witness's name, given to a new key (such as witness.example.org/redress)",
        )

    serve = commands.add_parser("serve", help="run the witness's HTTP service")
    key_options(serve)
    serve.add_argument(
        "--listen",
        type=parse_listen,
        default=parse_listen(DEFAULT_LISTEN),
        metavar="HOST:PORT",
        help=f"where to listen (default {DEFAULT_LISTEN})",
    )
    serve.add_argument(
        "--log",
        action="append",
        default=[],
        metavar="VKEY",
        help="a log's verifier key, or a file holding it, to cosign as well (repeatable)",
    )
    serve.add_argument("-v", "--verbose", action="store_true", help="log every HTTP request")

    vkey = commands.add_parser("vkey", help="print the witness's verifier key")
    key_options(vkey)

    add_log = commands.add_parser("add-log", help="list a log's key in DIR/logs.json")
    add_log.add_argument(
        "--data", type=Path, required=True, metavar="DIR", help="the witness's folder"
    )
    add_log.add_argument("vkey", help="the log's verifier key, or a file holding it")
    add_log.add_argument("--origin", help="the log's origin, when it is not the key's name")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``redress witness`` with ``argv`` (the words after ``witness``)."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(message)s",
    )
    try:
        if args.command == "add-log":
            return _add_log(args)
        if args.command == "vkey":
            return _vkey(args)
        return _serve(args)
    except ConfigError as problem:
        print(f"redress witness: {problem}", file=sys.stderr)
        return 2


def _vkey(args: argparse.Namespace) -> int:
    signer, created = load_key(args.data, args.key, args.name)
    if created:
        print(f"created a new witness key in {args.data}", file=sys.stderr)
    print(signer.vkey)
    return 0


def _add_log(args: argparse.Namespace) -> int:
    origin, verifier = parse_log_vkey(args.vkey, args.origin)
    if add_to_logs_file(args.data, origin, verifier):
        print(f"this witness now cosigns {origin} signed by {verifier.vkey}")
    else:
        print(f"{origin} signed by {verifier.vkey} was listed already")
    return 0


def _serve(args: argparse.Namespace) -> int:
    logging.getLogger("redress.witness.http").setLevel(
        logging.INFO if args.verbose else logging.WARNING
    )
    signer, created = load_key(args.data, args.key, args.name)
    key_path = args.key or args.data / "witness.key"
    if created:
        logger.info("created the witness key %s, named %s: back it up", key_path, signer.name)
    elif key_file_too_open(key_path):
        logger.warning(
            "others than its owner may read or change the key file %s: chmod 600 it", key_path
        )
    logs = log_keys([*read_logs_file(args.data), *(parse_log_vkey(v) for v in args.log)])
    if not logs:
        raise ConfigError(
            f"this witness knows no log: list one with 'redress witness add-log --data "
            f"{args.data} VKEY', or give --log VKEY"
        )
    try:
        witness = Witness(args.data, signer, logs)
    except (OSError, sqlite3.Error) as problem:
        raise ConfigError(f"cannot use the data folder {args.data}: {problem}") from None
    try:
        server = WitnessServer(args.listen, witness)
    except OSError as problem:
        host, port = args.listen
        raise ConfigError(
            f"cannot listen on {host}:{port}: {problem.strerror or problem}"
        ) from None

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    logger.info("witness %s listening on %s", signer.name, server.url)
    logger.info("its verifier key: %s", signer.vkey)
    logger.info("cosigning the logs: %s", describe_logs(logs))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        logger.info("stopping")
    finally:
        server.server_close()
    return 0
