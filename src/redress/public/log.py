"""The ledger's transparency log, served read-only under ``/log/`` (C2SP tlog-tiles).

Anyone may read it, without signing in: a witness, an assurance board, a complainant's adviser.
It holds only what the log publishes: the signed checkpoint, the tree's hashes in tiles, the
entries (salted 32-byte digests that reveal nothing of the acts they stand for) in entry bundles,
and the log's verifier key. No content, identity, case reference or action name is ever served
here, and nothing is read from the request but its path: no session, no cookie, no address.

- ``checkpoint``: the newest published checkpoint with its cosignatures. It changes, so it is
  never cached; ``Redress-Log-Witnessed`` says whether witnesses cosigned it.
- ``tile/<L>/<N>[.p/<W>]``: the hashes at tree level 8L with indexes 256N onwards.
- ``tile/entries/<N>[.p/<W>]``: the log entries 256N onwards.
- ``vkey``: the log's verifier key.

Tiles are served only within the published checkpoint's tree, never beyond, even where the
ledger has grown since: a reader can check a tile only against a checkpoint. A full tile never
changes, so it may be cached for a year by anyone; a partial one is not cached. Every refusal is
a plain-text sentence with a 4xx status.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from redress.core.routes import public
from redress.ledger import log, tlog, tlog_tiles

logger = logging.getLogger("redress.log")

app_name = "log"

PLAIN = "text/plain; charset=utf-8"
BINARY = "application/octet-stream"
IMMUTABLE = "public, max-age=31536000, immutable"
NOT_CACHED = "no-store"
WITNESSED_HEADER = "Redress-Log-Witnessed"
# Full tiles each web process keeps in memory (8 to 9 KB each).
FULL_TILES_KEPT = 1024

View = Callable[..., HttpResponse]


def _answer(
    body: bytes, status: int = 200, content_type: str = PLAIN, cache: str = NOT_CACHED
) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=content_type)
    response["Cache-Control"] = cache
    # The log is public and the same for everyone: a verifier on another site may read it.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def _refuse(status: int, message: str) -> HttpResponse:
    return _answer(f"{message}\n".encode(), status=status)


def _sentence(message: str) -> str:
    return f"{message[:1].upper()}{message[1:]}."


def _read_only(view: View) -> View:
    """Answer GET and HEAD only; anything else is refused with 405, before any other check
    (there is no form, so no CSRF token: nothing here changes anything)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            response = _refuse(405, "The log is read-only: only GET and HEAD are answered.")
            response["Allow"] = "GET, HEAD"
            return response
        return view(request, *args, **kwargs)

    return public(csrf_exempt(wrapped))


class Incomplete(Exception):
    """The published checkpoint covers a tile that the ledger does not wholly hold."""


def _read(tile: tlog_tiles.Tile) -> bytes:
    """A tile's contents from the ledger; Incomplete when it does not hold all of them."""
    if tile.entries:
        items = log.log_entries(tile.first, tile.width)
        body = tlog_tiles.format_entry_bundle(items)
    else:
        items = log.level_hashes(tile.tree_level, tile.first, tile.width)
        body = b"".join(items)
    if len(items) != tile.width:
        raise Incomplete(tile.path)
    return body


@functools.lru_cache(maxsize=FULL_TILES_KEPT)
def _full_tile(tile: tlog_tiles.Tile, size: int, root: bytes) -> bytes:
    """A full tile's contents, kept in memory: they never change. The published checkpoint
    (``size``, ``root``) is part of the key only so that nothing read from one database is
    served from another (a test's, a restored backup's): a new checkpoint reads them again."""
    return _read(tile)


@_read_only
def checkpoint(request: HttpRequest) -> HttpResponse:
    """The newest published checkpoint, as a signed note with its witnesses' cosignatures."""
    published = log.published()
    if published is None:
        return _refuse(404, "No checkpoint of the log has been published yet.")
    response = _answer(published.signed_note().encode())
    witnessed = log.witnessed() and bool(published.cosignatures)
    response[WITNESSED_HEADER] = "yes" if witnessed else "no"
    return response


@_read_only
def vkey(request: HttpRequest) -> HttpResponse:
    """The log's verifier key, ``<origin>+<key ID hex>+<base64(0x01 || public key)>``."""
    return _answer(f"{log.vkey()}\n".encode())


def _serve(path_below_log: str) -> HttpResponse:
    try:
        tile = tlog_tiles.parse_tile_path(path_below_log)
    except tlog.TlogError as problem:
        return _refuse(problem.status, _sentence(str(problem)))
    size, root = log.published_tree()
    if not tile.in_tree(size):
        return _refuse(404, f"There is no {tile.path} in the log's published checkpoint.")
    try:
        body = _read(tile) if tile.partial else _full_tile(tile, size, root)
    except Incomplete:
        # The published checkpoint covers this tile, so the ledger must hold all of it.
        logger.error("log: %s is covered by the checkpoint but incomplete", tile.path)
        return _refuse(500, "The log cannot serve this tile now.")
    return _answer(body, content_type=BINARY, cache=NOT_CACHED if tile.partial else IMMUTABLE)


@_read_only
def tile(request: HttpRequest, rest: str) -> HttpResponse:
    """``tile/<L>/<N>[.p/<W>]``: the hashes at tree level 8L, indexes 256N onwards."""
    return _serve(f"tile/{rest}")


@_read_only
def entries(request: HttpRequest, rest: str) -> HttpResponse:
    """``tile/entries/<N>[.p/<W>]``: the log entries (32-byte digests) 256N onwards."""
    return _serve(f"tile/entries/{rest}")


@_read_only
def unknown(request: HttpRequest) -> HttpResponse:
    """Anything else under /log/: a plain refusal, as for a malformed tile path."""
    return _refuse(
        404,
        "The log serves checkpoint, vkey, tile/<L>/<N>[.p/<W>] and tile/entries/<N>[.p/<W>].",
    )


urlpatterns = [
    path("checkpoint", checkpoint, name="checkpoint"),
    path("vkey", vkey, name="vkey"),
    path("tile/entries/<path:rest>", entries, name="entries"),
    path("tile/<path:rest>", tile, name="tile"),
    re_path(r"", unknown, name="unknown"),
]
