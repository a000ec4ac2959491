"""The one loader: data/*.toml -> validated Archive, answered from the index (index.py)
while every file is unchanged. `load_archive` raises the first error as a DataError
(exit code 3)."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from spnet.archive import index
from spnet.archive.build import assemble, build
from spnet.archive.crosscheck import cross_check
from spnet.archive.files import ParsedFiles, unchanged_if_same
from spnet.archive.paths import data_files, display, resolve_data_dir, tomls
from spnet.archive.schema import UNIVERSITY_FILE, Problems, Raw, collect
from spnet.errors import DataError
from spnet.gcpause import gc_paused
from spnet.models import Archive


def scan(
    root: Path,
    *,
    canonical: bool = False,
    proposed: dict[Path, dict[str, Any]] | None = None,
    files: ParsedFiles | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[Archive | None, Problems]:
    """Read and validate every file under root, collecting all problems.

    Returns the archive when there are no errors. With canonical=True, a file not in
    canonical form is a warning. `proposed` validates a file's proposed data in place of
    what is on disk (how `spnet add` checks a record before writing it). `files` holds
    what an earlier run parsed (see ParsedFiles); files unchanged since are not parsed.
    """
    files = files if files is not None else ParsedFiles()
    problems = Problems()
    raws: list[Raw] = []
    university_files: dict[str, str] = {}
    unread = False
    paths = data_files(root, problems)
    files.prefetch([(p, display(p, root)) for p, _ in paths if not (proposed and p in proposed)])
    for n, (path, layout) in enumerate(paths):
        if progress:
            progress("read", n, len(paths))
        shown = display(path, root)
        try:
            text, doc = ("", proposed[path]) if proposed and path in proposed else files.read(path, shown)
        except DataError as exc:
            problems.refused(exc)
            unread = True
            continue
        uid = None
        if layout is UNIVERSITY_FILE:
            head = doc.get("university")
            uid = head.get("id") if isinstance(head, dict) else None
            if isinstance(uid, str) and uid != path.stem:
                problems.error(
                    shown, "[university] id {id!r} does not match the file name {name!r}", id=uid, name=path.name
                )
            if isinstance(uid, str):
                university_files[uid] = shown
        raws += collect(doc, layout, shown, problems, university=uid if isinstance(uid, str) else None)
        if canonical and text != "" and not problems.errors and not files.is_canonical(path, text, doc):
            problems.warn(shown, "not in canonical form (as tomli-w writes it); spnet would rewrite it")

    built = [(r, m) for r in raws if (m := build(r, problems)) is not None]
    projects = [(r, m) for r, m in built if r.kind == "project"]
    if unread:
        # A file that could not be read would make every reference to it look broken.
        return None, problems
    cross_check(built, projects[0] if projects else None, university_files, problems)
    if problems.errors or not projects:
        return None, problems
    return assemble(built, projects[0][1], problems), problems


def load_archive(data: str | os.PathLike[str] | None = None, *, cache: bool = True) -> Archive:
    """The one loader every command uses. Raises DataError (exit 3) with the first error."""
    root = resolve_data_dir(data)
    archive, problems = scan_cached(root, cache=cache, warnings=False)
    if archive is None:
        raise DataError(str(problems.errors[0]) if problems.errors else f"{root}: no archive")
    return archive


def scan_cached(
    root: Path, *, canonical: bool = False, cache: bool = True, warnings: bool = True
) -> tuple[Archive | None, Problems]:
    """scan(), answered from the index while every file is unchanged.

    A valid archive is kept in the index (index.py) with the warnings its scan found, and
    whether that scan also checked canonical form (as `check` does). From the index, only
    the archive's index is read at once; each piece is read when a query first uses it.
    With warnings=False (a query, which does not print them), an answer from the index
    comes without its warnings.
    """
    key = fingerprint(root) if cache else None
    if key is not None:
        entry = index.read_archive(root, key, lambda: _rescan(root))
        if entry is not None and (entry[1] or not canonical):
            return entry[0], Problems(warnings=list(entry[0].warnings) if warnings else None)
    progress = Progress()
    try:
        with gc_paused():
            files = ParsedFiles(index.read_parsed(root) if cache else None)
            archive, problems = scan(root, canonical=canonical, files=files, progress=progress)
            if archive is not None and key is not None:
                index.write_index(
                    root, key, archive, checked=canonical, parsed=files.now, kept=files.kept(), progress=progress
                )
    finally:
        progress.close()
    return archive, problems


def _rescan(root: Path) -> Archive:
    """The archive read again from its files, when a piece of the index did not read back."""
    with gc_paused():
        archive, problems = scan(root, files=ParsedFiles(index.read_parsed(root)))
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


class Progress:
    """After a second of work, a progress bar on stderr when it is a terminal (terminal.py
    draws it); nothing otherwise, and nothing for the short work of a small archive."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.bar: Any = None

    def __call__(self, what: str, done: int, total: int) -> None:
        if self.bar is None:
            if time.monotonic() - self.start < 1 or not sys.stderr.isatty():
                return
            from spnet import terminal

            self.bar = terminal.ProgressBar()
        self.bar.update(what, done, total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
