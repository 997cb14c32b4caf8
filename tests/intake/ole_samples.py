"""OLE compound files built by hand for the tests: olefile reads them but cannot write one."""

from __future__ import annotations

import struct

FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def ole_package(label: bytes, path: bytes, content: bytes) -> bytes:
    """A minimal OLE compound file holding one \\x01Ole10Native stream (an embedded "Package"):
    the label and path a caseworker would see, then the file itself. Its stream is at least
    4,096 bytes, so it lies in ordinary sectors (no mini stream to build)."""
    native = struct.pack("<H", 2) + label + b"\x00" + path + b"\x00" + b"\x00\x00\x03\x00"
    native += struct.pack("<I", len(path) + 1) + path + b"\x00"
    native += struct.pack("<I", len(content)) + content
    stream = struct.pack("<I", len(native)) + native
    stream = stream.ljust(max(4096, len(stream)), b"\x00")
    sectors = -(-len(stream) // 512)
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
    header += struct.pack("<IIIIIIII", 0, 1, 1, 0, 4096, END, 0, END) + struct.pack("<I", 0)
    header += struct.pack("<I", 0)  # the FAT's one sector is sector 0
    header += struct.pack("<I", FREE) * 108
    fat = [FATSECT, END] + [2 + index + 1 for index in range(sectors - 1)] + [END]
    fat_sector = struct.pack(f"<{len(fat)}I", *fat).ljust(512, b"\xff")

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\x00").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", NOSTREAM, NOSTREAM, child)
            + b"\x00" * 16
            + b"\x00" * 4
            + b"\x00" * 16
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, 1, END, 0) + entry(
        "\x01Ole10Native", 2, NOSTREAM, 2, len(stream)
    )
    directory = directory.ljust(512, b"\x00")
    return header + fat_sector + directory + stream.ljust(sectors * 512, b"\x00")
