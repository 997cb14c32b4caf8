"""What the directory tells the apps above it. The directory sits below cases and must not
import them, so a change to who is who is announced here and the cases app listens."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with ``actor`` (the ledger's name for who made the change) inside the transaction of any
# change to people, parties, offices or line managers, so that whoever listens acts in the same
# transaction: if the change rolls back, so does what it caused.
directory_changed = Signal()
