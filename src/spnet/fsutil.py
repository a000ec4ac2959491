"""The one way spnet writes a file: the archive's own files, its index, and every export.

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

A derived file (the index, in spnet's own cache directory) is
written the same way but without fsync, since a crash costs only a rebuild; it is made
for the user alone (0600), and its own name is replaced, whatever is there.

Temporary files are named `.<name>.spnet-<pid>-<mark>-<8 hex digits>.tmp` beside the file
`<name>` they will replace, so that whoever finds one knows spnet made it and which
process (SQLite may add its `-journal` to the name while a database is written); nothing
named otherwise is ever removed. A pid means something only in the pid namespace, and
the boot, it was given in: the mark (8 hex digits, `_mark`) tells them apart, since a
directory may be shared by containers, a host and its containers, or machines over NFS.
A process killed while it writes (SIGKILL, a power cut) leaves its temporary file behind;
the next writer that finds it removes it: beside the file it replaces, those of the same
name; in the cache directory, every one. A leftover is removed only when its maker is
gone. With our mark (or none, as spnet named them before it marked them): no live process
has its pid (a zombie is not live), or the process that has the pid now started after
the file was last written, so it took a pid that was free again. With another mark, its
pid says nothing here: it is removed once untouched for a day (`FOREIGN_AGE`), and a
writer at work there keeps its file. A live writer's file is never touched, nor one that
is not a regular file of the user's own.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import math
import os
import re
import shutil
import stat
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from spnet import interrupts


def _temporary_dir() -> Path:
    """The system's directory for temporary files, where output to a stream is made aside;
    tempfile is imported only then (a query, which writes no stream, never pays for it)."""
    import tempfile

    return Path(tempfile.gettempdir())


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


class Replacement:
    """A new file for `path`, written at `tmp` and moved into its place by commit() (as
    the module describes); discard() removes it instead. `derived`: a file spnet can
    rebuild, in its own cache directory (no fsync, 0600, its own name replaced). For a
    long-lived writer (the index's); `replacing` is the usual way in."""

    def __init__(self, path: Path, *, derived: bool = False) -> None:
        self.derived = derived
        self.stream = not derived and _is_stream(path)
        self.target = path if derived or self.stream else _target(path)
        parent = _temporary_dir() if self.stream else self.target.parent
        if not parent.is_dir():
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(parent))
        remove_leftovers(parent, None if derived else self.target.name)
        self.tmp: Path | None = None
        with interrupts.deferred():  # Ctrl-C after the file is noted for removal
            self.tmp = _create(parent, self.target.name)

    def commit(self) -> None:
        """The file moved into place (a stream target: its content copied into it)."""
        assert self.tmp is not None, "committed twice"
        if self.stream:
            with open(self.tmp, "rb") as src, open(self.target, "wb") as dst:
                shutil.copyfileobj(src, dst)
            self.discard()
            return
        if not self.derived:
            mode = stat.S_IMODE(self.target.stat().st_mode) if self.target.exists() else _new_file_mode()
            with open(self.tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.chmod(self.tmp, mode)
        os.replace(self.tmp, self.target)
        self.tmp = None
        if not self.derived:
            _sync_directory(self.target.parent)

    def discard(self) -> None:
        """The temporary file removed, unless it took its place already."""
        if self.tmp is not None:
            with contextlib.suppress(OSError):
                self.tmp.unlink()
            self.tmp = None


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path to write `path`'s new content to (SQLite needs a path, not a stream);
    on success it takes `path`'s place as described above. A stream target (a FIFO, a
    device) gets the temporary file's content copied into it instead."""
    new: Replacement | None = None
    try:
        with _named(path, instead_of=_parent(path)):
            new = Replacement(path)
        assert new.tmp is not None
        with _named(path):
            yield new.tmp
            new.commit()
    finally:
        if new is not None:
            new.discard()


def _parent(path: Path) -> Path:
    """Where a temporary file for `path` is made (an error naming it names `path`)."""
    return _temporary_dir() if _is_stream(path) else _target(path).parent


# A temporary file's name, SQLite's files beside it included: `.spnet-` marks it as
# spnet's, so that a file of the user's named alike (`.backup-2024.tmp`,
# `.notes-31000-cafebabe.tmp`) is never taken for one. A name without the mark is one an
# earlier spnet gave.
_TEMPORARY = re.compile(
    r"\.(?P<name>.+)\.spnet-(?P<pid>[0-9]{1,10})-(?:(?P<mark>[0-9a-f]{8})-)?[0-9a-f]{8}\.tmp(?:-journal|-wal|-shm)?"
)
# The name an earlier spnet gave the index's and the search index's temporary files, in its
# cache directory only.
_EARLIER = re.compile(r"\.(?P<name>(?:index|search)-[0-9a-f]{16}\.sqlite)-(?P<pid>[0-9]{1,10})\.tmp(?:-journal)?")


def _create(parent: Path, name: str) -> Path:
    """A new empty file `.<name>.spnet-<pid>-<mark>-<random>.tmp` in `parent`, the user's alone."""
    while True:
        tmp = parent / f".{name}.spnet-{os.getpid()}-{_mark()}-{os.urandom(4).hex()}.tmp"
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600))
        except FileExistsError:
            continue
        return tmp


def remove_leftovers(directory: Path, name: str | None = None) -> list[Path]:
    """The temporary files in `directory` of writers that are gone (for the file `name`
    only, or of any), removed; what was removed. One that cannot be is left."""
    removed: list[Path] = []
    try:
        with os.scandir(directory) as entries:
            found = [e for e in entries if e.name.startswith(".") and ".tmp" in e.name]
    except OSError:
        return removed
    for entry in found:
        match = _TEMPORARY.fullmatch(entry.name) or (_EARLIER.fullmatch(entry.name) if name is None else None)
        if match is None or name is not None and match["name"] != name:
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid() and _maker_gone(match, st.st_mtime):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


# How long a temporary file made in another pid namespace or boot must be left untouched
# before it is taken for a leftover. A writer at work touches its file every few seconds
# at most (the longest, the first search of an archive 1000 times the real one, writes
# for about half a minute); a day leaves room for one stopped or suspended meanwhile,
# or a clock set wrong, and a leftover costs only disk space until then.
FOREIGN_AGE = 24 * 3600


@functools.cache
def _mark() -> str:
    """What tells this process's pid namespace and boot from any other's, as 8 hex digits:
    a CRC of the kernel's boot id (a random one for each boot of each machine; where the
    kernel does not say, the host name) and the inode of the pid namespace (unique within
    a boot). Containers share the boot id with their host, so the namespace tells them
    apart; machines sharing a directory over NFS differ in their boot ids. The host name is
    not in it where the boot id is, so that a container given a name of its own while it
    shares the host's pid namespace still judges the host's files by pid."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as fh:
            boot = fh.read().strip()
    except (OSError, ValueError):
        boot = "host " + os.uname().nodename
    try:
        namespace = str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        namespace = ""
    return format(zlib.crc32(f"{boot}\n{namespace}".encode()), "08x")


def _maker_gone(match: re.Match[str], written: float) -> bool:
    """Whether the process that made a temporary file, named as `match` found, last written
    at `written` (seconds since the epoch), has ended. One of another pid namespace or boot
    is judged by the file's age alone."""
    mark = match.groupdict().get("mark")
    if mark is not None and mark != _mark():
        return time.time() - written > FOREIGN_AGE
    return _pid_gone(int(match["pid"]), written)


def _pid_gone(pid: int, written: float) -> bool:
    """Whether the process of this pid namespace that made a file last written at `written`
    with `pid` in its name has ended: no live process has that pid, or the one that has it
    started after the file was written. Not knowing is not gone."""
    if pid == os.getpid():
        return False
    if not 0 < pid < 1 << 22:  # no pid is 0 (to os.kill, the caller's own group) or that large
        return pid != 0
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # another user's process: it is alive
        pass
    started = _started(pid)
    return started is not None and started > written + 1  # the boot time has whole seconds


def _started(pid: int) -> float | None:
    """When the live process `pid` started (seconds since the epoch), from /proc; +inf for
    a zombie, which has ended; None where /proc does not say."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        if fields[0] == b"Z":
            return math.inf
        with open("/proc/stat", "rb") as fh:
            boot = next(int(line.split()[1]) for line in fh if line.startswith(b"btime "))
        return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


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
