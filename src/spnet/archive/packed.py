"""Values as the index keeps them: records as JSON, packed with a checksum bound to their
file (pack, unpack), rows' own checksums (row_crc), and JSON read back as the record
types it was written from (decode). Nothing read is executed: only the types named in
`models.RECORD_TYPES` are made."""

from __future__ import annotations

import functools
import json
import sqlite3
import types
import typing
import zlib
from collections.abc import Callable
from typing import Any, TypeVar

from spnet.archive.rows import Spoiled
from spnet.models import RECORD_TYPES, Problem

T = TypeVar("T", bound=tuple[object, ...])  # a record: a named tuple
# What reading a spoiled part of the index can raise, besides Spoiled.
UNREADABLE = (sqlite3.Error, OSError, ValueError, TypeError, KeyError, AttributeError, zlib.error, RecursionError)


# A record is a named tuple, so JSON's own C encoder writes it as an array of its fields;
# reading one back, its type says what each field is.
def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def pack(text: str, bound: str = "") -> bytes:
    """JSON as stored: a CRC-32 of the text, then the text zlib-compressed (to a fifth of
    its size: reading it back costs less than reading five times the bytes). The CRC covers
    `bound` too (what names the value where it is kept: its file), so that a value read
    under another name does not match."""
    data = text.encode("utf-8")
    return _crc(data, bound).to_bytes(4, "big") + zlib.compress(data, 1)


def _crc(data: bytes, bound: str) -> int:
    return zlib.crc32(data, zlib.crc32(bound.encode("utf-8", "surrogateescape")))


def row_crc(*values: str | int | None) -> int:
    """The CRC-32 a row of the index keeps of its other columns (text, integers, NULL: as
    SQLite gives them back; repr tells 'None' from None and 1 from '1', and is quick)."""
    return zlib.crc32(repr(values).encode("utf-8", "surrogateescape"))


def decode(value: object, of: type[T]) -> T:
    """What json.loads gave of a record written by to_json, as a record of the type `of`
    (one of models.RECORD_TYPES)."""
    made: T = _decoder(of)(value)
    return made


def unpack(blob: bytes, bound: str = "") -> str:
    """What pack stored (under the same `bound`); Spoiled (or zlib.error) when it does not
    read back."""
    data = zlib.decompress(blob[4:])
    if _crc(data, bound) != int.from_bytes(blob[:4], "big"):
        raise Spoiled("a part of the index does not match its checksum")
    return data.decode("utf-8")


def _same(value: Any) -> Any:
    return value


@functools.cache
def _decoder(tp: Any) -> Callable[[Any], Any]:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if isinstance(tp, type) and tp.__name__ in RECORD_TYPES and RECORD_TYPES[tp.__name__] is tp:
        hints = typing.get_type_hints(tp)
        steps = [(i, d) for i, f in enumerate(tp._fields) if (d := _decoder(hints[f])) is not _same]
        make, size = tp._make, len(tp._fields)

        def record(value: Any) -> Any:
            if type(value) is not list or len(value) != size:
                raise ValueError(f"not a {tp.__name__}")
            for i, decode in steps:
                value[i] = decode(value[i])
            return make(value)

        return record
    if origin is tuple:
        item = _decoder(args[0])
        return lambda value: tuple(item(v) for v in value)
    if origin in (types.UnionType, typing.Union):
        inner = _decoder(next(a for a in args if a is not type(None)))
        return lambda value: None if value is None else inner(value)
    if origin is dict:
        return dict
    return _same


def problems_of(rows: list[list[Any]]) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) as unit.py stores them."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for severity, where, message, params in rows:
        (errors if severity == "error" else warnings).append(Problem(where, message, params))
    return errors, warnings
