"""The one way spnet writes a file: the archive's own files and every export.

Like a careful Unix tool:
- `-` is standard output.
- A regular file, or a new one, is replaced atomically: a temporary file beside it,
  flushed and fsynced, then renamed over it. An existing file keeps its mode; a new one
  gets 0666 less the umask (0644 under the usual 022).
- A symlink is written through: what it points to is replaced, and the link stays a link.
- A device, FIFO or socket (`/dev/null`, `/dev/stdout`, `>(wc -c)`) is written to, never
  replaced.
- A failure leaves the old file as it was and no temporary file behind.
Errors are OSError, which the command line reports as one line (exit 4).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO


def _target(path: Path) -> Path:
    """Where writing `path` lands: through a symlink, to what it points to."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _replaceable(path: Path) -> bool:
    """A regular file, or nothing yet: replaced by a rename. Anything else is written to."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except FileNotFoundError:
        return True


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path to write `path`'s new content to (SQLite needs a path, not a stream);
    on success it takes `path`'s place as described above."""
    target = _target(path)
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    replace = _replaceable(target)
    parent = target.parent if replace else Path(tempfile.gettempdir())
    if not parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(parent))
    fd, name = tempfile.mkstemp(dir=parent, prefix=f".{target.name}-", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if replace:
            mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else _new_file_mode()
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, target)
            _sync_directory(target.parent)
        else:
            with open(tmp, "rb") as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def output(path: Path | str) -> Iterator[TextIO]:
    """A text stream to write `path` through, in UTF-8 (`-`: standard output)."""
    if str(path) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    with replacing(Path(path)) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        yield fh


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` (see the module's rules); `-` is standard output."""
    if str(path) == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    with replacing(path) as tmp:
        tmp.write_bytes(data)


def _sync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):  # make the rename itself durable
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
