"""The marker proof: content written through the vault appears nowhere in plaintext.

A unique marker goes in through an encrypted text field, an encrypted binary field and the
encrypting storage. Then every row of every table is read raw, and every file under the uploads
folder, and each value is searched for the marker as UTF-8, UTF-16 (both byte orders), hex in
either case, and base64 at every alignment.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import uuid
from collections.abc import Iterable
from pathlib import Path

import pytest
from django.db import connection

from redress.vault.actions import new_data_key
from redress.vault.storage import EncryptingStorage
from tests.vault.models import Complaint


def encodings_of(marker: str) -> list[bytes]:
    raw = [marker.encode(encoding) for encoding in ("utf-8", "utf-16-le", "utf-16-be")]
    hexes = [r.hex().encode() for r in raw]
    forms = raw + hexes + [h.upper() for h in hexes]
    for r in raw[:1]:
        for shift in range(3):
            encoded = base64.b64encode(b"\x00" * shift + r)
            # Drop the characters that depend on the neighbouring bytes at either end.
            forms.append(encoded[(4 * shift + 2) // 3 + 1 : -3])
    return forms


def find(marker: str, values: Iterable[object]) -> list[str]:
    needles = encodings_of(marker)
    hits = []
    for value in values:
        if value is None:
            continue
        if isinstance(value, memoryview | bytearray | bytes):
            blob = bytes(value)
        else:
            blob = str(value).encode("utf-8")
        candidates = [blob, blob.lower()]
        with contextlib.suppress(binascii.Error, ValueError):
            candidates.append(base64.b64decode(blob, validate=True))
        if any(needle in candidate for needle in needles for candidate in candidates):
            hits.append(repr(value)[:120])
    return hits


def all_rows() -> Iterable[tuple[str, object]]:
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    yield table, value


def test_the_scanner_finds_plaintext_in_every_encoding() -> None:
    marker = "MARKER-3c1d1e6f"
    samples = [
        f"xx{marker}yy",
        marker.encode("utf-16-le"),
        b"\x00" + marker.encode("utf-16-be"),
        f"...{marker.encode().hex()}...",
        marker.encode().hex().upper(),
        *(f"blob={base64.b64encode(b'p' * n + marker.encode() + b's').decode()}" for n in range(3)),
    ]
    for sample in samples:
        assert find(marker, [sample]), sample
    assert not find(marker, ["unrelated", b"\x00" * 64, 12, None])


@pytest.mark.django_db
def test_no_plaintext_marker_anywhere_in_the_database_or_uploads(
    complaints: type[Complaint], vault_folders: Path
) -> None:
    marker = f"MARKER-{uuid.uuid4().hex}"
    key = new_data_key("case:marker")
    complaint = Complaint.objects.create(
        data_key=key,
        reference="M-1",
        narrative=f"The narrative contains {marker} in the middle.",
        evidence=f"binary {marker}".encode("utf-16-le"),
        statement=marker,
    )
    storage = EncryptingStorage()
    name = storage.save_sealed(f"%PDF {marker} %%EOF".encode() * 1000, key)

    # The marker really went in, and comes back out through the vault.
    fresh = Complaint.objects.select_related("data_key").get(pk=complaint.pk)
    assert marker in (fresh.narrative or "")
    assert marker.encode("utf-16-le") in (fresh.evidence or b"")
    assert marker.encode() in storage.open_sealed(name, key)

    rows = list(all_rows())
    tables = {table for table, _ in rows}
    assert {Complaint._meta.db_table, "vault_datakey"} <= tables
    hits = [f"{table}: {value}" for table, value in rows for value in find(marker, [value])]
    assert hits == []

    files = [p for p in (vault_folders / "uploads").rglob("*") if p.is_file()]
    assert len(files) == 1
    assert find(marker, [p.read_bytes() for p in files]) == []
    assert find(marker, [str(p) for p in files]) == []
