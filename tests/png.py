"""A small PNG reader for tests: the size of a picture and which of its pixels are inked.

Enough of the format (RFC 2083) to read what rsvg-convert and Graphviz write: 8-bit
greyscale, RGB, grey+alpha or RGBA, not interlaced. Standard library only (zlib).
"""

from __future__ import annotations

import struct
import zlib
from typing import NamedTuple

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # colour type -> samples per pixel


class Picture(NamedTuple):
    width: int
    height: int
    rows: list[bytes]  # each row's samples, unfiltered
    channels: int

    def inked(self, x: int, y: int, *, threshold: int = 160) -> bool:
        """Whether a pixel is darker than `threshold` (0-255) on the white background:
        text and lines, not the pale grid or a band's shading."""
        px = self.rows[y][x * self.channels : (x + 1) * self.channels]
        if self.channels in (2, 4) and px[-1] < 128:
            return False  # transparent
        colour = px[:3] if self.channels >= 3 else px[:1]
        return min(colour) < threshold


def size(raw: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk."""
    assert raw.startswith(SIGNATURE), "not a PNG"
    width, height = struct.unpack(">II", raw[16:24])
    return width, height


def read(raw: bytes) -> Picture:
    assert raw.startswith(SIGNATURE), "not a PNG"
    pos, data, header = 8, b"", b""
    while pos < len(raw):
        (length,) = struct.unpack(">I", raw[pos : pos + 4])
        kind, body = raw[pos + 4 : pos + 8], raw[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            data += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in CHANNELS and interlace == 0, (depth, colour, interlace)
    channels = CHANNELS[colour]
    stride = width * channels
    pixels = zlib.decompress(data)
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = pixels[start], bytearray(pixels[start + 1 : start + 1 + stride])
        _unfilter(kind, line, previous, channels)
        rows.append(bytes(line))
        previous = line
    return Picture(width, height, rows, channels)


def _unfilter(kind: int, line: bytearray, up: bytearray, bpp: int) -> None:
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        upper = up[i]
        if kind == 1:
            line[i] = (line[i] + left) & 255
        elif kind == 2:
            line[i] = (line[i] + upper) & 255
        elif kind == 3:
            line[i] = (line[i] + (left + upper) // 2) & 255
        elif kind == 4:
            corner = up[i - bpp] if i >= bpp else 0
            p = left + upper - corner
            pa, pb, pc = abs(p - left), abs(p - upper), abs(p - corner)
            line[i] = (line[i] + (left if pa <= pb and pa <= pc else upper if pb <= pc else corner)) & 255
