"""The vault's two refusals: content that was shredded, and content that cannot be trusted."""

from __future__ import annotations


class VaultError(Exception):
    """Sealed content or a wrapped key failed to open: altered, moved, wrong key, missing KEK.

    Never caught to show something else instead: it means tampering or misconfiguration.
    """


class Shredded(Exception):
    """The content's data key was destroyed under the retention policy; it cannot be read again.

    Deliberately not a VaultError: a shredded case is expected and is shown as such, while a
    VaultError is an alarm.
    """

    def __init__(self, message: str = "deleted under the retention policy") -> None:
        super().__init__(message)
