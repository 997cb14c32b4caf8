"""The ledger's tables: the hash-chained entries, the head row that serialises writers, and the
signed checkpoints.

Hashes are stored as raw bytes (32 bytes, ``BinaryField``) so the verifier compares and hashes
them without converting; they are shown and exported as lowercase hex. ``digest`` is the one hash
kept as hex text, because callers hand it in that form.
"""

from __future__ import annotations

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper


class ChainPositionField(models.BigIntegerField):  # type: ignore[type-arg]
    """A 64-bit integer primary key. On SQLite it is declared ``integer`` so that it becomes the
    table's rowid: reading the chain in ``seq`` order is then a plain scan, not an index walk."""

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        if connection.vendor == "sqlite":
            return "integer"
        return super().db_type(connection)


class Entry(models.Model):
    """One act or read, chained to the entry before it. Holds references and digests, never content.

    Rows are written only by ``ledger.append.append``; nothing in Redress updates or deletes them.
    """

    seq = ChainPositionField(primary_key=True, help_text="Position in the chain, from 1.")
    time = models.DateTimeField(help_text="When the entry was appended (UTC).")
    actor = models.CharField(max_length=100, help_text='Who: "user:12", "token:3", "system".')
    action = models.CharField(max_length=100, help_text='What: "case.viewed".')
    object = models.CharField(max_length=200, help_text='On what: "case:R-1234".')
    digest = models.CharField(
        max_length=64, blank=True, help_text="Hex SHA-256 of the content concerned, or empty."
    )
    prev_hash = models.BinaryField(max_length=32, help_text="Hash of the entry before (32 bytes).")
    hash = models.BinaryField(max_length=32, help_text="SHA-256 of this entry's encoding.")
    salt = models.BinaryField(
        max_length=32,
        help_text="Secret random bytes covered by the entry's digest in the published log, so "
        "that nobody can confirm a guess about the entry. Never published.",
    )

    class Meta:
        verbose_name_plural = "entries"
        # A case's timeline and an acknowledgement look entries up by their object.
        indexes = [models.Index(fields=["object"], name="ledger_entry_object")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor} {self.action} {self.object}"

    @property
    def hash_hex(self) -> str:
        return bytes(self.hash).hex()


class TreeHash(models.Model):
    """The hash of one complete subtree of the published log's Merkle tree (RFC 6962).

    The subtree at (``level``, ``index``) covers the ``2**level`` log entries from
    ``index * 2**level``; level 0 holds the leaf hashes, one for each ledger entry (log index
    ``seq - 1``). Both are packed in ``position`` (``level << 56 | index``), so the hashes a
    tile serves are one range of the primary key. Written only by ``ledger.append``.
    """

    position = ChainPositionField(primary_key=True)
    hash = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = "tree hash"

    def __str__(self) -> str:
        level, index = divmod(self.position, 1 << 56)
        return f"tree hash ({level}, {index})"


def tree_position(level: int, index: int) -> int:
    """``TreeHash.position`` of the complete subtree at (``level``, ``index``)."""
    return (level << 56) | index


class Head(models.Model):
    """The single row (pk=1) naming the last entry. Appenders lock it, so they queue one by one."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="ledger_head_one_row")]

    def __str__(self) -> str:
        return f"head at #{self.seq}"


class Checkpoint(models.Model):
    """A signed statement that the chain's entry ``seq`` had hash ``hash`` at ``time``."""

    seq = models.BigIntegerField(unique=True)
    hash = models.BinaryField(max_length=32)
    time = models.DateTimeField()
    signature = models.BinaryField(max_length=64, help_text="Ed25519 signature (64 bytes).")
    public_key = models.CharField(max_length=64, help_text="Ed25519 public key, hex.")

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"checkpoint at #{self.seq}"


class LogCheckpoint(models.Model):
    """A checkpoint of the published log (C2SP tlog-checkpoint): the tree's size and root hash,
    as a note signed by the log's key, and the witnesses' cosignatures gathered for it.

    It is published at ``/log/checkpoint`` once it has a quorum of cosignatures (at once when
    no witness is configured, and then marked unwitnessed). Written only by ``ledger.log``.
    """

    size = models.BigIntegerField(unique=True)
    root = models.BinaryField(max_length=32)
    time = models.DateTimeField()
    note = models.TextField(help_text="The checkpoint as a note signed by the log's key.")
    cosignatures = models.TextField(
        blank=True, default="", help_text="Witnesses' cosignature lines, one a line."
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["size"]

    def __str__(self) -> str:
        return f"log checkpoint at size {self.size}"

    @property
    def published(self) -> bool:
        return self.published_at is not None

    def signed_note(self) -> str:
        """The note with the log's signature and every cosignature gathered."""
        return self.note + self.cosignatures


class Verification(models.Model):
    """The outcome of one full verification of the chain, for oversight to see when and whether
    the ledger last verified. The verification itself is also an entry in the ledger."""

    time = models.DateTimeField()
    checked = models.BigIntegerField()
    ok = models.BooleanField()
    first_bad_seq = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-time"]

    def __str__(self) -> str:
        return f"verification at {self.time:%Y-%m-%d %H:%M}: {'ok' if self.ok else 'broken'}"
