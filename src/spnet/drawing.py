"""The formats a person reads: a table on the terminal (laid out by layout.py, shown by
terminal.py) and Markdown, each cell as cells.py shows it, with its marks and their
legend. render.emit imports it only for these: a machine format never loads it."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TextIO

from spnet.columns import Column
from spnet.dates import DateStyle

if TYPE_CHECKING:
    from spnet import layout
    from spnet.names import Highlight

from spnet import cells, glossary
from spnet.models import Row
from spnet.render import Lang, Output


def markdown(rows: Sequence[Row], cols: Sequence[Column], out: Output, stream: TextIO) -> None:
    def md(text: str) -> str:
        # Text, never markup: what would make a link or an image (`](`), code, emphasis,
        # strike-through, maths or a new cell is backslash-escaped (an `_` inside a word,
        # name_en, is not emphasis), and < > & are entities (<script> shows as written); a
        # line break is the one tag spnet writes. A cell never begins a line, so a heading,
        # a list or a link's definition cannot start in one.
        text = re.sub(r"[\\`*~|$]|\](?=\()|(?<![^\W_])_|_(?![^\W_])", lambda m: "\\" + m[0], text)
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return text.replace("\n", "<br>")

    def cell(c: Column, row: Row) -> str:
        shown = cells.marks_of(c, row)
        used.update(shown)
        text = _md_marked(cells.cell(c, row, out), _ranges(c, row), md)
        return f"{text} {_md_marks(shown)}" if shown else text

    used: set[str] = set()
    lines = []
    cols = _beside(cols, out)
    if out.header:
        lines.append("| " + " | ".join(md(cells.header(c, out.lang)) for c in cols) + " |")
        lines.append("|" + "|".join(" --- " for _ in cols) + "|")
    lines += ["| " + " | ".join(cell(c, row) for c in cols) + " |" for row in rows]
    # The table's legend, a list item a mark (escaped: `+ ` and `* ` would begin a list of their own).
    legend = [f"- {_md_marks(mark)}{md(text[len(mark) :])}" for mark, text in cells.legend(used, out.lang)]
    stream.write("".join(line + "\n" for line in [*lines, *([""] if legend else []), *legend]))


def _md_marks(marks: str) -> str:
    """Marks as Markdown text: * and + backslash-escaped, never emphasis or a list's bullet."""
    return re.sub(r"[*+]", lambda m: "\\" + m[0], marks)


def _ranges(c: Column, row: Row) -> list[tuple[int, int]]:
    """The [start, end) ranges a row marks in a column's text, overlapping ones merged."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted((m["start"], m["end"]) for m in (row.get(c.marks) or () if c.marks else ())):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _md_marked(text: str, ranges: Sequence[tuple[int, int]], md: Callable[[str], str]) -> str:
    """A Markdown cell with its marked ranges in bold (each piece escaped as text)."""
    pieces, at = [], 0
    for start, end in ranges:
        pieces += [md(text[at:start]), f"**{md(text[start:end])}**"]
        at = end
    return "".join(pieces) + md(text[at:])


def _table_columns(rows: Sequence[Row], cols: Sequence[Column], out: Output) -> list[list[Column]]:
    """The table's columns, each one or two fields: with both languages, a field's English
    and Japanese share one column (English above). Columns a filter made constant (`-u
    kyoto`) and columns empty in every row are left out unless asked for by --fields."""
    if not out.fields:
        cols = [c for c in cols if c.key not in out.implied or out.wide]
        cols = [c for c in cols if any(cells.value_of(c, row, out) not in (None, "") for row in rows)] or list(cols)
    groups: list[list[Column]] = []
    for c in _beside(cols, out):
        prev = groups[-1][0] if groups else None
        if (
            out.lang is Lang.both
            and prev is not None
            and len(groups[-1]) == 1
            and prev.lang == "en"
            and c.lang == "ja"
            and prev.key[:-3] == c.key[:-3]
        ):
            groups[-1].append(c)
        else:
            groups.append([c])
    return groups


def _beside(cols: Sequence[Column], out: Output) -> list[Column]:
    """With both languages, a column whose Japanese is another field (`in_japanese`: a stats
    value, France and フランス) is followed by a column of that field, unless --fields chose
    the fields to show; when they show that field too, the column is the English one in
    any language, as name_en beside name_ja is."""
    shown: list[Column] = []
    for c in cols:
        if c.in_japanese and out.fields and c.in_japanese in out.fields:
            shown.append(c._replace(lang="en", in_japanese=None, ja=c.ja + glossary.ENGLISH.ja))
        elif out.lang is Lang.both and c.in_japanese and not out.fields:
            shown += [c._replace(lang="en"), c._replace(key=c.in_japanese, lang="ja", in_japanese=None)]
        else:
            shown.append(c)
    return shown


def _headers(fields: list[Column], lang: Lang) -> tuple[str, ...]:
    if len(fields) == 2:
        return (fields[0].en, fields[1].ja)
    c = fields[0]
    if lang is Lang.both and c.lang is None and c.ja != c.en:
        return (c.en, c.ja)
    return (cells.header(c, lang),)


_ASCII = str.maketrans({"█": "#", "✓": "x"})


def _table(
    rows: Sequence[Row], cols: Sequence[Column], out: Output, group: Callable[[Row], str] | None
) -> layout.Table:
    from spnet import layout

    columns = _table_columns(rows, cols, out)
    if group:  # each group once, where it first comes (by 年度, a year-only event comes first)
        labels = [group(row) for row in rows]
        first: dict[str, int] = {}
        for heading in labels:
            first.setdefault(heading, len(first))
        order = sorted(range(len(rows)), key=lambda i: first[labels[i]])
        rows = [rows[i] for i in order]
    used: set[str] = set()
    table_rows = []
    for row in rows:
        label = group(row) if group else None
        drawn = [_table_cell(fields, row, out, label) for fields in columns]
        used.update(m for cell in drawn for _text, marks in cell if marks for m in marks)
        table_rows.append((label, drawn))
    legend = cells.legend(used, out.lang)
    tcols = [
        layout.Column(_headers(f, out.lang), all(c.token for c in f), min(c.give_way for c in f), f[0].least)
        for f in columns
    ]
    return layout.Table(tcols, table_rows, legend)


def _table_cell(fields: list[Column], row: Row, out: Output, label: str | None) -> tuple[tuple[str, str | None], ...]:
    """One cell of a table: a paragraph per field (English above Japanese), each with the
    marks it carries. A mark stands once a cell, by the text it is about, except the +
    of a title in the curators' words, which each language's title has of its own (its own
    basis: Column.basis)."""
    paragraphs: list[tuple[str, str | None]] = []
    bases: set[str | None] = set()
    for c in fields:
        text = _cell_text(c, row, out)
        if c.key == "date" and label is not None and text and label.startswith(text):
            text = ""  # the group's heading already says it (2019; FY2019 under FY2019 2019年度…)
        own = c.basis not in bases  # this language's title's +, not the other's
        bases.add(c.basis)
        before = "".join(m or "" for _text, m in paragraphs)
        marks = "".join(m for m in cells.marks_of(c, row) if m not in before or (m == "+" and own))
        if text or marks:
            paragraphs.append((text, marks or None))
    return tuple(paragraphs)


def _cell_text(c: Column, row: Row, out: Output) -> str:
    """A field's text in a table: around the match in search, in ASCII with --ascii, its
    marked ranges (show --source) kept for the layout to draw."""
    text = cells.cell(c, row, out)
    if out.highlight and c.key == "value":
        text = snippet(text, out.highlight)
    if out.ascii:
        text = text.translate(_ASCII)
    if c.marks and row.get(c.marks):
        from spnet import layout

        text = layout.Marked(text, tuple((m["start"], m["end"]) for m in row[c.marks]))
    return text


def snippet(text: str, find: Highlight, around: int = 40) -> str:
    """The part of text around the first match of `find` (as search folds it), widened to
    whole words and Japanese phrases (never …ァンド or Eve…)."""
    from spnet import linebreak
    from spnet.names import match_pattern

    found = match_pattern(find).search(text)
    if found is None or len(text) <= 2 * around + len(found[0]):
        return text
    start, end = found.span()
    lo, hi = max(0, start - around), min(len(text), end + around)
    at = 0
    for phrase in linebreak.phrases(text):
        size = sum(map(len, phrase))
        if at < lo < at + size:
            lo = at
        if at < hi < at + size:
            hi = at + size
        at += size
    return ("…" if lo else "") + text[lo:hi].strip() + ("…" if hi < len(text) else "")


def table(
    rows: Sequence[Row], cols: Sequence[Column], out: Output, group: Callable[[Row], str] | None, stream: TextIO
) -> None:
    from spnet import layout, terminal
    from spnet.gcpause import gc_paused

    style = layout.Style(ascii=out.ascii, wide=out.wide, header=out.header)
    width = terminal.terminal_size(stream)[0]
    if any(c.key.startswith("weekday_") for c in cols):
        out = out._replace(weekday=False)  # a column of its own says it
    with gc_paused():  # every cell and line is alive until written
        table = _table(rows, cols, out, group)
        if out.date_style != DateStyle.ISO and out.weekday and layout.layout(table, width, style) is None:
            # The weekday gives way before the table becomes cards.
            table = _table(rows, cols, out._replace(weekday=False), group)
        lines = layout.draw(table, width, style)
    terminal.show(lines, stream, pager=out.pager, highlight=out.highlight)
