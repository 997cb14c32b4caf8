"""Which error page a request gets: its front door's own, or the public one.

A member of staff refused a page, or sent to one that does not exist, stays in the staff layout
(no "Exit this page", a way back to the staff home). Doors with pages of their own keep them in
``<door>/errors/``; every other path, the complainant's above all, gets ``errors/``.
"""

from __future__ import annotations

from django.http import HttpRequest

# The front doors, by the first part of the path, that have error pages of their own.
OWN_ERROR_PAGES = ("staff",)


def error_templates(request: HttpRequest, name: str) -> list[str]:
    """The error page ``name`` (``"404.html"``) for ``request``'s front door, then the public
    one: what ``select_template`` is given."""
    door = request.path_info.lstrip("/").split("/", 1)[0]
    own = [f"{door}/errors/{name}"] if door in OWN_ERROR_PAGES else []
    return [*own, f"errors/{name}"]
