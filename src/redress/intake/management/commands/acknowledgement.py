"""``redress acknowledgement``: check a complainant's acknowledgement, or hand out the verifier.

``redress acknowledgement verify FILE`` checks it all offline, as the standalone verifier does
(``tlog.verify_acknowledgement``): the statement is signed by the log's key, the proof puts the
report's entry in a checkpoint of that log cosigned by the witnesses asked for, and any later
proof extends the first by appending only. It also refuses fields the format does not have.
Exit status 0: it holds (a plain sentence says what it proves); 1: refused (the reason is
named); 2: the file or a key given could not be read.

``redress acknowledgement verifier`` prints the standalone verifier (one Python file, needing
only the standard library and PyNaCl), to be saved and handed to anyone who wants to check an
acknowledgement without Redress: ``python tlog.py verify FILE --vkey LOG_VKEY``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from redress.intake import acknowledgement
from redress.ledger import log, tlog
from redress.ledger.witnesses import configured as configured_witnesses

REFUSED = 1
UNUSABLE = 2


def _key_text(value: str) -> str:
    """A verifier key given as itself, or as a file holding it on its first non-empty line."""
    path = Path(value)
    if "+" not in value and path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                return line.strip()
        return ""
    return value


def _witnessed_by(checked: tlog.VerifiedCheckpoint, quorum: int) -> str:
    names = checked.witnesses
    if names:
        plural = "witness" if len(names) == 1 else "witnesses"
        return f"cosigned by {len(names)} {plural} ({', '.join(names)}), {quorum} required"
    return "signed by the log alone: no witness cosignature was checked"


class Command(BaseCommand):
    help = (
        "Check a complainant's acknowledgement offline (verify FILE), or print the standalone "
        "verifier to hand to others (verifier)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("verify", help="check an acknowledgement file")
        check.add_argument("file", type=Path)
        check.add_argument(
            "--vkey",
            action="append",
            default=[],
            help="the log's verifier key, or a file holding it; repeat to accept a retired key "
            "(default: this installation's log key and its retired keys)",
        )
        check.add_argument(
            "--witness-vkey",
            action="append",
            default=None,
            help="a witness's verifier key, or a file holding it; repeat for each witness "
            "(default: the witnesses this installation is configured with)",
        )
        check.add_argument(
            "--quorum",
            type=int,
            default=None,
            help="how many of the witnesses must have cosigned (default: all those named, or "
            "the configured quorum)",
        )
        sub.add_parser(
            "verifier", help="print the standalone verifier (tlog.py), to save and hand on"
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "verifier":
            self.stdout.write(Path(tlog.__file__).read_text(encoding="utf-8"), ending="")
            return
        self._verify(options["file"], options["vkey"], options["witness_vkey"], options["quorum"])

    def _verify(
        self, file: Path, vkeys: list[str], witness_vkeys: list[str] | None, quorum: int | None
    ) -> None:
        try:
            with file.open("rb") as handle:
                data = handle.read(acknowledgement.MAX_BYTES + 1)
        except OSError as problem:
            raise CommandError(
                f"Cannot read {file}: {problem.strerror or problem}", returncode=UNUSABLE
            ) from None
        try:
            log_keys = (
                [tlog.parse_vkey(_key_text(value)) for value in vkeys] if vkeys else log.verifiers()
            )
            if witness_vkeys is None:
                witnesses = [witness.verifier for witness in configured_witnesses()]
                default_quorum = settings.LOG_QUORUM if witnesses else 0
            else:
                witnesses = [tlog.witness_verifier(_key_text(value)) for value in witness_vkeys]
                default_quorum = len({w.name for w in witnesses})
        except (tlog.TlogError, OSError, ValueError) as problem:
            raise CommandError(
                f"A key given is not usable: {problem}", returncode=UNUSABLE
            ) from None
        needed = default_quorum if quorum is None else quorum
        try:
            result = acknowledgement.check(data, log_keys, witnesses, needed)
        except tlog.TlogError as problem:
            raise CommandError(f"Refused: {problem}", returncode=REFUSED) from None
        statement, proof = result.statement, result.proof
        size = proof.checkpoint.checkpoint.size
        self.stdout.write(
            f"Genuine: case {statement.case}, received {statement.received}, "
            f"signed by the log {statement.origin}."
        )
        self.stdout.write(
            f"In the log: entry {proof.index} of the {size} in its checkpoint, "
            f"{_witnessed_by(proof.checkpoint, needed)}."
        )
        if result.latest is not None:
            later = result.latest.checkpoint
            self.stdout.write(
                f"Still there: the log's later checkpoint of {later.checkpoint.size} entries "
                f"holds it at the same place and extends the first by appending only, "
                f"{_witnessed_by(later, needed)}."
            )
