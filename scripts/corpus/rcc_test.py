#!/usr/bin/env python3
"""Tests of the .rcc reader and the image header probe on bundles written
here in each format version (python3 scripts/corpus/rcc_test.py)."""

import os
import struct
import sys
import unittest
import zlib

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import images  # noqa: E402
import rcc  # noqa: E402


def write_bundle(files, version, compress=()):
    """A bundle holding files ({'a/b.png': bytes}) in rcc's layout; paths in
    compress are stored in qCompress form."""
    root = {}
    for path, data in files.items():
        node = root
        parts = path.split("/")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = (path, data)
    names, payload, entries = bytearray(), bytearray(), []
    name_offsets = {}

    def name_offset(name):
        if name not in name_offsets:
            name_offsets[name] = len(names)
            encoded = name.encode("utf-16-be")
            names.extend(struct.pack(">HI", len(encoded) // 2, 0) + encoded)
        return name_offsets[name]

    # Breadth first, as rcc does, so that each folder's children are adjacent.
    entries.append(None)
    queue = [(0, "", root)]
    while queue:
        index, name, node = queue.pop(0)
        first = len(entries)
        children = sorted(node.items())
        entries.extend([None] * len(children))
        entries[index] = (name_offset(name) if index else 0, rcc.FLAG_DIRECTORY,
                          len(children), first)
        for offset, (child_name, child) in enumerate(children):
            if isinstance(child, dict):
                queue.append((first + offset, child_name, child))
                continue
            path, data = child
            flags = 0
            if path in compress:
                data = struct.pack(">I", len(data)) + zlib.compress(data)
                flags = rcc.FLAG_COMPRESSED
            entries[first + offset] = (name_offset(child_name), flags, 0, len(payload))
            payload.extend(struct.pack(">I", len(data)) + data)
    tree = bytearray()
    for name, flags, a, b in entries:
        tree += struct.pack(">IHII", name, flags, a, b)
        if version >= 2:
            tree += bytes(8)
    header = 24 if version >= 3 else 20
    tree_offset = header
    payload_offset = tree_offset + len(tree)
    names_offset = payload_offset + len(payload)
    out = b"qres" + struct.pack(">IIII", version, tree_offset, payload_offset, names_offset)
    if version >= 3:
        out += bytes(4)
    return out + tree + payload + names


PNG = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", 300, 200)
FILES = {"a/photo.png": PNG + bytes(40), "a/b/c.txt": b"hello", "top.bin": b"\x00" * 1000}


class ReaderTest(unittest.TestCase):
    def test_every_version_plain_and_compressed(self):
        for version in (1, 2, 3):
            for compress in ((), tuple(FILES)):
                bundle = rcc.Bundle(write_bundle(FILES, version, compress), "test.rcc")
                read = {resource.path: resource.read() for resource in bundle.resources()}
                self.assertEqual(read, FILES, f"version {version}, compress {compress}")

    def test_bad_magic_and_version(self):
        with self.assertRaisesRegex(rcc.RccError, "magic"):
            rcc.Bundle(b"nope" + bytes(40), "x")
        data = bytearray(write_bundle(FILES, 3))
        data[4:8] = struct.pack(">I", 9)
        with self.assertRaisesRegex(rcc.RccError, "version 9"):
            rcc.Bundle(bytes(data), "x")

    def test_truncated_bundles_fail_cleanly(self):
        data = write_bundle(FILES, 3, compress=("a/photo.png",))
        for length in range(0, len(data)):
            try:
                bundle = rcc.Bundle(data[:length], "x")
                for resource in bundle.resources():
                    resource.read()
            except rcc.RccError:
                pass

    def test_oversized_entry_is_refused(self):
        data = bytearray(write_bundle({"big": b"x"}, 2))
        _, payload, _ = struct.unpack_from(">III", data, 8)
        data[payload:payload + 4] = struct.pack(">I", rcc.MAX_ENTRY_BYTES + 1)
        bundle = rcc.Bundle(bytes(data), "x")
        with self.assertRaisesRegex(rcc.RccError, "claims"):
            bundle.resources()[0].read()

    def test_inflation_bomb_is_refused(self):
        data = write_bundle({"bomb": b"\x00" * 1000}, 3, compress=("bomb",))
        bundle = rcc.Bundle(data, "x")
        resource = bundle.resources()[0]
        original = rcc.MAX_ENTRY_BYTES
        rcc.MAX_ENTRY_BYTES = 100
        try:
            with self.assertRaisesRegex(rcc.RccError, "inflates"):
                resource.read()
        finally:
            rcc.MAX_ENTRY_BYTES = original

    def test_cycle_is_refused(self):
        data = bytearray(write_bundle(FILES, 1))
        tree = struct.unpack_from(">I", data, 8)[0]
        # Point the root's first child back at the root.
        data[tree + 10:tree + 14] = struct.pack(">I", 0)
        with self.assertRaisesRegex(rcc.RccError, "cycle"):
            rcc.Bundle(bytes(data), "x").resources()


class ProbeTest(unittest.TestCase):
    def test_png(self):
        self.assertEqual(images.probe(PNG), ("png", 300, 200))

    def test_jpeg(self):
        app0 = b"\xff\xe0" + struct.pack(">H", 16) + bytes(14)
        sof = b"\xff\xc2" + struct.pack(">HBHHB", 11, 8, 480, 640, 3) + bytes(3)
        self.assertEqual(images.probe(b"\xff\xd8" + app0 + sof), ("jpeg", 640, 480))

    def test_webp_chunks(self):
        def riff(chunk):
            return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk
        lossy = (b"VP8 " + struct.pack("<I", 20) + bytes(3) + b"\x9d\x01\x2a"
                 + struct.pack("<HH", 320, 213) + bytes(10))
        bits = (1023 - 1) | ((768 - 1) << 14)
        lossless = b"VP8L" + struct.pack("<I", 10) + b"\x2f" + struct.pack("<I", bits) + bytes(5)
        extended = (b"VP8X" + struct.pack("<I", 10) + bytes(4)
                    + (1919).to_bytes(3, "little") + (1079).to_bytes(3, "little"))
        self.assertEqual(images.probe(riff(lossy)), ("webp", 320, 213))
        self.assertEqual(images.probe(riff(lossless)), ("webp", 1023, 768))
        self.assertEqual(images.probe(riff(extended)), ("webp", 1920, 1080))

    def test_other_bytes(self):
        for data in (b"", b"<svg/>", b"\xff\xd8\xff", b"RIFF\x00\x00\x00\x00WEBPVP8Z" + bytes(20)):
            with self.assertRaises(images.ImageError):
                images.probe(data)


if __name__ == "__main__":
    unittest.main()
