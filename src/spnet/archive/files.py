"""Reading one data file: its bytes, refused when they are not a TOML file of the archive,
then parsed; whether it is in canonical form; and what says whether it changed."""

from __future__ import annotations

import functools
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any, cast

from spnet.errors import DataError
from spnet.i18n import _
from spnet.models import TomlTable
from spnet.visible import visible

MAX_FILE_BYTES = 64 * 1024 * 1024  # the largest data file read; the real ones are under 100 kB


def unreadable(shown: str, exc: OSError) -> str:
    """A file or directory that cannot be read, and why, as the system says it."""
    return _("{file}: cannot be read: {why}").format(file=shown, why=(exc.strerror or str(exc)).lower())


def read_bytes(path: Path, shown: str) -> bytes:
    """A data file's bytes. Refused (DataError): what is not a regular file (a FIFO would
    block, /dev/zero never end), a file over MAX_FILE_BYTES, one that cannot be read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError:
        raise DataError(_("{file}: is a directory, not a TOML file").format(file=shown)) from None
    except PermissionError:
        raise DataError(_("{file}: cannot be read: permission denied").format(file=shown)) from None
    except FileNotFoundError:
        raise DataError(_("{file}: no such file").format(file=shown)) from None
    except OSError as exc:
        raise DataError(unreadable(shown, exc)) from None
    st = os.fstat(fd)
    problem = (
        _("{file}: is a directory, not a TOML file")
        if stat.S_ISDIR(st.st_mode)
        else _("{file}: not a regular file")
        if not stat.S_ISREG(st.st_mode)
        else _("{file}: larger than {size} MiB, the most spnet reads")
        if st.st_size > MAX_FILE_BYTES
        else None
    )
    if problem:
        os.close(fd)
        raise DataError(problem.format(file=shown, size=MAX_FILE_BYTES // 2**20))
    with os.fdopen(fd, "rb") as fh:
        try:
            raw = fh.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise DataError(unreadable(shown, exc)) from None
    if len(raw) > MAX_FILE_BYTES:  # it grew while being read
        text = _("{file}: larger than {size} MiB, the most spnet reads")
        raise DataError(text.format(file=shown, size=MAX_FILE_BYTES // 2**20))
    return raw


def read_toml(path: Path, shown: str) -> tuple[str, TomlTable]:
    """Read and parse one file: (its text, its data). DataError names file, line and column."""
    raw = read_bytes(path, shown)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        text = _("{file}: line {line}: not UTF-8 (byte 0x{byte})")
        raise DataError(text.format(file=shown, line=line, byte=f"{raw[exc.start]:02x}")) from None
    if not text.strip():
        raise DataError(_("{file}: the file is empty").format(file=shown))
    try:
        doc = parse_toml(text)
    except RecursionError:
        raise DataError(_("{file}: nested too deeply to read").format(file=shown)) from None
    except ValueError as exc:
        import tomllib

        if isinstance(exc, tomllib.TOMLDecodeError) or "digits" not in str(exc):
            raise DataError(_decode_error(shown, str(exc))) from None
        # Python reads no integer of more than 4,300 digits (sys.int_info); nor does spnet
        # keep one over 64 bits.
        m = re.search(r"[0-9_]{4000,}", text)
        at = str(text.count("\n", 0, m.start()) + 1) if m else "?"
        raise DataError(_("{file}: line {line}: an integer too long to read").format(file=shown, line=at)) from None
    if _depth(doc) > MAX_DEPTH:
        message = _("{file}: {where}: nested more than {depth} deep")
        raise DataError(message.format(file=shown, where=_too_deep(doc), depth=MAX_DEPTH))
    return text, doc


def parse_toml(text: str) -> TomlTable:
    """A TOML text's data, exactly as tomllib reads it: the same values and types, the same
    errors. toml-rs, a compiled reader of TOML 1.0, reads it where it gives the same data
    (4x faster on the real archive: bench/README.md; tests/test_toml_parsers.py compares);
    tomllib reads the rest, and every text toml-rs refuses, so that an error is worded and
    placed as tomllib says it."""
    doc = _read_compiled(text)
    if doc is None:
        import tomllib  # a query answered from the cache parses no TOML

        doc = tomllib.loads(text)
    return doc


# toml-rs recurses on the native stack for each nested array or inline table, and its
# process dies (SIGSEGV) at about 4,500 levels on an 8 MiB stack: a text with fewer
# opening brackets than this cannot nest that deep (on a smaller stack, proportionally
# fewer: _most_brackets).
COMPILED_MOST_BRACKETS = 2000
_STACK_MEASURED = 8 << 20

# A key with a dot at the head of a line (`arr.var.val1 = 1`): toml-rs lets such a key
# extend an array of tables declared earlier, where tomllib says "Cannot redefine
# namespace"; tomllib reads every text holding one (spnet's files, as tomli-w writes
# them, hold none; a line of a multi-line string that looks like one only costs speed).
_DOTTED_KEY = re.compile(r"""^[ \t]*(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')[ \t]*\.""", re.MULTILINE)


@functools.cache
def _most_brackets() -> int:
    """COMPILED_MOST_BRACKETS for this process's stack (`ulimit -s`)."""
    import resource

    soft, _hard = resource.getrlimit(resource.RLIMIT_STACK)
    if soft == resource.RLIM_INFINITY or soft >= _STACK_MEASURED:
        return COMPILED_MOST_BRACKETS
    return COMPILED_MOST_BRACKETS * soft // _STACK_MEASURED


def _read_compiled(text: str) -> TomlTable | None:
    """The text's data as toml-rs reads it; None where tomllib must read it: toml-rs is not
    installed or refuses the text, or the text is one it reads and tomllib refuses (a
    byte-order mark, an integer longer than Python reads from text, a dotted key) or may
    refuse (nested deeper than spnet reads: tomllib stops at Python's recursion limit, and
    says so)."""
    if text.startswith("\ufeff") or text.count("[") + text.count("{") > _most_brackets() or _DOTTED_KEY.search(text):
        return None
    # toml-rs allocates through mimalloc, which by default commits its arenas up front:
    # reading the real archive then took half as much memory again as with tomllib
    # (bench/README.md, the compiled TOML reader).
    os.environ.setdefault("MIMALLOC_ARENA_EAGER_COMMIT", "0")
    try:
        import toml_rs
    except ImportError:  # a speed-up only: tomllib reads every file without it
        return None
    try:
        doc: TomlTable = toml_rs.loads(text, toml_version="1.0.0")
    except ValueError:
        return None
    digits = sys.get_int_max_str_digits()  # tomllib reads an integer as int() does, up to this
    return None if _past_tomllib(doc, 10**digits if digits else None) else doc


def _past_tomllib(doc: TomlTable, limit: int | None) -> bool:
    """True when the document nests deeper than MAX_DEPTH, or holds an integer of `limit`
    or more in magnitude."""
    todo = [(cast(TomlTable | list[Any], doc), 1)]
    while todo:
        container, depth = todo.pop()
        if depth > MAX_DEPTH:
            return True
        for value in container.values() if isinstance(container, dict) else container:
            if isinstance(value, dict | list):
                todo.append((value, depth + 1))
            elif limit is not None and type(value) is int and not -limit < value < limit:
                return True
    return False


# Deeper than any record of the archive, and well within what tomli-w writes back (it
# fails at about 250): `check` and `fmt` rewrite every file they read.
MAX_DEPTH = 32


def _depth(doc: TomlTable) -> int:
    """How many tables and arrays deep the document's values go (the document itself is 1)."""
    deepest, todo = 0, [(cast(TomlTable | list[Any], doc), 1)]
    while todo:
        value, depth = todo.pop()
        deepest = max(deepest, depth)
        if depth <= MAX_DEPTH:  # one past the limit is enough to know
            items = value.values() if isinstance(value, dict) else value
            todo += [(v, depth + 1) for v in items if isinstance(v, dict | list)]
    return deepest


def _too_deep(doc: TomlTable) -> str:
    """Where (events[2].note[0]) the first value lies more than MAX_DEPTH deep."""
    todo: list[tuple[Any, str, int]] = [(doc, "", 1)]
    while todo:
        value, where, depth = todo.pop()
        if depth > MAX_DEPTH:
            return where
        if isinstance(value, dict):
            todo += reversed([(v, f"{where}.{k}" if where else k, depth + 1) for k, v in value.items()])
        elif isinstance(value, list):
            todo += reversed([(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value)])
    return ""


def _decode_error(shown: str, msg: str) -> str:
    """A TOML syntax error as one line naming the file, line and column."""
    m = re.search(r"^(.*) \(at line (\d+), column (\d+)\)$", msg)
    if m:
        return f"{shown}: " + _("line {line}, column {column}").format(line=m[2], column=m[3]) + f": {m[1]}"
    m = re.search(r"^(.*) \(at end of document\)$", msg)
    if m:
        return f"{shown}: " + _("at end of file") + f": {m[1]}"
    return f"{shown}: {msg}"


def canonical(doc: TomlTable) -> str:
    """A data file's canonical text: what tomli-w writes, with the characters it writes as
    they are though they act on a terminal or hide text (C1 controls, bidi and zero-width
    marks, line separators) as TOML's \\uXXXX escapes, which read back as the same text:
    `cat` and an editor show a data file as it is."""
    import tomli_w  # only the writers and `check` need it

    text = tomli_w.dumps(doc)
    if visible(text, keep="\n\t") == text:
        return text
    # tomli-w quotes every string and key that holds one of them, in "...": escapes are read there
    return "".join(ch if ch in "\n\t" or visible(ch) == ch else _escape(ch) for ch in text)


def _escape(ch: str) -> str:
    return f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}"


def is_canonical(text: str, doc: TomlTable) -> bool:
    """True when the text is byte for byte the canonical text of its data."""
    return canonical(doc) == text


# ------------------------------------------------------------------ parsed files
StatKey = tuple[int, int, int, int]


def unchanged_if_same(st: os.stat_result) -> StatKey:
    """What must stay the same for a file to count as unchanged: size, modification and
    change times, inode (an edit within the same second and of the same size still
    changes the change time)."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def stat_key(path: Path) -> StatKey | None:
    try:
        return unchanged_if_same(os.stat(path))
    except OSError:
        return None
