"""One data file on its own: read, checked table by table, built into records, with every
check that needs that file alone. A Unit is what the index keeps of one file, so that
after an edit only the edited file is read again; what needs more than one file (the
references between records) is checked across the units' ids (crosscheck.py)."""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Generator
from pathlib import Path
from typing import Any, NamedTuple

from spnet.archive import bases
from spnet.archive.build import build
from spnet.archive.crosscheck import check_record, references
from spnet.archive.files import StatKey, is_canonical, read_toml, stat_key
from spnet.archive.kinds import KIND, KINDS, PIECES, UNIVERSITY_FILE
from spnet.archive.packed import to_json
from spnet.archive.rows import bound_to, kept
from spnet.archive.schema import Problems, Raw, collect
from spnet.errors import DataError
from spnet.models import (
    Country,
    Event,
    Partner,
    Problem,
    Record,
    TomlTable,
    University,
    UniversityName,
    disagreements_of,
)


class Unit(NamedTuple):
    """What one file holds, ready for the index; every text is JSON."""

    name: str  # the file as messages name it (data/universities/kyoto.toml)
    stat: StatKey | None  # taken before it was read: an edit meanwhile is seen next time
    canonical: bool | None  # None: not asked (only `check` asks)
    university: str | None  # a university file's [university] id
    problems: str  # [[severity, where, message, params], ...]
    summary: str  # what the archive's index takes from this file (see `summary`)
    records: dict[str, bytes]  # its records' rows (rows.py), by table: zlib-compressed JSON arrays
    defines: list[tuple[int, str, str, str, str | None]]  # (order, id, kind, where, university)
    refs: list[tuple[int, str, str, str, str, str | None]]  # (order, where, key, id, kind, university)


def _problem_rows(problems: Problems) -> str:
    rows = []
    for severity, found in (("error", problems.errors), ("warning", problems.warnings)):
        for p in found:
            try:
                to_json(p.params)
                rows.append([severity, p.where, p.message, p.params])
            except (TypeError, ValueError):  # a value JSON cannot hold (a TOML date): kept as said
                rows.append([severity, p.where, str(Problem("", p.message, p.params)), None])
    return to_json(rows)


def read_unit(
    path: Path,
    shown: str,
    layout: dict[str, tuple[str, bool, bool]],
    *,
    canonical: bool = False,
    doc: TomlTable | None = None,
) -> Unit:
    """One file as a Unit; DataError when it cannot be read at all. `doc` stands for the
    file's data (what `spnet add` proposes)."""
    st = stat_key(path)
    bound = bound_to(shown, json.dumps(st))  # as the file's row will keep its stat
    text = ""
    if doc is None:
        text, doc = read_toml(path, shown)
    problems = Problems()
    # compared by value: a worker process gets its own copy of the layout
    uid = _university_id(doc, path, shown, problems) if layout == UNIVERSITY_FILE else None
    raws = collect(doc, layout, shown, problems, university=uid)
    found_canonical = _canonical_form(text, doc, shown, problems) if canonical and text else None
    built = [(r, m) for r in raws if (m := build(r, problems)) is not None]
    for raw, model in built:
        check_record(raw, model, problems)
    built = _gathered(built)
    summary, records, defines, refs = _placed(built, bound)
    return Unit(
        shown,
        st,
        found_canonical,
        uid,
        _problem_rows(problems),
        to_json(summary),
        records.done(),
        defines,
        refs,
    )


def _placed(built: list[tuple[Raw, Record]], bound: str) -> tuple[dict[str, Any], _Packed, list[Any], list[Any]]:
    """What a file's records give the index: the summary the archive's index is made of
    (its university, its pieces and their sizes, the bases' claims), the records' rows,
    the ids it defines, and those it names."""
    pieces: dict[str, int] = {}
    summary: dict[str, Any] = {"countries": [], "partners": 0}
    defines, refs = [], []
    records = _Packed()
    for n, (raw, model) in enumerate(built):
        kind = raw.kind
        if isinstance(model, University):
            summary["university"] = UniversityName(model.id, model.name, model.aliases, model.short_names)
        if (rid := getattr(model, "id", None)) is not None:
            defines.append((n, rid, kind, raw.where, getattr(model, "university", None)))
        refs += [(n, raw.where, *ref) for ref in references(kind, model)]
        if _place(raw, model, pieces, summary):
            for table, values in kept()[KIND[kind].plural].rows(bound, n, model):
                records.add(table, values)
    # What the checks across files need of the bases of countries and partners' countries
    summary["claims"] = [c for r, _m in built if (c := bases.claim(r)) is not None]
    summary["sizes"] = _sizes(built)
    summary["years"] = sorted(int(name[7:]) for name in pieces if name.startswith("events/"))
    summary["pieces"] = pieces  # how many records of each piece: what a piece read must find
    return summary, records, defines, refs


def _canonical_form(text: str, doc: TomlTable, shown: str, problems: Problems) -> bool:
    """Whether a file is written as tomli-w writes it (`fmt`); a warning when not, unless it
    has errors to mend first."""
    found = is_canonical(text, doc)
    if not found and not problems.errors:
        problems.warn(shown, "not in canonical form (as tomli-w writes it); spnet would rewrite it")
    return found


class _Packed:
    """A file's rows, each table's as one zlib-compressed JSON array, compressed a run of
    rows at a time as they come: a file of 25,000 events held as tuples until the end
    took a worker 130 MiB more at 1000 times the archive. A compressor of its own for each
    table is made only for a file that long: making one for each table of each of the
    real archive's files took a fifth of reading them."""

    RUN = 1 << 20  # characters of JSON held before they are compressed

    def __init__(self) -> None:
        self.rows: dict[str, list[str]] = {}
        self.runs: dict[str, tuple[Any, list[bytes]]] = {}  # a table's compressor, and what it gave
        self.held = 0

    def add(self, table: str, values: tuple[Any, ...]) -> None:
        text = to_json(values)
        self.rows.setdefault(table, []).append(text)
        self.held += len(text)
        if self.held > self.RUN:
            for name, rows in self.rows.items():
                if rows:
                    z, done = self.runs.setdefault(name, (zlib.compressobj(1), []))
                    done.append(z.compress(f"{',' if done else '['}{','.join(rows)}".encode()))
                    rows.clear()
            self.held = 0

    def done(self) -> dict[str, bytes]:
        out = {}
        for table, rows in self.rows.items():
            if table not in self.runs:
                out[table] = zlib.compress(f"[{','.join(rows)}]".encode(), 1)
                continue
            z, done = self.runs[table]
            rest = f"{',' if done and rows else ''}{','.join(rows)}]"
            out[table] = b"".join([*done, z.compress(rest.encode()), z.flush()])
        return out


def _university_id(doc: TomlTable, path: Path, shown: str, problems: Problems) -> str | None:
    """The id a university file's [university] table gives, which must be its file's name."""
    head = doc.get("university")
    uid = head.get("id") if isinstance(head, dict) else None
    if not isinstance(uid, str):
        return None
    if uid != path.stem:
        problems.error(shown, "[university] id {id!r} does not match the file name {name!r}", id=uid, name=path.name)
    return uid


def _gathered(built: list[tuple[Raw, Record]]) -> list[tuple[Raw, Record]]:
    """The records kept within another's (a university's counts) put into it, which is in
    the same file; the others as they are."""
    within = {k.name: k for k in KINDS if k.within is not None}
    out = []
    for raw, model in built:
        if raw.kind in within:
            continue
        # a field of the record by its name (University.counts), which no type here can say
        held: dict[str, Any] = {
            k.plural: tuple(m for r, m in built if r.kind == k.name) for k in within.values() if k.within == raw.kind
        }
        out.append((raw, model._replace(**held) if held else model))
    return out


def _sizes(built: list[tuple[Raw, Record]]) -> dict[str, int]:
    sizes = {plural: sum(r.kind == kind.name for r, _m in built) for plural, kind in PIECES.items()}
    models = [m for _r, m in built]
    # What the archive's curators added, from the bases (docs/curators.md), counted here so
    # that `check` need not read every partner to say it.
    sizes["curated partner countries"] = sum(m.country_basis == "curator" for m in models if isinstance(m, Partner))
    sizes["curated countries"] = sum(m.basis == "curator" for m in models if isinstance(m, Country))
    sizes["curated short names"] = sum(
        len(m.short_names) for m in models if isinstance(m, University) and m.short_names_basis == "curator"
    )
    events = [m for m in models if isinstance(m, Event)]
    sizes["curated titles"] = sum((m.title_en_basis == "curator") + (m.title_ja_basis == "curator") for m in events)
    sizes["curated referents"] = sum(len(m.title_ja_referents) for m in events)
    sizes["disagreements"] = sum(len(disagreements_of(m)) for m in models)
    return sizes


def _place(raw: Raw, model: Any, pieces: dict[str, int], summary: dict[str, Any]) -> bool:
    """A record counted in the pieces of the archive it belongs to (models.ArchiveIndex), or
    put into the summary of the file when the archive's index holds it, as its kind says
    (kinds.Kind.kept); whether it is kept as rows of its own."""
    kind = KIND[raw.kind]
    if raw.kind == "project":  # the one record of its file, which the archive's index holds
        summary["project"] = model
        summary["project_where"] = raw.where
        return False
    if kind.kept == "summary":
        summary[kind.plural].append(model)
        return False
    names = [kind.plural]
    if kind.kept == "by_university":
        names = [f"{kind.plural}/{model.university}"]
        summary[kind.plural] += 1
    elif kind.kept == "by_year":  # in every year's piece it falls in, and in the piece of them all
        names += [f"{kind.plural}/{y}" for y in range(model.date.first_day().year, model.date.last_day().year + 1)]
    for name in names:
        pieces[name] = pieces.get(name, 0) + 1
    return True


class Item(NamedTuple):
    """One file to read, and how."""

    path: Path
    shown: str
    layout: dict[str, tuple[str, bool, bool]]
    canonical: bool  # find whether it is in canonical form
    doc: TomlTable | None  # its proposed data, read in place of the file


def read_or_refusal(item: Item) -> Unit | DataError:
    """read_unit for a worker process: a refusal is returned, not raised."""
    try:
        return read_unit(
            item.path,
            item.shown,
            item.layout,
            canonical=item.canonical,
            doc=item.doc,
        )
    except DataError as exc:
        return exc


PARALLEL_FROM = 200  # files to read before they are read on several cores


def read_units(items: list[Item]) -> Generator[tuple[str, Unit | DataError], None, None]:
    """Each file read (read_or_refusal), in order; on every core when there are many: a
    first reading of the 1000x archive (9,000 files) takes about half the time on two
    cores (bench/README.md). A few files are read here, as ever: starting the workers
    would cost more than it saves."""
    workers = min(os.cpu_count() or 1, 8)
    if len(items) < PARALLEL_FROM or workers < 2:
        for item in items:
            yield item.shown, read_or_refusal(item)
        return
    from concurrent.futures import ProcessPoolExecutor

    from spnet import interrupts

    # The workers start with Ctrl-C held back and then ignore it (the terminal sends it to
    # the whole process group): this process drops the work not yet begun and ends them.
    pool = None
    try:
        with interrupts.deferred():
            pool = ProcessPoolExecutor(workers, initializer=interrupts.ignore_in_worker)
            # The first file (project.toml, the largest) is read on its own while the rest
            # are read in chunks, and taken last: the others need not wait for it.
            first = pool.submit(read_or_refusal, items[0])
            rest = items[1:]
            found = pool.map(read_or_refusal, rest, chunksize=max(1, min(32, len(rest) // (workers * 8))))
        for item, result in zip(rest, found, strict=True):
            yield item.shown, result
        yield items[0].shown, first.result()
    finally:  # done; or Ctrl-C, or the reader stopped: the files not yet begun are dropped
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
