"""A transparency log witness that an outside body runs: ``redress witness``.

An assurance board, a staff union or a newspaper runs it with its own key and its own storage,
to cosign the checkpoints of Redress's published log (or any log in the C2SP formats) only when
each new one extends, by appending only, the last one it cosigned. It implements
c2sp.org/tlog-witness's ``add-checkpoint`` and answers with c2sp.org/tlog-cosignature
``cosignature/v1`` cosignatures; it keeps, as evidence, any checkpoint it refuses beside the one
it had cosigned.

It needs nothing of Redress's database, keys or settings, and imports no Django: only the
standard library, PyNaCl and ``redress.ledger.tlog`` (with ``tlog_witness``). ``keys``
holds its key and its list of logs, ``state`` its record (SQLite) and evidence, ``server`` the
HTTP service, ``cli`` the command line. docs/witness.md says how to run one.
"""

from __future__ import annotations

from redress.witness.cli import main

__all__ = ["main"]
