"""The one place that turns rows into output: table, plain, json, csv, tsv, md.

Rows are dicts keyed by stable English field names. Rich is imported only to draw a
table, so the machine formats never pay for it. Text from the archive is data: Rich
never parses it as markup, and control or invisible characters are shown escaped
(JSON escapes them itself).
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO

from spnet import glossary, stderr
from spnet.columns import Column
from spnet.dates import DateStyle
from spnet.errors import UsageError
from spnet.i18n import _
from spnet.models import Row
from spnet.partialdate import PartialDate
from spnet.visible import visible as visible  # render.visible: how every output escapes text

if TYPE_CHECKING:
    from spnet.names import Highlight


class Format(str, Enum):  # noqa: UP042 - Typer's documented form for choices
    table = "table"
    plain = "plain"
    json = "json"
    csv = "csv"
    tsv = "tsv"
    md = "md"


class Lang(str, Enum):  # noqa: UP042
    en = "en"
    ja = "ja"
    both = "both"


_LANGS = {
    Lang.en: ("en", "eng", "english", "英語", "えいご"),
    Lang.ja: ("ja", "jp", "jpn", "japanese", "日本語", "にほんご", "和文"),
    Lang.both: ("both", "all", "en,ja", "ja,en", "両方", "日英", "英日"),
}
_DATE_STYLES = {
    DateStyle.ISO: ("iso", "iso8601", "西暦"),
    DateStyle.JA: ("ja", "japanese", "日本式", "年月日"),
    DateStyle.WAREKI: ("wareki", "era", "和暦", "元号"),
}


def parse_lang(typed: str) -> Lang:
    """en, ja or both, however a user spells them: JA, jp, 日本語, 英語, 両方."""
    from spnet.names import choose

    return choose("--lang", typed, _LANGS)


def parse_date_style(typed: str | None, lang: Lang) -> str:
    """iso, ja or wareki (和暦); without one, ja for --lang ja and iso otherwise."""
    if typed is None:
        return DateStyle.JA if lang is Lang.ja else DateStyle.ISO
    from spnet.names import choose

    return choose("--date-style", typed, _DATE_STYLES)


class Output(NamedTuple):
    """What the user asked for: format, language, fields and CSV details."""

    format: Format | None = None
    lang: Lang = Lang.both
    fields: tuple[str, ...] | None = None
    header: bool = True
    bom: bool = False
    ascii: bool = False
    # Tables: keep every column however narrow the terminal (--wide); use the pager.
    wide: bool = False
    pager: bool = True
    # Columns every row has the same value in because a filter named it (e.g. -u kyoto).
    implied: tuple[str, ...] = ()
    # Search: the text to find in each value, shown in a snippet around it.
    highlight: Highlight | None = None
    # Tables and Markdown: dates as iso (2023-03-03), ja (2023年3月3日（金）) or wareki (令和5年…).
    date_style: str = DateStyle.ISO
    # Tables and Markdown under --lang ja: each university id's names, shown in its place.
    names: Mapping[str, glossary.Term] | None = None
    # Japanese dates with their weekday, 2023年3月3日（金）, where a table has room for it.
    weekday: bool = True
    # spnet's own words (field labels, kinds, bases, yes/no, names for ids) in Japanese,
    # though both languages of the archive are shown: `spnet show` for a Japanese reader.
    words_ja: bool = False


# In JSON output: what json.dumps leaves raw but a terminal might act on (compiled on first use).
# Also what is not text: U+FFFE and U+FFFF (XML cannot hold them) and a lone surrogate (from
# bytes that were not UTF-8; no encoder writes it).
_JSON_UNSAFE = (
    "[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    "\ud800-\udfff\ufeff\ufff9-\ufffb\ufffe\uffff]"
)


def plain_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, PartialDate):
        return value.iso()
    if isinstance(value, list | dict):  # a structured value (the marks of `show --source`) as JSON
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def select_columns(columns: Sequence[Column], out: Output) -> list[Column]:
    """The columns to write: --fields when given (in its order), else those of --lang."""
    if out.fields:
        by_key = {c.key: c for c in columns}
        unknown = [f for f in out.fields if f not in by_key]
        if unknown:
            raise UsageError(
                _("unknown field {field!r}; available: {fields}").format(field=unknown[0], fields=", ".join(by_key))
            )
        return [by_key[f] for f in out.fields]
    return [c for c in columns if c.default and (c.lang is None or out.lang is Lang.both or c.lang == out.lang.value)]


def resolve_format(out: Output, stream: TextIO) -> Format:
    if out.format is not None:
        return out.format
    return Format.table if stream.isatty() else Format.plain


def emit(
    rows: Sequence[Row],
    columns: Sequence[Column],
    out: Output,
    *,
    group: Callable[[Row], str] | None = None,
    stream: TextIO | None = None,
    what: str = "",
    empty: str | None = None,
    readable: Callable[[Sequence[Row]], Sequence[Row]] | None = None,
    whole: Mapping[str, Any] | None = None,
) -> None:
    """Write rows in the format asked for. `group` splits a terminal table (e.g. by year);
    `what` names the rows for the line that says a table would be empty (or `empty` is
    that line); `readable` gives the rows as a person reads them, for a table and Markdown
    (the machine formats keep the rows as they are). `whole` is one record shown whole
    (show, source): JSON writes it as one object, the other formats its fields, `rows`."""
    stream = stream or sys.stdout
    fmt = resolve_format(out, stream)
    if fmt is Format.json and whole is not None:  # a record's own keys: no column to choose
        emit_json(whole, stream)
        return
    if out.bom and fmt is not Format.csv:
        raise UsageError(_("--bom goes with --format csv"))
    cols = select_columns(columns, out)
    if fmt in (Format.table, Format.md):
        shown = cols if out.fields else [c for c in cols if c.in_table or (c.heading and fmt is Format.md)]
        nothing = empty or _("no {what} match").format(what=what or _("records"))
        _emit_readable(fmt, readable(rows) if readable else rows, shown, out, stream, group, nothing)
    elif fmt is Format.json:
        emit_json(list(rows), stream, keys=[c.key for c in cols])
    elif fmt is Format.csv:
        _emit_csv(rows, cols, out, stream)
    else:
        _emit_tsv(rows, cols, header=fmt is Format.tsv and out.header, stream=stream)


def _emit_tsv(rows: Sequence[Row], cols: Sequence[Column], *, header: bool, stream: TextIO) -> None:
    """TSV, and plain: TSV without its header."""
    lines = ["\t".join(c.key for c in cols)] if header else []
    lines += ["\t".join(_tsv_field(plain_text(row.get(c.key))) for c in cols) for row in rows]
    stream.write("".join(line + "\n" for line in lines))


def _emit_readable(
    fmt: Format,
    rows: Sequence[Row],
    cols: Sequence[Column],
    out: Output,
    stream: TextIO,
    group: Callable[[Row], str] | None,
    nothing: str,
) -> None:
    """A table or Markdown, drawn by drawing.py, imported only for these; with no row, a
    table is the line `nothing` on stderr."""
    from spnet import drawing

    if fmt is Format.md:
        drawing.markdown(rows, cols, out, stream)
    elif not rows:
        # A bare header says nothing; stdout stays empty for whoever reads it.
        stderr.note(nothing)
    else:
        drawing.table(rows, cols, out, group, stream)


def _emit_csv(rows: Sequence[Row], cols: Sequence[Column], out: Output, stream: TextIO) -> None:
    import csv  # only CSV needs it

    buf = io.StringIO()
    # --bom makes the CSV for Excel, which runs a cell beginning = + - @ (or TAB, CR) as
    # a formula: there such a cell is prefixed with ' as OWASP advises. Plain CSV keeps
    # the exact text, so that it reads back the same.
    guard = _excel_safe if out.bom else lambda text: text
    writer = csv.writer(buf, lineterminator="\r\n")
    if out.header:
        writer.writerow([c.key for c in cols])
    for row in rows:
        writer.writerow([guard(visible(plain_text(row.get(c.key)), keep="\t\n\r")) for c in cols])
    stream.write(("\ufeff" if out.bom else "") + buf.getvalue())


def emit_json(value: Any, stream: TextIO | None = None, *, keys: Sequence[str] | None = None) -> None:
    """One JSON document. Text is written as is, except characters that could act on a
    terminal (C0/C1 controls, DEL, zero-width and bidi marks), which JSON may escape: they
    can only stand inside strings, so `\\uXXXX` reads back as the same text.

    With `keys`, value is a list of records and each is written with those keys only,
    in that order (a missing key is null)."""
    import json

    if keys is not None:
        value = [{k: json_value(row.get(k)) for k in keys} for row in value]
    text = json.dumps(value, ensure_ascii=False, indent=2)
    (stream or sys.stdout).write(re.sub(_JSON_UNSAFE, lambda m: f"\\u{ord(m[0]):04x}", text) + "\n")


def json_value(value: object) -> object:
    """A row's value as JSON writes it: a date as its ISO form (2023-03, FY2019, 199X),
    which json would write as the list of its fields, for it is a tuple."""
    return value.iso() if isinstance(value, PartialDate) else value


def _excel_safe(text: str) -> str:
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _tsv_field(text: str) -> str:
    # A tab or newline inside a field must not add a column or a row.
    return visible(text.replace("\\", "\\\\"))
