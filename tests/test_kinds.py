"""The registry of record kinds (archive/kinds.py) is the one list of them: every table kept
per kind covers exactly its kinds, and no part of the code names a kind it does not declare.

What counts as naming a kind, found by reading the source (ast), not by running it:
- a string compared with a record's kind: `kind == "event"`, `raw.kind in ("person", ...)`
  (a variable `kind`, or the `kind` of a `raw`, `r` or `k`; an event's or a partner's own
  `kind` field, `model.kind == "meeting"`, is a value of the archive, not a record kind);
- a key of a dict handed to `kinds.covering` (checked again when its module is imported);
- the kind of record a reference must be (crosscheck: the third of each reference's four);
- `kind = 'event'` in SQL text of the archive engine;
- a piece of the archive read by name, `archive.piece("people")`: a kind's plural;
in the modules that deal in record kinds (PLACES).
"""

from __future__ import annotations

import ast
import functools
import importlib
import re
import sqlite3
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import spnet
from spnet import columns, datasette, glossary, models, records
from spnet.archive import build, crosscheck, kinds, load_archive, rows, schema
from spnet.archive.kinds import KIND, KINDS, NAMES, RECORDS, SQL_TABLES

from .conftest import DATA, REPO, json_rows

SOURCE = Path(spnet.__file__).parent
_KIND_HOLDERS = {"raw", "r", "k"}  # names whose `.kind` is a record kind in spnet's code
# The modules that deal in record kinds: the archive engine, and those above it that take
# records of every kind (`show`, `search`, the export, the listings). A `kind` elsewhere is
# another thing's (a missing argument's, a grouping's).
PLACES = sorted(SOURCE.glob("archive/*.py"))
PLACES += [SOURCE / f"{name}.py" for name in ("models", "records", "export", "query", "render")]
KIND_OF_PIECE = {plural: kind.name for plural, kind in kinds.PIECES.items()}


def _is_kind(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id == "kind"
    return (
        isinstance(node, ast.Attribute)
        and node.attr in ("kind", "name")
        and isinstance(node.value, ast.Name)
        and (node.value.id in _KIND_HOLDERS if node.attr == "kind" else node.value.id == "kind")
    )


def _strings(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [s for item in node.elts for s in _strings(item)]
    return []


def named_kinds(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Each (line, string) a module's code uses as a record kind (see the module's docstring)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            left, right = node.left, node.comparators[0]
            if isinstance(node.ops[0], ast.Eq | ast.NotEq | ast.In | ast.NotIn) and _is_kind(left):
                yield from ((node.lineno, s) for s in _strings(right))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) == "covering"
            and node.args
            and isinstance(node.args[0], ast.Dict)
        ):
            yield from ((node.lineno, s) for key in node.args[0].keys if key is not None for s in _strings(key))


@functools.cache
def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def defined(name: str) -> tuple[Path, ast.AST, Any]:
    """The module of spnet that defines `name` (a function, or a value at its top level),
    its syntax tree, and the thing itself: wherever the export's tables live."""
    for path in sorted(SOURCE.rglob("*.py")):
        tree = parsed(path)
        for node in tree.body:
            targets = [node] if isinstance(node, ast.FunctionDef) else getattr(node, "targets", [])
            targets += [node.target] if isinstance(node, ast.AnnAssign) else []
            if any(getattr(t, "name", getattr(t, "id", None)) == name for t in targets):
                module = ".".join(("spnet", *path.relative_to(SOURCE).with_suffix("").parts))
                found = node if isinstance(node, ast.FunctionDef) else tree
                return path, found, getattr(importlib.import_module(module), name)
    raise AssertionError(f"no module of spnet defines {name}")


def test_a_kind_is_declared_once_with_what_every_part_reads() -> None:
    assert len(NAMES) == len(set(NAMES)) == len(KINDS)
    assert len({k.plural for k in KINDS}) == len(KINDS)
    for k in KINDS:
        assert models.RECORD_TYPES[k.model.__name__] is k.model, k.name  # the index may rebuild it
        assert k.kept in ("summary", "piece", "by_university", "by_year", "within"), k.name
        assert (k.kept == "within") == (k.within is not None) and (k.within is None or k.within in KIND), k.name
        assert k.files and all(f in ("project", "countries", "university") for f, *_ in k.files), k.name
        # what `show` and `search` say a record is, in both languages
        assert k.within is not None or glossary.value(k.name) is not None, k.name
        assert k.listing is None or k.listing in columns.COLUMNS, k.name
    # the record types that may hold disagreements are the kinds whose files may write them
    assert set(typing.get_args(models.Disputable)) == {k.model for k in KINDS if k.disagreements}
    # a table inside a record sits under its plural (participants: participant)
    nested = {key for spec in kinds.SPEC.values() for key, (typ, _req) in spec.items() if typ == kinds.TABLES}
    assert {key.removesuffix("s") for key in nested} == set(kinds.PARTS)


def test_the_sql_tables_of_the_kinds_are_the_export_s_tables() -> None:
    db = sqlite3.connect(":memory:")
    defined("create_tables")[2](db)
    made = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall())
    virtual = [name for name, sql in made.items() if sql.startswith("CREATE VIRTUAL")]  # full-text indexes
    assert set(SQL_TABLES) == {t for t in made if not any(t.startswith(v) for v in virtual)}
    for k in KINDS:
        for table, column in k.rows():
            assert column in {row[1] for row in db.execute(f"PRAGMA table_info({table})")}, (k.name, table)
    assert set(datasette.TABLES) == set(SQL_TABLES)  # Datasette says what each table is
    # filled in the order of their references: each after the tables its foreign keys name
    order = defined("TABLES_IN_ORDER")[2]
    assert sorted(order) == sorted(SQL_TABLES)
    for n, table in enumerate(order):
        named = {row[2] for row in db.execute(f"PRAGMA foreign_key_list({table})")} - {table}
        assert named <= set(order[:n]), table


def test_every_table_per_kind_covers_exactly_the_registry_s_kinds() -> None:
    assert set(build.BUILDERS) == set(NAMES)
    assert set(crosscheck._NAMED) == set(NAMES)
    assert set(schema.SPEC) == set(NAMES) | set(kinds.PARTS)
    assert set(rows.kept()) == set(kinds.PIECES)
    _path, _tree, by_kind = defined("ROWS_BY_KIND")
    assert set(by_kind) == {k.name for k in RECORDS}, "the export's rows"
    _path, func, _f = defined("bundle")
    keys = next(n for n in ast.walk(func) if isinstance(n, ast.Dict)).keys
    assert [k.value for k in keys if isinstance(k, ast.Constant)] == list(kinds.BUNDLES), "export.bundle"


def test_every_layout_is_read_from_the_registry() -> None:
    layouts = {"project": kinds.PROJECT_FILE, "countries": kinds.COUNTRIES_FILE, "university": kinds.UNIVERSITY_FILE}
    found = {(f, key, kind) for f, layout in layouts.items() for key, (kind, *_how) in layout.items()}
    assert found == {(f, key, k.name) for k in KINDS for f, key, *_how in k.files}


def strays(path: Path, root: Path = SOURCE) -> list[str]:
    """What one module names as a record kind that the registry does not declare."""
    tree = parsed(path)
    named = [(line, s) for line, s in named_kinds(tree)]
    for node in ast.walk(tree):
        # the kind of record a reference must be: crosscheck's (key, id, kind, university)
        if path.name == "crosscheck.py" and isinstance(node, ast.Tuple) and len(node.elts) == 4:
            named += [(node.lineno, s) for s in _strings(node.elts[2])]
        # a piece of the archive read by name: archive.piece("people"), a kind's plural
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "piece" and node.args:
            pieces = [s.split("/")[0] for s in _strings(node.args[0]) if s != "warnings"]
            named += [(node.lineno, KIND_OF_PIECE.get(s, s)) for s in pieces]
        if path.parent.name == "archive" and isinstance(node, ast.Constant) and isinstance(node.value, str):
            named += [(node.lineno, s) for s in re.findall(r"kind = '(\w+)'", node.value)]  # in SQL
    return [f"{path.relative_to(root)}:{line}: {s!r}" for line, s in named if s not in KIND]


def test_no_part_of_the_code_names_a_kind_the_registry_does_not_declare() -> None:
    found = [stray for path in PLACES for stray in strays(path)]
    assert not found, "kinds named in the code that archive/kinds.py does not declare:\n" + "\n".join(found)
    # the places the check reads: it would pass on nothing if the code stopped looking like this
    for path in (
        *(SOURCE / "archive" / f"{m}.py" for m in ("build", "crosscheck", "unit")),
        defined("ROWS_BY_KIND")[0],
    ):
        assert path in PLACES and list(named_kinds(parsed(path))), path


def test_the_check_finds_a_kind_that_is_not_declared(tmp_path: Path) -> None:
    code = (
        'if raw.kind == "workshop-series":\n    pass\n'
        'T = covering({"event": 1, "poster": 2})\n'
        'if kind in ("event", "talk"):\n    pass\n'
        'if model.kind == "meeting":\n    pass\n'  # an event's own kind: a value of the archive
    )
    assert [s for _line, s in named_kinds(ast.parse(code))] == ["workshop-series", "event", "poster", "event", "talk"]
    (tmp_path / "archive").mkdir()
    planted = tmp_path / "archive" / "crosscheck.py"
    planted.write_text(
        'R = ("venue", v, "venue", None)\n'
        "Q = \"SELECT id FROM defines WHERE kind = 'room'\"\n"
        'P = archive.piece("posters/2020"), archive.piece("people"), archive.piece("warnings")\n'
    )
    found = strays(planted, tmp_path)
    assert found == [f"archive/crosscheck.py:{n}: {s!r}" for n, s in ((1, "venue"), (2, "room"), (3, "posters"))]


def test_covering_refuses_a_table_that_misses_or_adds_a_kind() -> None:
    whole = {name: 1 for name in NAMES}
    assert kinds.covering(whole) is whole
    with pytest.raises(AssertionError, match="misses \\['link'\\]"):
        kinds.covering({n: 1 for n in NAMES if n != "link"})
    with pytest.raises(AssertionError, match="more"):
        kinds.covering({**whole, "poster": 1})


def test_show_names_each_record_by_its_registered_kind(cli) -> None:
    """`show` of one record of every kind, from the installed command's archive, says the
    kind the registry gives it; every kind of record is in the archive the tests read."""
    one: dict[str, str] = {}
    for record in records.all_records(load_archive(str(DATA), cache=False)):
        one.setdefault(kinds.kind_of(record), record.id)
    assert list(one) == [k.name for k in RECORDS]  # all_records: the registry's order
    for kind, rid in one.items():
        (row,) = json_rows(cli, "show", rid)
        assert (row["record"], row["id"]) == (kind, rid)


def test_the_recipe_for_a_new_kind_names_every_table_kept_per_kind() -> None:
    """docs/development.md says where a new kind goes; each module with a table per kind
    (a `covering` call, or code per kind the checks above read) is named in it."""
    docs = (REPO / "docs" / "development.md").read_text(encoding="utf-8")
    recipe = docs.split("## Adding a kind of record", 1)[1].split("\n## ", 1)[0]
    per_kind = {"archive/kinds.py", "archive/build.py", "archive/crosscheck.py", "glossary.py"}
    per_kind |= {str(defined(name)[0].relative_to(SOURCE)) for name in ("ROWS_BY_KIND", "bundle")}
    per_kind |= {"columns.py", "datasette.py", "models.py"}
    for path in SOURCE.rglob("*.py"):
        if "covering(" in path.read_text(encoding="utf-8") and path.name != "kinds.py":
            per_kind.add(str(path.relative_to(SOURCE)))
    missing = sorted(p for p in per_kind if f"`{p}`" not in recipe)
    assert not missing, f"the recipe does not say what to add in {missing}"
