"""The kinds of visitor the access matrix tries, and shorthands for the answers they expect.

Each app adds its routes' rows beside its own tests, in ``tests/<app>/access_matrix.py`` as
``ROWS``, built with these.
"""

from __future__ import annotations

from redress.accounts.models import Role

ANONYMOUS = "anonymous"
NO_ROLE = "staff without a role"
EVERYONE = [ANONYMOUS, NO_ROLE, *[str(r) for r in Role]]
STAFF = [NO_ROLE, *[str(r) for r in Role]]


def same_for_all(status: int) -> dict[str, int]:
    return dict.fromkeys(EVERYONE, status)


def staff_only(status: int = 200, anonymous: int = 302) -> dict[str, int]:
    return {ANONYMOUS: anonymous, **dict.fromkeys(STAFF, status)}


def roles_only(*allowed: Role, anonymous: int = 302) -> dict[str, int]:
    return {
        ANONYMOUS: anonymous,
        **{who: (200 if who in {str(r) for r in allowed} else 403) for who in STAFF},
    }
