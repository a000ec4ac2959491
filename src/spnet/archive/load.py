"""The one loader: data/*.toml -> validated Archive, answered from the index (index.py)
while every file is unchanged, and from the index brought up to date after an edit.
`load_archive` raises the first error as a DataError (exit code 3)."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from spnet.archive import index
from spnet.archive.files import stat_key, unchanged_if_same
from spnet.archive.packed import UNREADABLE, problems_of
from spnet.archive.paths import data_files, display, resolve_data_dir, tomls
from spnet.archive.rows import Spoiled
from spnet.archive.schema import Problems
from spnet.collection import Archive
from spnet.errors import DataError
from spnet.gcpause import gc_paused
from spnet.models import TomlTable

if TYPE_CHECKING:
    from spnet.archive.unit import Item
    from spnet.archive.writer import Writer


class Progress(Protocol):
    """What is told how far a reading of the files has come ("read": files parsed of how
    many), made when the reading starts and closed when it ends. The commands' side shows
    it (a progress bar on a terminal); the archive draws nothing itself."""

    def __call__(self, what: str, done: int, total: int) -> None: ...

    def close(self) -> None: ...


class Unseen:
    """No progress shown, where the caller gives none to show."""

    def __call__(self, what: str, done: int, total: int) -> None:
        pass

    def close(self) -> None:
        pass


# What makes a Progress for each reading of the files (a class, typically).
ProgressMaker = Callable[[], Progress]


def scan(
    root: Path,
    *,
    canonical: bool = False,
    proposed: dict[Path, TomlTable] | None = None,
    cache: bool = False,
    progress: ProgressMaker | None = None,
) -> tuple[Archive | None, Problems]:
    """Read and validate every file under root, collecting all problems, keeping no index.

    Returns the archive when there are no errors. With canonical=True, a file not in
    canonical form is a warning. `proposed` validates a file's proposed data in place of
    what is on disk (how `spnet add` checks a record before writing it); with `cache`, the
    files unchanged since the index was brought up to date are not read again. `progress`
    is shown while files are read.
    """
    how = {"canonical": canonical, "keep": cache, "proposed": proposed or {}, "scratch": True, "progress": progress}
    return _refresh(root, key=None, **how)


def _refresh(root: Path, **how: Any) -> tuple[Archive | None, Problems]:
    """_update; made again from the files alone when the index it started from does not
    read back (a spoiled byte SQLite or a checksum finds); in memory when the index cannot
    be written (a full disk, say): an index is a help, never a condition."""
    if not how["keep"]:
        return _update(root, **how)
    try:
        try:
            return _update(root, **how)
        except (OSError, sqlite3.OperationalError):
            raise
        except (*UNREADABLE, Spoiled):
            pass
        return _update(root, **{**how, "fresh": True})
    except (OSError, sqlite3.Error):
        return _update(root, **{**how, "keep": False})


def load_archive(
    data: str | os.PathLike[str] | None = None, *, cache: bool = True, progress: ProgressMaker | None = None
) -> Archive:
    """The one loader every command uses. Raises DataError (exit 3) with the first error."""
    root = resolve_data_dir(data)
    archive, problems = scan_cached(root, cache=cache, warnings=False, progress=progress)
    if archive is None:
        raise DataError(str(problems.errors[0]) if problems.errors else f"{root}: no archive")
    return archive


def scan_cached(
    root: Path,
    *,
    canonical: bool = False,
    cache: bool = True,
    warnings: bool = True,
    progress: ProgressMaker | None = None,
) -> tuple[Archive | None, Problems]:
    """scan(), answered from the index while every file is unchanged, and after an edit
    from the index brought up to date: only the files changed since are read again.

    With canonical=True (as `check` asks), every file's canonical form is known first. With
    warnings=False (a query, which does not print them), an answer from the index comes
    without its warnings. `progress` is shown while files are read, and while the search
    index is built on the archive's first search.
    """
    key = fingerprint(root) if cache else None
    if key is not None:
        found = index.read_archive(root, key, lambda: _rescan(root, progress), progress)
        if found is not None and (found.checked or not canonical):
            return found.archive, Problems(list(found.errors), found.warnings() if warnings else None)
    how = {"canonical": canonical, "keep": cache, "proposed": {}, "scratch": False, "progress": progress}
    return _refresh(root, key=key, **how)


def _update(
    root: Path,
    *,
    key: str | None,
    canonical: bool,
    keep: bool,
    proposed: dict[Path, TomlTable],
    scratch: bool,
    progress: ProgressMaker | None,
    fresh: bool = False,
) -> tuple[Archive | None, Problems]:
    """The index brought up to date with the files (in a copy of it, or in memory), the
    checks across files run again, and the archive answered from it. A `scratch` index
    (with a proposed change, or no index kept) is never moved into place; a `fresh` one
    starts empty, not from a copy of the index."""
    # Only an update reads files: a query answered from the index never imports these.
    from spnet.archive import bases
    from spnet.archive.build import archive_index
    from spnet.archive.crosscheck import cross_check
    from spnet.archive.writer import Writer

    told = progress() if progress is not None else Unseen()
    writer = Writer(root, keep=keep, scratch=scratch, fresh=fresh)
    try:
        with gc_paused():
            problems = Problems()
            paths = data_files(root, problems)
            todo = _to_read(root, paths, writer, proposed, canonical=canonical)
            refused = _read(todo, writer, problems, told)
            writer.order([display(path, root) for path, _ in paths])
            files = writer.units()
            for _name, _uid, rows, _summary in files:
                errors, warnings = problems_of(rows)
                problems.errors += errors
                problems.warnings += warnings
            project = next(((s["project_where"], s["project"]) for *_, s in files if "project" in s), None)
            if not refused:  # a file that could not be read would make every reference to it look broken
                cross_check(writer.db, project, {uid: name for name, uid, *_ in files if uid}, problems)
                bases.across([c for *_, s in files for c in s.get("claims", ())], problems)
            valid = not problems.errors and project is not None
            state = writer.finish(key, archive_index([(uid, s) for _, uid, _, s in files]) if valid else None, problems)
            writer.commit()
    except BaseException:
        writer.close()
        raise
    finally:
        told.close()
    found = index.found(
        writer.db,
        state,
        # An index made afresh that does not read back is not made again, and again: that is a bug.
        None if fresh else functools.partial(_rescan, root, progress),
        str(root),
        root=root,
        key=key if writer.kept else None,
        progress=progress,
    )
    return found.archive, problems


def _to_read(
    root: Path,
    paths: list[tuple[Path, dict[str, tuple[str, bool, bool]]]],
    writer: Writer,
    proposed: dict[Path, TomlTable],
    *,
    canonical: bool,
) -> list[Item]:
    """The files to read: those changed since the index last read them, those new to it,
    those a change is proposed to, and those whose canonical form `check` needs."""
    from spnet.archive.unit import Item

    known = writer.known()
    todo: list[Item] = []
    for path, layout in paths:
        shown = display(path, root)
        old = known.get(shown)
        doc = proposed.get(path)
        if doc is not None or old is None or old[0] != stat_key(path) or canonical and old[1] is None:
            todo.append(Item(path, shown, layout, canonical, doc))
    return todo


def _read(todo: list[Item], writer: Writer, problems: Problems, told: Progress) -> bool:
    """Each file of `todo` read into the index (on the workers of read_units); whether one
    was refused, which is forgotten by the index and said in `problems`."""
    from spnet.archive.unit import read_units

    refused = False
    # closed here, whatever happens: Ctrl-C while a unit is written ends the workers now
    with contextlib.closing(read_units(todo)) as units:
        for n, (shown, unit) in enumerate(units):
            told("read", n + 1, len(todo))
            if isinstance(unit, DataError):
                problems.refused(unit)
                refused = True
                writer.forget(shown)
            else:
                writer.put(unit)
    return refused


def _rescan(root: Path, progress: ProgressMaker | None) -> Archive:
    """The archive read again from its files, when a piece of the index did not read back;
    the index made again from them too, when one can be kept."""
    key = fingerprint(root)
    how: dict[str, Any] = {
        "key": key,
        "canonical": False,
        "keep": key is not None,
        "proposed": {},
        "scratch": False,
        "fresh": True,
        "progress": progress,
    }
    archive, problems = _refresh(root, **how)
    if archive is None:
        raise DataError(str(problems.errors[0]) if problems.errors else f"{root}: no archive")
    return archive


def fingerprint(root: Path) -> str | None:
    """Everything that must be unchanged for the index to answer; None: don't use one.

    The same files scan() reads (every *.toml at the top and in universities/), with
    their size, modification and change times and inode; and spnet's own code."""
    try:
        top = str(root)
        names = [n for n in tomls(root) if n not in ("project.toml", "countries.toml")]
        stats = [[n, unchanged_if_same(os.stat(os.path.join(top, n)))] for n in ("project.toml", "countries.toml")]
        stats += [[n, unchanged_if_same(os.stat(os.path.join(top, n)))] for n in names]
        unis = root / "universities"
        stats += [[f"universities/{n}", unchanged_if_same(os.stat(unis / n))] for n in tomls(unis)]
        return json.dumps([index.code_stamp(), os.path.abspath(top), stats])
    except (OSError, DataError):
        return None  # a missing file: let scan() say what is wrong
