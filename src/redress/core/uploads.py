"""Uploads kept in memory only, with a limit per file and per request.

Django's own handlers write any upload larger than ``FILE_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB) to a
temporary file before the view has cleaned and encrypted it: evidence would sit on disk in the
clear. ``MemoryOnlyUploadHandler`` (the only entry of ``FILE_UPLOAD_HANDLERS``) never does:

- Every file is held in memory. A file larger than ``UPLOAD_MAX_FILE_BYTES`` (the per-file limit
  of ``redress.core.limits``) keeps only its first ``UPLOAD_MAX_FILE_BYTES + 1`` bytes and the
  rest is dropped as it arrives, so the views' own check (``clean(upload.read(MAX_BYTES + 1))``)
  refuses it with "The file is larger than 20 MB", on the same page with the other answers kept.
  The object is an ``OversizedUpload`` whose ``size`` is what was sent, for code that asks.
- A request whose declared body is larger than ``UPLOAD_MAX_REQUEST_BYTES`` is refused before any
  of it is read: ``RequestBodyTooLarge``, which ``redress.core.middleware`` answers with 413.
  WSGI never lets a request read beyond its Content-Length, so that bounds everything read.

The limits are settings (``redress.settings``): this module sits below the intake app and
cannot import its constant.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers


class RequestBodyTooLarge(RequestDataTooBig):
    """The request declared a body larger than ``UPLOAD_MAX_REQUEST_BYTES``; none of it was read."""


class OversizedUpload(InMemoryUploadedFile):
    """A file over the per-file limit: only its first ``UPLOAD_MAX_FILE_BYTES + 1`` bytes are kept.

    Enough for any check of its length to refuse it, and no more; ``size`` is what was sent.
    """

    truncated = True


class MemoryOnlyUploadHandler(FileUploadHandler):
    """Keeps every uploaded file in memory, never in a temporary file, within the limits."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.file = BytesIO()
        self.kept = 0

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],  # noqa: N803 - Django's name for it
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        limit = settings.UPLOAD_MAX_REQUEST_BYTES
        if content_length > limit:
            raise RequestBodyTooLarge(
                f"Request body of {content_length} bytes is over the upload limit of {limit}."
            )

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.file = BytesIO()
        self.kept = 0
        raise StopFutureHandlers  # no other handler may see the file, whatever is configured

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        room = settings.UPLOAD_MAX_FILE_BYTES + 1 - self.kept
        if room > 0:
            kept = raw_data[:room]
            self.file.write(kept)
            self.kept += len(kept)
        # Nothing is passed on: there is no other handler, and no chunk goes to disk.

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.file.seek(0)
        kind = (
            OversizedUpload if file_size > settings.UPLOAD_MAX_FILE_BYTES else InMemoryUploadedFile
        )
        return kind(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
