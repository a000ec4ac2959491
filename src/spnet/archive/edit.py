"""Changing the archive: `spnet add` (validated first, written atomically, the file kept
canonical) and `spnet fmt` (the canonical rewrite), under one lock."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from spnet.archive.files import canonical, is_canonical, read_toml
from spnet.archive.load import Progress, ProgressMaker, Unseen, scan
from spnet.archive.paths import data_files, display, tomls
from spnet.archive.schema import Problems, check_table
from spnet.errors import DataError, OutputError, UsageError, bad_environment
from spnet.fsutil import write_atomically
from spnet.i18n import _
from spnet.models import TomlTable

# ------------------------------------------------------------------ writing
LOCK_NAME = ".spnet.lock"
LOCK_WAIT_SECONDS = 10.0  # unless $SPNET_LOCK_WAIT says how long to wait
# A file changed by a hand (an editor, not spnet) between reading and writing is read again,
# this many times at most: the lock keeps spnet's own writers out, but not an editor.
REREADS = 5

# Where a new record goes: (table in its file, record kind for the schema)
_ADD_TABLES = {"partner": ("partners", "partner"), "event": ("events", "event"), "person": ("people", "person")}


class Addition(NamedTuple):
    """What `add_record` did or, with dry_run, would do."""

    path: Path
    record: str  # the new record as TOML
    diff: str  # unified diff of the file
    written: bool


def add_record(
    root: Path,
    kind: str,
    record: TomlTable,
    *,
    university: str | None = None,
    dry_run: bool = False,
    cache: bool = True,
    progress: ProgressMaker | None = None,
    invalid: DataError | None = None,
) -> Addition:
    """Append one record to the file it belongs in, if the whole archive stays valid.

    A partner, or an event of a university, goes into universities/<id>.toml; other events
    and people into project.toml. Under an exclusive lock on the data directory: validate
    the archive with the record added (refused: UsageError, exit 2, nothing written), then
    write the file canonically to a temporary file, fsync it and move it into place, so a
    failure at any step leaves the old file or the new one, never a part. A file changed
    by a hand (not under the lock) after it was read is read and checked again first.
    `progress` is shown while the archive's files are read. `invalid` says why the archive is
    not valid as it is: the record may be what makes it so (a partner, and a country the
    report names only inside that partner's name, need each other); when the archive with
    the record is not valid either, or `university` names no file, that error is raised.
    """
    import difflib

    table, spec_kind = _ADD_TABLES[kind]
    path = root / ("universities" / Path(f"{university}.toml") if university else Path("project.toml"))
    shown = display(path, root)
    if university is not None and f"{university}.toml" not in tomls(root / "universities"):  # never a path
        if invalid is not None:  # a university's name, which only a valid archive resolves
            raise invalid
        raise UsageError(_("unknown university {id!r}: no file {file}").format(id=university, file=shown))
    problems = Problems()
    if not check_table(record, spec_kind, f"new {kind}", problems):
        raise UsageError(str(problems.errors[0]))
    with locked(root):
        for _attempt in range(REREADS):
            seen = identity(path)
            text, new_text = _with_record(root, path, shown, table, record, cache, progress, invalid)
            if dry_run:
                break
            if identity(path) != seen:  # changed by a hand since it was read: read again
                continue
            try:
                write_atomically(path, new_text.encode("utf-8"))
            except OSError as exc:
                why = exc.strerror or exc
                message = _("{file}: cannot write, nothing changed: {why}")
                raise OutputError(message.format(file=shown, why=why)) from None
            break
        else:
            raise DataError(
                _("{file}: kept changing while spnet was writing it; run the command again").format(file=shown)
            )
    diff = "".join(
        difflib.unified_diff(
            text.splitlines(keepends=True), new_text.splitlines(keepends=True), f"a/{shown}", f"b/{shown}"
        )
    )
    entry = canonical({table: [record]})
    return Addition(path, entry, diff, not dry_run)


def _with_record(
    root: Path,
    path: Path,
    shown: str,
    table: str,
    record: TomlTable,
    cache: bool,
    progress: ProgressMaker | None,
    invalid: DataError | None,
) -> tuple[str, str]:
    """The file's text, and its text with the record added once the whole archive is
    checked with it: DataError when the file is not canonical, UsageError when refused."""
    text, doc = read_toml(path, shown)
    if not is_canonical(text, doc):
        raise DataError(
            _(
                "{file}: not in canonical form; rewriting it would change other records (spnet fmt rewrites it first)"
            ).format(file=shown)
        )
    new_doc = {**doc, table: [*doc.get(table, []), record]}
    archive, found = scan(root, proposed={path: new_doc}, cache=cache, progress=progress)
    if archive is None and invalid is not None:
        raise invalid
    if archive is None:
        raise UsageError(_("refused, nothing written: {why}").format(why=found.errors[0]))
    return text, canonical(new_doc)


def identity(path: Path) -> tuple[int, int, int, int] | None:
    """What changes when a file is written or replaced: device, inode, size, modification
    time. A writer compares it before it writes with what it was before it read."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def format_files(root: Path, *, check: bool, progress: ProgressMaker | None = None) -> list[str]:
    """The data files not in canonical form (as tomli-w writes them), by their shown names.
    Without `check`, each is rewritten so, atomically: the same data, so a hand edit never
    stops `spnet add`. The files are read under the archive's lock, the one `add` writes
    under, so a record added meanwhile is read and kept, never overwritten by an older
    copy; a file changed by a hand after it was read (its identity differs) is read again
    before it is written. A file that is not valid TOML is a DataError naming file, line and
    column, and nothing is written. `progress` is shown while the files are read."""
    told = progress() if progress is not None else Unseen()
    try:
        if check:
            return [display(path, root) for path, *_ in _unformatted(root, told)]
        with locked(root):
            unformatted = _unformatted(root, told)
            written = [path for path, text, seen in unformatted if _write_canonical(root, path, text, seen)]
        return [display(path, root) for path in written]
    finally:
        told.close()


def _write_canonical(root: Path, path: Path, text: str | None, seen: tuple[int, int, int, int] | None) -> bool:
    """A file's canonical text written, when the file is as it was read (`seen`); one that
    was changed by a hand since is read again first. False: it is canonical after all."""
    for _attempt in range(REREADS):
        if text is None:
            return False
        if identity(path) == seen:
            write_atomically(path, text.encode("utf-8"))
            return True
        seen = identity(path)
        text = _canonical(path, root)
    message = _("{file}: kept changing while spnet was writing it; run the command again")
    raise DataError(message.format(file=display(path, root)))


def _unformatted(root: Path, told: Progress) -> list[tuple[Path, str, tuple[int, int, int, int] | None]]:
    """Each data file whose text is not what tomli-w writes for its data: with that text, and
    the file's identity before it was read; `told` of each file read ("read")."""
    out = []
    files = data_files(root, Problems())
    for n, (path, _tables) in enumerate(files):
        seen = identity(path)
        canonical = _canonical(path, root)
        if canonical is not None:
            out.append((path, canonical, seen))
        told("read", n + 1, len(files))
    return out


def _canonical(path: Path, root: Path) -> str | None:
    """A data file's text as tomli-w writes its data; None when it is that already."""
    text, doc = read_toml(path, display(path, root))
    written = canonical(doc)
    return None if written == text else written


@contextlib.contextmanager
def locked(root: Path) -> Iterator[None]:
    """An exclusive lock on the data directory, waited for up to LOCK_WAIT_SECONDS. The lock
    file is opened without following a symbolic link (which could name any file, made as
    whoever runs spnet) and must be a regular file of the user's own."""
    import fcntl
    import stat
    import time

    lock = root / LOCK_NAME
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if lock.is_symlink():
            raise DataError(_("{lock}: a symbolic link, not spnet's lock file; remove it").format(lock=lock)) from None
        raise DataError(_("{root}: cannot write here: {why}").format(root=root, why=exc.strerror)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid():
            raise DataError(_("{lock}: not a file of your own, so not spnet's lock; remove it").format(lock=lock))
        wait = _lock_wait()
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    text = _("{root}: another spnet is writing (lock {lock} held for {seconds} s)")
                    raise DataError(text.format(root=root, lock=LOCK_NAME, seconds=f"{wait:g}")) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)


def _lock_wait() -> float:
    """How long a writer waits for the lock: $SPNET_LOCK_WAIT seconds, else 10."""
    text = os.environ.get("SPNET_LOCK_WAIT", "")
    if not text:  # empty is unset, as for every variable spnet reads
        return LOCK_WAIT_SECONDS
    try:
        wait = float(text)
    except ValueError:
        wait = -1
    if not 0 <= wait <= 3600:  # NaN too
        raise bad_environment("SPNET_LOCK_WAIT", text, _("give a number of seconds from 0 to 3600"))
    return wait
