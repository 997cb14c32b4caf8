"""The upload sanitiser: the child process that parses uploads, so that the web process never does.

``redress.intake.sandbox`` starts it as ``python -B -m redress.intake.sanitiser`` (``__main__``),
one process per upload. Its modules:

- ``child``: the process: its resource limits, the file in and the answer out, and ``sanitise``,
  which hands each kind to its family;
- ``shared``: what the families share (``Refusal`` and the shape of a handler's answer);
- one module per family of formats, each the only place that parses its formats: ``images``
  (JPEG, PNG, EXIF), ``pdf``, ``office`` (DOCX, with ``ole`` for the names of embedded objects)
  and ``audio`` (MP3, WAV, Ogg, M4A).

Plain text is not parsed, so it never comes here.

It imports only the standard library, Pillow, pypdf, pikepdf, mutagen and olefile (which tools
do which job, and where hand-written code remains and why, each family's docstring says), and
from Redress only its own modules, ``upload_words`` (the labels it answers with) and
``filetypes`` (the limits and the sniffing), never Django: the child has no settings.
``tests/intake/test_sanitiser_imports.py`` holds it to that.
"""

from __future__ import annotations

from redress.intake.sanitiser.child import limit_resources, main, sanitise
from redress.intake.sanitiser.shared import Refusal

__all__ = ["Refusal", "limit_resources", "main", "sanitise"]
