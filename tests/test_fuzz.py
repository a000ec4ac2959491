"""Property-based tests (hypothesis, test-only): random documents and mutations of the
real files through the loader, random text through the date parser and the name
resolver, random records through every renderer.

CI runs the `ci` profile (a bounded number of examples); a long run:
    SPNET_FUZZ_PROFILE=long python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import atexit
import csv
import datetime as dt
import functools
import io
import json
import os
import shutil
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from spnet import columns, names, render
from spnet.archive import load_archive
from spnet.collection import Archive
from spnet.dates import DateStyle, format_date, parse_span, to_partial_date
from spnet.errors import DataError, UsageError
from spnet.partialdate import PartialDate
from tests import hostile as corpus
from tests.conftest import DATA, copy_data

pytestmark = pytest.mark.slow  # fuzzing: the slow tier

settings.register_profile("ci", max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("SPNET_FUZZ_PROFILE", "ci"))

# Text as hostile as TOML allows: any character, the report's scripts, controls, bidi marks,
# and pieces of the hostile-input corpus (markup of every output format, escape sequences).
characters = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=["Cs"]),
        st.sampled_from("京都大学令和年月日度（）「」　\x00\x07\x1b\x7f\x9b\u200b\u202e\ufeff\t\n"),
    ),
    max_size=40,
)
pieces = st.sampled_from([v[:24] for v in corpus.STRINGS.values() if corpus.in_toml(v)])
text = st.one_of(characters, st.lists(st.one_of(characters, pieces), max_size=3).map("".join))
KNOWN_KEYS = ["id", "name_en", "name_ja", "kind", "date", "since", "source", "lines", "partners", "university"]
KNOWN_KEYS += ["designated", "since_what_en"]
keys = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(min_size=1, max_size=8))
dates = st.sampled_from(["2023-03-03", "2024-03", "2019", "199X", "2023-02-30", "2023-13", "", "abc"])
scalars = st.one_of(text, dates, st.integers(-(10**6), 10**6), st.booleans(), st.floats(allow_nan=False))
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4), max_leaves=12
)
records = st.dictionaries(keys, values, max_size=7)


@functools.cache
def scratch_copy() -> Path:
    """A copy of the archive the fuzzers spoil and put back, made when first needed (not
    when the module is collected) and removed when the run ends."""
    scratch = Path(tempfile.mkdtemp(prefix="spnet-fuzz-"))
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    copy_data(scratch / "data")
    return scratch / "data"


@functools.cache
def real_archive() -> Archive:
    return load_archive(DATA, cache=False)


FILES = sorted(p.relative_to(DATA) for p in DATA.rglob("*.toml"))


def load_or_clean_error() -> None:
    """The property: a model, or one DataError of one line; never any other exception."""
    try:
        load_archive(scratch_copy(), cache=False)
    except DataError as exc:
        assert str(exc) and "\n" not in str(exc)


@pytest.fixture(autouse=True)
def restore_copy() -> None:
    for name in FILES:
        (scratch_copy() / name).write_bytes((DATA / name).read_bytes())


@given(
    table=st.sampled_from(["university", "partners", "events", "counts", "junk"]), rows=st.lists(records, max_size=3)
)
def test_random_documents_through_the_loader(table: str, rows: list[dict[str, Any]]) -> None:
    target = scratch_copy() / "universities" / "kyoto.toml"
    doc = tomllib.loads((DATA / "universities" / "kyoto.toml").read_text(encoding="utf-8"))
    doc[table] = rows[0] if table == "university" and rows else rows
    try:
        target.write_text(tomli_w.dumps(doc), encoding="utf-8")
    except (TypeError, ValueError):
        return  # not representable in TOML
    load_or_clean_error()
    target.write_bytes((DATA / "universities" / "kyoto.toml").read_bytes())


@given(
    name=st.sampled_from(FILES),
    edits=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 2), st.binary(min_size=1, max_size=3)), max_size=4),
)
def test_random_mutations_of_the_real_files(name: Path, edits: list[tuple[float, int, bytes]]) -> None:
    raw = bytearray((DATA / name).read_bytes())
    for where, action, data in edits:
        at = int(where * (len(raw) - 1))
        if action == 0:
            raw[at : at + len(data)] = data
        elif action == 1:
            raw[at:at] = data
        else:
            del raw[at : at + len(data) * 7]
    (scratch_copy() / name).write_bytes(bytes(raw))
    load_or_clean_error()
    (scratch_copy() / name).write_bytes((DATA / name).read_bytes())


date_like = st.lists(
    st.sampled_from(
        ["2023", "-03", "-3", "年", "3月", "3日", "令和", "元", "平成", "R", "H", "FY", "年度", "March", " ", "1 Apr"]
    ),
    max_size=4,
).map("".join)


@given(typed=st.one_of(text, date_like, st.tuples(date_like, text).map("".join)))
@example("令和元年")
@example("2024-02-29")
def test_random_text_through_dates_and_names(typed: str) -> None:
    try:
        span = parse_span(typed)
        assert span.start <= span.end
    except UsageError as exc:
        assert "\n" not in str(exc)
    try:
        archive = real_archive()
        assert names.resolve_university(archive, typed) in {u.id for u in archive.universities}
    except UsageError as exc:
        assert "\n" not in str(exc)


# Every date the archive can hold from 1000 to 2999, in each of its five forms.
stored_dates = st.one_of(
    st.dates(dt.date(1000, 1, 1), dt.date(2999, 12, 31)).flatmap(
        lambda d: st.sampled_from([d.isoformat(), d.isoformat()[:7], d.isoformat()[:4]])
    ),
    st.integers(1000, 2998).map(lambda y: f"FY{y}"),
    st.integers(100, 299).map(lambda d: f"{d}X"),
)


@given(stored=stored_dates)
@example("199X")
def test_a_date_as_spnet_stores_and_shows_it_is_added_as_it_was(stored: str) -> None:
    """What `add` writes for a date typed as the archive stores it (what `show --format json`
    prints), or as spnet shows it (1990s, 1990年代, 2019年度, 2023年3月3日（金）): that date."""
    date = PartialDate.parse(stored)
    for shown in (stored, format_date(date, DateStyle.ISO), format_date(date, DateStyle.JA)):
        assert to_partial_date(shown) == stored, shown


COLUMNS = [c for c in columns.COLUMNS["partners"] if c.default]
cells = st.one_of(st.none(), text, st.integers(0, 99), st.booleans())
row_dates = st.one_of(st.none(), stored_dates.map(PartialDate.parse))  # a listing row carries dates as dates
rows_strategy = st.lists(
    st.fixed_dictionaries({c.key: row_dates if c.key in ("since", "designated") else cells for c in COLUMNS}),
    max_size=4,
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(rows=rows_strategy)
def test_random_records_through_every_renderer(rows: list[dict[str, Any]]) -> None:
    for fmt in render.Format:
        out = io.StringIO()
        render.emit(rows, COLUMNS, render.Output(format=fmt), stream=out)
        written = out.getvalue()
        if fmt is render.Format.json:
            # What is written is what is read; a date as the archive stores it (2023-03, FY2019).
            assert json.loads(written) == [
                {k: v.iso() if isinstance(v, PartialDate) else v for k, v in r.items()} for r in rows
            ]
        elif fmt in (render.Format.tsv, render.Format.plain):
            lines = written.split("\n")[:-1]
            assert len(lines) == len(rows) + (fmt is render.Format.tsv)
            assert all(len(line.split("\t")) == len(COLUMNS) for line in lines)
        elif fmt is render.Format.csv:
            parsed = list(csv.reader(io.StringIO(written, newline="")))
            assert len(parsed) == len(rows) + 1 and all(len(r) == len(COLUMNS) for r in parsed)
        elif fmt is render.Format.md:
            from markdown_it import MarkdownIt

            tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(written)
            inline = [t.type for t in tokens for t in t.children or [] if t.content != "<br>"]
            assert not {"link_open", "image", "code_inline", "em_open", "html_inline", "s_open"} & set(inline)
            cells = [t.type for t in tokens if t.type in ("tr_open", "th_open", "td_open")]
            assert cells.count("tr_open") == len(rows) + 1
            assert cells.count("td_open") == len(rows) * cells.count("th_open")  # no cell added or lost
        if fmt is not render.Format.json:
            assert not corpus.raw_characters(written, "\t\n\r")
        if fmt is render.Format.table:
            # Fits the width, unless the identifiers alone (never cut) are wider than it.
            width = shutil.get_terminal_size((80, 24)).columns
            tokens = sum(
                max((cell_len(render.visible(str(row[c.key]))) for row in rows if row[c.key] is not None), default=0)
                + 4
                for c in COLUMNS
                if c.token
            )
            assert all(cell_len(line) <= max(width, tokens) for line in written.splitlines())


flat_records = st.lists(
    st.dictionaries(text, st.one_of(st.none(), text, st.integers(-(10**20), 10**20), st.booleans()), max_size=5),
    max_size=4,
)


@given(rows=st.one_of(flat_records, st.lists(records, max_size=3)))
def test_json_reads_back_as_the_records(rows: list[dict[str, Any]]) -> None:
    out = io.StringIO()
    render.emit_json(rows, out)
    assert json.loads(out.getvalue()) == json.loads(json.dumps(rows))


@given(rows=flat_records, keys=st.lists(text, max_size=4))
def test_json_holds_the_keys_asked_for_in_their_order(rows: list[dict[str, Any]], keys: list[str]) -> None:
    out = io.StringIO()
    render.emit_json(rows, out, keys=keys)
    written = json.loads(out.getvalue())
    assert written == [{k: row.get(k) for k in keys} for row in rows]
    assert all(list(record) == list(dict.fromkeys(keys)) for record in written)
