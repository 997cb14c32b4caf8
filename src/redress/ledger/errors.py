"""What the ledger refuses, and how a broken chain is named."""

from __future__ import annotations

from typing import Literal

Fault = Literal[
    "changed",
    "removed",
    "inserted",
    "reordered",
    "bad checkpoint signature",
    "checkpoint mismatch",
]


class LedgerError(Exception):
    """The ledger refused an operation (bad input, missing head row, nothing to export)."""


class LedgerBrokenError(LedgerError):
    """The chain does not verify, so the ledger refuses to sign a checkpoint over it."""

    def __init__(self, seq: int, fault: Fault) -> None:
        super().__init__(f"Ledger broken at seq {seq}: {fault}")
        self.seq = seq
        self.fault = fault
