"""Reading one data file: its bytes, refused when they are not a TOML file of the archive,
then parsed; whether it is in canonical form; and what says whether it changed."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

from spnet.errors import DataError
from spnet.i18n import _

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


def read_toml(path: Path, shown: str) -> tuple[str, dict[str, Any]]:
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
    import tomllib  # a query answered from the cache parses no TOML

    try:
        return text, tomllib.loads(text)
    except RecursionError:
        raise DataError(_("{file}: nested too deeply to read").format(file=shown)) from None
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"^(.*) \(at line (\d+), column (\d+)\)$", msg)
        if m:
            raise DataError(
                f"{shown}: " + _("line {line}, column {column}").format(line=m[2], column=m[3]) + f": {m[1]}"
            ) from None
        m = re.search(r"^(.*) \(at end of document\)$", msg)
        if m:
            raise DataError(f"{shown}: " + _("at end of file") + f": {m[1]}") from None
        raise DataError(f"{shown}: {msg}") from None


def is_canonical(text: str, doc: dict[str, Any]) -> bool:
    """True when the text is byte for byte what tomli-w writes for its data."""
    import tomli_w  # only `check` needs it

    return tomli_w.dumps(doc) == text


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
