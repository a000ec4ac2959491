"""The one way spnet writes a file: the archive's own files and every export.

Like a careful Unix tool:
- `-` is standard output.
- A regular file, or a new one, is replaced atomically: a temporary file beside it,
  flushed and fsynced, then renamed over it. An existing file keeps its mode; a new one
  gets 0666 less the umask (0644 under the usual 022).
- A symlink is written through: what it points to is replaced, and the link stays a link.
- A device, FIFO or pipe (`/dev/null`, `/dev/stdout`, `/dev/fd/3`, `>(wc -c)`) is written
  to directly, never replaced.
- A failure leaves the old file as it was and no temporary file behind.
Errors are OSError, which the command line reports as one line (exit 4).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from spnet import interrupts


def _is_stream(path: Path) -> bool:
    """A FIFO, pipe, device or socket, which is written to: `/dev/stdout` and `/dev/fd/N`
    (`>(wc -c)`) are links to a pipe that has no name of its own to resolve. False for a
    regular file or nothing yet, which is replaced; a directory is refused."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return False
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if not stat.S_ISREG(mode) and _closed_stdout(path):
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))  # said as standard output closed
    return not stat.S_ISREG(mode)


def _closed_stdout(path: Path) -> bool:
    """`--out /dev/stdout` (or /dev/fd/1) when the caller closed standard output: spnet's
    entry point holds its number open read-only on /dev/null (spnet.entry), which the link
    now leads to; writing there would lose the output without a word."""
    try:
        held = os.fstat(1)
        if fcntl.fcntl(1, fcntl.F_GETFL) & os.O_ACCMODE != os.O_RDONLY:
            return False
        return os.path.realpath(path) != os.path.abspath(path) and os.path.samestat(os.stat(path), held)
    except OSError:
        return False


def _target(path: Path) -> Path:
    """Where replacing `path` lands: through a symlink, to what it points to."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def _named(path: Path, instead_of: Path | None = None) -> Iterator[None]:
    """An error writing `path` names it: `cannot write the output: out.json: No space left`;
    also one naming a file spnet made in `instead_of` (its temporary file), not the user's."""
    try:
        yield
    except OSError as exc:
        if exc.filename and (instead_of is None or Path(exc.filename).parent != instead_of):
            raise
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path to write `path`'s new content to (SQLite needs a path, not a stream);
    on success it takes `path`'s place as described above. A stream target (a FIFO, a
    device) gets the temporary file's content copied into it instead."""
    stream = _is_stream(path)
    target = path if stream else _target(path)
    parent = Path(tempfile.gettempdir()) if stream else target.parent
    if not parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(parent))
    tmp: Path | None = None
    try:
        with interrupts.deferred(), _named(path, instead_of=parent):  # Ctrl-C after the file is noted for removal
            fd, name = tempfile.mkstemp(dir=parent, prefix=f".{target.name}-", suffix=".tmp")
            os.close(fd)
            tmp = Path(name)
        with _named(path):
            yield tmp
            if stream:
                with open(tmp, "rb") as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                return
            mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else _new_file_mode()
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        _sync_directory(target.parent)
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def output(path: Path | str) -> Iterator[TextIO]:
    """A text stream to write `path` through, in UTF-8 (`-`: standard output)."""
    if str(path) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    if _is_stream(Path(path)):
        with _named(Path(path)), open(path, "w", encoding="utf-8", newline="") as fh:
            yield fh
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
    if _is_stream(path):
        with _named(path), open(path, "wb") as fh:
            fh.write(data)
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
