"""The name an embedded OLE object gives the file it carries ("invoice.exe"), read by olefile.

A Word document's ``embeddings/`` part is often an OLE compound file. When it is a "Package"
(any file dropped into the document), its ``\\x01Ole10Native`` stream starts with the label
shown under the icon and the file's original path. The object is removed whatever it holds
(``office``); this only finds the name to tell the complainant which file went.

olefile (pinned in pyproject.toml; the library oletools reads OLE files with) walks the compound
file; the few bytes at the start of the stream are read here, as oletools' ``oleobj`` does:
its size (4 bytes), two bytes of flags, then the label and the path, each ended by a NUL. A part
that is not an OLE file, or that olefile cannot read, gives no name: it goes all the same.
"""

from __future__ import annotations

import io
import ntpath
from typing import Final

from redress.intake.sanitiser.shared import NAME_CHARACTERS, file_name

_OLE_SIGNATURE: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_NATIVE_STREAM: Final = "\x01Ole10Native"
# The label and path lie in the stream's first bytes: no more is read.
_NATIVE_HEAD: Final = 6 + 2 * (NAME_CHARACTERS + 1) + 1024


def embedded_file_name(part: bytes) -> list[str]:
    """``[FileName]`` of the file an OLE Package object carries, or nothing."""
    if not part.startswith(_OLE_SIGNATURE):
        return []
    import olefile  # here: only Word files with embedded objects need it

    try:
        with olefile.OleFileIO(io.BytesIO(part)) as compound:
            if not compound.exists(_NATIVE_STREAM):
                return []
            head = compound.openstream(_NATIVE_STREAM).read(_NATIVE_HEAD)
    except Exception:  # olefile's errors for a damaged compound file: no name to tell
        return []
    label, _, rest = head[6:].partition(b"\x00")
    path = rest.partition(b"\x00")[0]
    # Windows writes both in the machine's ANSI code page; cp1252 is the usual one here.
    name = label.decode("cp1252", "replace") or ntpath.basename(path.decode("cp1252", "replace"))
    return file_name(name)
