"""Every record of every kind through the index and back: what `show --format json`
answers from the index is what the files say (`--no-cache`); and a record `spnet add` can
write, taken out of the archive and added back from what `show` printed, leaves its file
byte for byte as it was.

The kinds, their tables and the files they live in come from the archive's own layouts
(archive.paths.data_files); what `add` can write comes from the `add` command's own
options: a new kind or a new option is covered without a change here.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import typer
import typer.main

from spnet.archive.files import canonical
from spnet.archive.kinds import DATE
from spnet.archive.paths import data_files
from spnet.archive.schema import SPEC, Problems
from spnet.cli import app
from spnet.partialdate import PartialDate
from tests.conftest import DATA, json_rows

# How `show` names a record's source in its JSON: the section and the lines it cites.
SHOWN_AS = {"source": "source.section", "lines": "source.lines"}


class Stored(NamedTuple):
    """One record as a data file holds it."""

    file: Path  # relative to the data directory
    table: str
    position: int | None  # its place in its array of tables; None for a table of its own
    kind: str
    value: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.value.get("id") or self.table)  # [project] is shown as `project`

    @property
    def last(self) -> bool:
        doc = tomllib.loads((DATA / self.file).read_text(encoding="utf-8"))
        return self.position is None or self.position == len(doc[self.table]) - 1


def stored_records() -> Iterator[Stored]:
    """Every record of the real archive, with its kind, in the order of the files."""
    for path, layout in data_files(DATA, Problems()):
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        for table, (kind, many, _required) in layout.items():
            held = doc.get(table)
            if held is None:
                continue
            for position, value in enumerate(held) if many else [(None, held)]:
                yield Stored(path.relative_to(DATA), table, position, kind, value)


def _named(record: Stored) -> bool:
    """Whether `show` finds the record by its id: every kind but those held inside another
    (a university's counts, which its university's card lists)."""
    return "id" in SPEC[record.kind] or record.position is None


RECORDS = list(stored_records())
SHOWN_KINDS = sorted({r.kind for r in RECORDS if _named(r)})


# ------------------------------------------------------------------ show, from the index and from the files
def _shown_alike(cli: Any, records: list[Stored]) -> None:
    """Each record as `show --format json` answers it from the index, and from the files."""
    cli("--data", str(DATA), "universities")  # the index
    for record in records:
        indexed = cli("--data", str(DATA), "show", record.id, "--format", "json")
        looked = cli("--data", str(DATA), "--no-cache", "show", record.id, "--format", "json")
        assert indexed.exception is None and indexed.exit_code == 0, (record.id, indexed.stderr)
        assert indexed.stdout == looked.stdout, record.id
        shown = json.loads(indexed.stdout)
        assert shown["record"] == record.kind and shown["id"] == record.id
        for key, value in record.value.items():  # every text the file holds is shown as it is
            if isinstance(value, str) and key in SPEC[record.kind] and key not in SHOWN_AS:
                assert shown.get(key) == value, (record.id, key)


def _of_kind(kind: str) -> list[Stored]:
    return [r for r in RECORDS if r.kind == kind and _named(r)]


@pytest.mark.parametrize("kind", SHOWN_KINDS)
def test_show_answers_the_first_and_last_record_of_a_kind_from_the_index_as_from_the_files(cli, kind: str) -> None:
    records = _of_kind(kind)
    _shown_alike(cli, list({r.id: r for r in (records[0], records[-1])}.values()))


@pytest.mark.slow
@pytest.mark.parametrize("kind", SHOWN_KINDS)
def test_show_answers_every_record_of_a_kind_from_the_index_as_from_the_files(cli, kind: str) -> None:
    _shown_alike(cli, _of_kind(kind))


def test_records_without_an_id_are_exported_from_the_index_as_from_the_files(cli, tmp_path: Path) -> None:
    """The SQLite export holds every record, those without an id of their own too (a
    university's counts): from the index it is what the files make, value for value."""
    cli("--data", str(DATA), "universities")
    indexed, looked = tmp_path / "indexed.db", tmp_path / "looked.db"
    assert cli("--data", str(DATA), "export", "sqlite", "--out", str(indexed)).exit_code == 0
    assert cli("--data", str(DATA), "--no-cache", "export", "sqlite", "--out", str(looked)).exit_code == 0
    with contextlib.closing(sqlite3.connect(indexed)) as db, contextlib.closing(sqlite3.connect(looked)) as fresh:
        assert list(db.iterdump()) == list(fresh.iterdump())
        unnamed = [r for r in RECORDS if not _named(r)]
        assert unnamed
        for record in unnamed:  # a row of the table of its name holds each of its values
            rows = db.execute(f'SELECT * FROM "{record.table}"').fetchall()
            values = [v for k, v in record.value.items() if k not in SHOWN_AS and type(v) in (str, int, float)]
            assert any(all(v in row for v in values) for row in rows), (record.file, record.value)


# ------------------------------------------------------------------ show -> add -> the same file
def add_commands() -> dict[str, Any]:
    """`spnet add`'s subcommands (the kinds it can write), as the command line has them."""
    group = typer.main.get_command(app)
    ctx = typer.Context(group)
    add = group.get_command(ctx, "add")  # type: ignore[attr-defined]
    sub = typer.Context(add, parent=ctx)
    return {name: add.get_command(sub, name) for name in add.list_commands(sub)}


class Option(NamedTuple):
    """One option of `add <kind>`, and the record's key it writes."""

    flag: str  # --name-en
    key: str  # name_en; "" for the university whose file it goes to
    many: bool  # given once for each value
    switch: bool  # a flag without a value


def options_of(kind: str, command: Any) -> list[Option]:
    """The options of `add <kind>` that write a record's key: named as the key (`--name-en`
    writes name_en), the plural of a list's key given once a value (`--partner` writes
    partners), `--id`, and `--university`, which says the file where it is not a key."""
    spec = SPEC[kind]
    out = []
    for param in command.params:
        name = "id" if param.name == "record_id" else param.name
        if name in spec:
            key = name
        elif param.multiple and f"{name}s" in spec:
            key = f"{name}s"
        elif name == "university":
            key = ""
        else:  # --dry-run, --data, --no-cache
            continue
        out.append(Option(param.opts[0], key, param.multiple, bool(getattr(param, "is_flag", False))))
    return out


def arguments(shown: dict[str, Any], options: list[Option]) -> list[str]:
    """The command line that adds the record `show --format json` printed."""
    args = []
    for option in options:
        value = shown.get(SHOWN_AS.get(option.key, option.key or "university"))
        if value is None or value is False:
            continue
        if option.switch:
            args.append(option.flag)
        elif option.many:
            for item in str(value).split(", "):
                args += [option.flag, item]
        elif option.key in ("lines", "country_lines"):
            args += [option.flag, str(value).replace(" ", "")]
        else:
            args += [option.flag, str(value)]
    return args


def _referred_to(record: Stored) -> bool:
    """Whether another record names this one (an event its partner, a participant its
    person): taken out, the archive would not be valid, and `add` refuses what it checks."""
    quoted = f'"{record.id}"'
    return sum(p.read_text(encoding="utf-8").count(quoted) for p in DATA.rglob("*.toml")) > 1


def date_forms(record: Stored) -> set[str]:
    """The forms of the dates a record holds: day, month, year, fy (a 年度) or decade."""
    spec = SPEC[record.kind]
    return {PartialDate.parse(v).precision for k, v in record.value.items() if k in spec and spec[k][0] == DATE}


def _round_trips() -> list[Any]:
    """For each kind `add` writes, of the records no other record names: every one whose
    every key `add` can write; and every other one with only those keys (a partner always
    has some `add` cannot write, its activities), in the fast tier the last of the kind and
    the first to hold each form of date (the archive's one decade, 199X, among them)."""
    cases = []
    for kind, command in add_commands().items():
        writable = {o.key for o in options_of(kind, command)}
        of_kind = [r for r in RECORDS if r.kind == kind and r.position is not None and not _referred_to(r)]
        assert of_kind, f"the archive holds no {kind} that no other record names"
        dated: set[str] = set()
        for r in of_kind:
            whole = set(r.value) <= writable
            first_of_a_form = not date_forms(r) <= dated
            dated |= date_forms(r)
            marks = [] if whole or first_of_a_form or r is of_kind[-1] else [pytest.mark.slow]
            cases.append(
                pytest.param(r, whole, id=f"{kind}-{r.id}" + ("" if whole else "-as-add-writes-it"), marks=marks)
            )
    return cases


@pytest.mark.parametrize(("record", "whole"), _round_trips())
def test_a_record_shown_and_added_back_leaves_its_file_as_it_was(
    cli, data_copy: Path, record: Stored, whole: bool
) -> None:
    """TOML -> index -> `show --format json` -> `add` -> TOML: the record taken out of its
    file and added back from what `show` printed (from the index) leaves the file byte for
    byte as it was with the record at the end of its table, where `add` puts it: the very
    file, for the last record of a table. A record with keys `add` cannot write is first
    made one without them (in the copy: it is still the real record's every other value)."""
    path = data_copy / record.file
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    command = add_commands()[record.kind]
    options = options_of(record.kind, command)
    if not whole:
        writable = {o.key for o in options}
        doc[record.table][record.position] = {k: v for k, v in record.value.items() if k in writable}
        path.write_text(canonical(doc), encoding="utf-8")
    others = [r for r in doc[record.table] if r["id"] != record.id]
    # Without it, a table of no records is no table; `add` then puts the table last in the file.
    without = {k: v for k, v in doc.items() if k != record.table} if not others else {**doc, record.table: others}
    expected = canonical({**without, record.table: [*others, doc[record.table][record.position]]})
    assert not (whole and record.last) or expected == (DATA / record.file).read_text(encoding="utf-8")
    (shown,) = json_rows(cli, "--data", str(data_copy), "show", record.id)  # the index built, and read
    # Without it the archive need not be valid (a country the report names only inside this
    # partner's name): `add` writes a record that makes it valid.
    path.write_text(canonical(without), encoding="utf-8")
    added = cli("--data", str(data_copy), "add", record.kind, *arguments(shown, options))
    assert added.exception is None and added.exit_code == 0, added.stderr
    assert path.read_text(encoding="utf-8") == expected
    assert json_rows(cli, "--data", str(data_copy), "show", record.id) == [shown]
