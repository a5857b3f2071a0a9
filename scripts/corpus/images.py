"""Recognises JPEG, PNG and WebP files and reads their width and height from
the header alone, without decoding pixels.

  JPEG  the first start-of-frame marker (SOF0..SOF15 except DHT, JPG and DAC)
        holds height then width (ITU T.81, B.2.2).
  PNG   the IHDR chunk, which must come first, holds width then height.
  WebP  a RIFF container; the first chunk is VP8X (canvas size, 24 bits each,
        minus one), VP8L (14 bits each, minus one, after the 0x2f signature)
        or VP8 (14 bits each after the key frame's start code 9d 01 2a).

probe() returns (format, width, height) or raises ImageError.
"""

import struct


class ImageError(Exception):
    """Bytes that are not a JPEG, PNG or WebP file with a readable header."""


def probe(data):
    if data[:3] == b"\xff\xd8\xff":
        return ("jpeg",) + _jpeg(data)
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return ("png",) + _png(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ("webp",) + _webp(data)
    raise ImageError("not a JPEG, PNG or WebP file")


def _png(data):
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise ImageError("PNG without an IHDR chunk first")
    width, height = struct.unpack_from(">II", data, 16)
    return _checked(width, height)


def _jpeg(data):
    offset = 2
    while offset + 4 <= len(data):
        if data[offset] != 0xFF:
            raise ImageError(f"JPEG marker expected at byte {offset}")
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte
            offset += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # no length field
            offset += 2
            continue
        (length,) = struct.unpack_from(">H", data, offset + 2)
        if length < 2:
            raise ImageError(f"JPEG segment of length {length}")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if offset + 9 > len(data):
                break
            height, width = struct.unpack_from(">HH", data, offset + 5)
            return _checked(width, height)
        if marker in (0xD9, 0xDA):  # end of image, start of scan
            break
        offset += 2 + length
    raise ImageError("JPEG without a start-of-frame header")


def _webp(data):
    if len(data) < 30:
        raise ImageError("WebP file too short")
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return _checked(width, height)
    if chunk == b"VP8L":
        if data[20] != 0x2F:
            raise ImageError("WebP lossless chunk without its signature")
        (bits,) = struct.unpack_from("<I", data, 21)
        return _checked((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8 ":
        if data[23:26] != b"\x9d\x01\x2a":
            raise ImageError("WebP lossy chunk without a key frame")
        width, height = struct.unpack_from("<HH", data, 26)
        return _checked(width & 0x3FFF, height & 0x3FFF)
    raise ImageError(f"WebP with an unknown first chunk {chunk!r}")


def _checked(width, height):
    if width == 0 or height == 0:
        raise ImageError(f"empty picture ({width}x{height})")
    return width, height
