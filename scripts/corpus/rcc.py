"""Reads Qt binary resource bundles (.rcc files, as written by `rcc -binary`).

Layout (Qt's rcc.cpp and qresource.cpp; all integers big-endian):

  header   "qres", version (4 bytes), then the offsets of the tree, the data
           and the names sections (4 bytes each); version 3 adds 4 bytes of
           overall flags.
  tree     fixed-size entries; entry 0 is the root folder. Each holds a name
           offset (4) and flags (2); a folder then holds its child count (4)
           and the index of its first child (4); a file holds a territory (2),
           a language (2) and a data offset (4). From version 2 on, every
           entry ends with an 8-byte modification time, so entries are 22
           bytes instead of 14.
  names    a length in UTF-16 code units (2), a hash (4), the UTF-16 name.
  data     a length (4) and the bytes. Flag 0x01 marks zlib compression in
           qCompress form (a 4-byte expected size, then a zlib stream); flag
           0x04 marks zstd, which the standard library cannot read.

Every offset and length is checked against the file, sizes are bounded, and
any inconsistency raises RccError with the bundle's name.
"""

import struct
import zlib

FLAG_COMPRESSED = 0x01
FLAG_DIRECTORY = 0x02
FLAG_COMPRESSED_ZSTD = 0x04

MAX_ENTRY_BYTES = 64 * 1024 * 1024  # one resource, compressed or not
MAX_ENTRIES = 1_000_000
MAX_DEPTH = 64


class RccError(Exception):
    """A bundle that is not a well-formed Qt resource file."""


class Resource:
    """One file in a bundle: its path (from the root, with '/') and how to
    read its bytes."""

    def __init__(self, bundle, path, flags, data_offset):
        self.bundle = bundle
        self.path = path
        self.flags = flags
        self.data_offset = data_offset

    def read(self):
        return self.bundle.read(self)


class Bundle:
    def __init__(self, data, name="<rcc>"):
        self.data = data
        self.name = name
        if len(data) < 20 or data[:4] != b"qres":
            raise RccError(f"{name}: not a Qt resource bundle (no 'qres' magic)")
        (self.version, self.tree, self.payload, self.names) = struct.unpack_from(">4I", data, 4)
        if self.version not in (1, 2, 3):
            raise RccError(f"{name}: unsupported rcc format version {self.version}")
        header = 24 if self.version >= 3 else 20
        if len(data) < header:
            raise RccError(f"{name}: truncated header")
        for label, offset in (("tree", self.tree), ("data", self.payload), ("names", self.names)):
            if offset < header or offset > len(data):
                raise RccError(f"{name}: {label} offset {offset} outside the file")
        self.entry_size = 22 if self.version >= 2 else 14

    def _entry(self, index):
        if index < 0 or index >= MAX_ENTRIES:
            raise RccError(f"{self.name}: tree entry index {index} out of range")
        offset = self.tree + index * self.entry_size
        if offset + self.entry_size > len(self.data):
            raise RccError(f"{self.name}: tree entry {index} past the end of the file")
        name_offset, flags = struct.unpack_from(">IH", self.data, offset)
        a, b = struct.unpack_from(">II", self.data, offset + 6)
        return name_offset, flags, a, b

    def _name(self, name_offset):
        offset = self.names + name_offset
        if offset + 6 > len(self.data):
            raise RccError(f"{self.name}: name offset {name_offset} past the end of the file")
        (length,) = struct.unpack_from(">H", self.data, offset)
        start = offset + 6
        end = start + 2 * length
        if end > len(self.data):
            raise RccError(f"{self.name}: name at {name_offset} runs past the end of the file")
        try:
            return self.data[start:end].decode("utf-16-be")
        except UnicodeDecodeError as error:
            raise RccError(f"{self.name}: name at {name_offset} is not UTF-16: {error}") from None

    def resources(self):
        """Every file in the bundle, depth first, in tree order."""
        out = []
        seen = set()
        stack = [(0, "", 0)]  # (entry index, folder path, depth)
        while stack:
            index, prefix, depth = stack.pop()
            if index in seen:
                raise RccError(f"{self.name}: tree entry {index} reached twice (cycle)")
            seen.add(index)
            name_offset, flags, a, b = self._entry(index)
            if index == 0:
                path = ""
            else:
                path = f"{prefix}/{self._name(name_offset)}" if prefix else self._name(name_offset)
            if flags & FLAG_DIRECTORY:
                if depth >= MAX_DEPTH:
                    raise RccError(f"{self.name}: folders nested deeper than {MAX_DEPTH}")
                count, first = a, b
                if count > MAX_ENTRIES or first + count > MAX_ENTRIES:
                    raise RccError(f"{self.name}: folder '{path}' claims {count} children")
                for child in reversed(range(first, first + count)):
                    stack.append((child, path, depth + 1))
            else:
                out.append(Resource(self, path, flags, b))
        return out

    def read(self, resource):
        offset = self.payload + resource.data_offset
        if offset + 4 > len(self.data):
            raise RccError(f"{self.name}: data of '{resource.path}' past the end")
        (length,) = struct.unpack_from(">I", self.data, offset)
        if length > MAX_ENTRY_BYTES:
            raise RccError(f"{self.name}: '{resource.path}' claims {length} bytes"
                           f" (limit {MAX_ENTRY_BYTES})")
        start = offset + 4
        if start + length > len(self.data):
            raise RccError(f"{self.name}: data of '{resource.path}' runs past the end")
        raw = self.data[start:start + length]
        if resource.flags & FLAG_COMPRESSED_ZSTD:
            raise RccError(f"{self.name}: '{resource.path}' is zstd-compressed (not supported)")
        if not resource.flags & FLAG_COMPRESSED:
            return raw
        if len(raw) < 4:
            raise RccError(f"{self.name}: compressed '{resource.path}' lacks its size field")
        (expected,) = struct.unpack_from(">I", raw, 0)
        if expected > MAX_ENTRY_BYTES:
            raise RccError(f"{self.name}: '{resource.path}' inflates to {expected} bytes"
                           f" (limit {MAX_ENTRY_BYTES})")
        inflater = zlib.decompressobj()
        try:
            out = inflater.decompress(raw[4:], MAX_ENTRY_BYTES + 1)
        except zlib.error as error:
            raise RccError(f"{self.name}: '{resource.path}' is no zlib stream: {error}") from None
        if len(out) > MAX_ENTRY_BYTES or inflater.unconsumed_tail:
            raise RccError(f"{self.name}: '{resource.path}' inflates past {MAX_ENTRY_BYTES} bytes")
        if len(out) != expected:
            raise RccError(f"{self.name}: '{resource.path}' inflates to {len(out)} bytes,"
                           f" not {expected}")
        return out


def open_bundle(path):
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_ENTRY_BYTES * 4 + 1)
    except OSError as error:
        raise RccError(f"{path}: {error.strerror}") from None
    if len(data) > MAX_ENTRY_BYTES * 4:
        raise RccError(f"{path}: larger than {MAX_ENTRY_BYTES * 4} bytes")
    return Bundle(data, str(path))
