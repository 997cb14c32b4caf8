"""The tamper-evident ledger: an append-only, hash-chained record of every act and every read."""
