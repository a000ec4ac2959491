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
import unicodedata
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from spnet.errors import UsageError

try:  # json's C string encoder, without importing json (its decoder too) for every listing
    from _json import encode_basestring as _json_string
except ImportError:  # pragma: no cover - an interpreter without the C module
    from json.encoder import encode_basestring as _json_string

Row = dict[str, Any]


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


class Column(NamedTuple):
    """One output field: its key, its EN/JA headers, and which language its text is in."""

    key: str
    en: str
    ja: str
    lang: str | None = None
    # How a person reads the value in a table or Markdown; machine formats use the raw value.
    display: Callable[[Row], str] | None = None
    # False for a column a table shows another way (e.g. `tentative` inside the date).
    in_table: bool = True
    # Identifiers and dates are never folded across lines in a table.
    no_wrap: bool = False


class Output(NamedTuple):
    """What the user asked for: format, language, fields and CSV details."""

    format: Format | None = None
    lang: Lang = Lang.both
    fields: tuple[str, ...] | None = None
    header: bool = True
    bom: bool = False
    ascii: bool = False
    # Draw the table into this SVG file instead of the terminal.
    svg: Path | None = None


def _date_display(row: Row) -> str:
    date = row.get("date") or ""
    if date.endswith("X") and len(date) == 4:
        date = f"{date[:3]}0s"
    return f"{date} (planned)" if row.get("tentative") else date


def _c(
    key: str,
    en: str,
    ja: str,
    lang: str | None = None,
    display: Callable[[Row], str] | None = None,
    in_table: bool = True,
) -> Column:
    no_wrap = key in ("date", "since", "number")
    return Column(key, en, ja, lang, display, in_table, no_wrap)


def _names(stem: str, en: str, ja: str) -> list[Column]:
    """The English and the Japanese column of one bilingual field."""
    return [_c(f"{stem}_en", en, f"{ja}（英語）", "en"), _c(f"{stem}_ja", f"{en} (Japanese)", ja, "ja")]


# The event fields every event listing carries; meetings and symposia show them elsewhere in a table.
_EVENT_KEYS = [
    _c("kind", "Kind", "種別", in_table=False),
    _c("title_en", "Title", "件名（英語）", "en", in_table=False),
    _c("title_ja", "Title (Japanese)", "件名", "ja", in_table=False),
    _c("university", "University", "大学", in_table=False),
    _c("id", "ID", "ID"),
]

COLUMNS: dict[str, list[Column]] = {
    "universities": [
        _c("id", "ID", "ID"),
        *_names("name", "Name", "名称"),
        _c("managing", "Managing", "幹事校"),
        *_names("scheme", "Scheme", "制度名"),
        _c("partners", "Partners", "相手校数"),
    ],
    "partners": [
        _c("id", "ID", "ID"),
        _c("university", "University", "連携大学"),
        *_names("name", "Name", "名称"),
        _c("country", "Country", "国", in_table=False),
        *_names("country", "Country", "国"),
        _c("kind", "Kind", "種別"),
        _c("since", "Since", "開始"),
    ],
    "timeline": [
        _c("date", "Date", "日付", display=_date_display),
        _c("tentative", "Tentative", "予定", in_table=False),
        _c("kind", "Kind", "種別"),
        _c("number", "No.", "回"),
        *_names("title", "Title", "件名"),
        _c("university", "University", "大学"),
        _c("id", "ID", "ID"),
    ],
    "meetings": [
        _c("number", "No.", "回"),
        _c("date", "Date", "日付", display=_date_display),
        _c("tentative", "Tentative", "予定", in_table=False),
        _c("weekday_en", "Weekday", "曜日（英語）", "en"),
        _c("weekday_ja", "Weekday (Japanese)", "曜日", "ja"),
        *_names("theme", "Theme", "テーマ"),
        *_EVENT_KEYS,
    ],
    "symposia": [
        _c("number", "No.", "回"),
        _c("date", "Date", "日付"),
        _c("tentative", "Tentative", "予定", in_table=False),
        _c("time", "Time (JST)", "時間（日本時間）"),
        *_names("theme", "Theme", "テーマ"),
        *_names("keynotes", "Keynote speakers", "基調講演者"),
        _c("report_url", "Report", "報告書"),
        *_EVENT_KEYS,
    ],
    "contacts": [
        _c("type", "Type", "種類"),
        *_names("name", "Name", "名称・氏名"),
        *_names("affiliation", "Affiliation", "所属"),
        *_names("role", "Role", "役職・用途"),
        _c("email", "E-mail", "メール"),
        _c("url", "URL", "URL"),
        _c("university", "University", "大学"),
        _c("id", "ID", "ID"),
    ],
    "search": [
        _c("kind", "Kind", "種類"),
        _c("id", "ID", "ID"),
        *_names("name", "Name", "名称"),
        _c("field", "Field", "項目"),
        _c("value", "Matched text", "該当箇所"),
    ],
    "links": [
        _c("id", "ID", "ID"),
        _c("url", "URL", "URL"),
        *_names("about", "About", "内容"),
        _c("cited_in", "Cited in", "掲載"),
        _c("event", "Event", "行事"),
    ],
    "countries": [_c("id", "ID", "ID"), *_names("name", "Name", "名称")],
    "stats": [
        _c("measure", "Measure", "集計"),
        _c("value", "Value", "区分"),
        _c("count", "Count", "件数", display=lambda row: f"{'█' * min(row['count'], 40)} {row['count']}"),
    ],
    "card": [_c("field", "Field", "項目"), _c("value", "Value", "値")],
}

# In JSON output: what json.dumps leaves raw but a terminal might act on (compiled on first use).
_JSON_UNSAFE = "[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]"

# Characters that would act on a terminal or hide text: shown as escapes instead.
_BIDI = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}


def visible(text: str, keep: str = "") -> str:
    """Escape control, format (zero-width, bidi) and line/paragraph separator characters,
    except those in `keep`."""
    if text.isprintable():  # none of those (checked in C): the common case, and quick
        return text
    out = []
    for ch in text:
        if ch in keep or not (unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") or ch in _BIDI):
            out.append(ch)
        elif ord(ch) < 0x100:
            out.append({"\t": "\\t", "\n": "\\n", "\r": "\\r"}.get(ch, f"\\x{ord(ch):02x}"))
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def select_columns(columns: Sequence[Column], out: Output) -> list[Column]:
    """The columns to write: --fields when given (in its order), else those of --lang."""
    if out.fields:
        by_key = {c.key: c for c in columns}
        unknown = [f for f in out.fields if f not in by_key]
        if unknown:
            raise UsageError(f"unknown field {unknown[0]!r}; available: {', '.join(by_key)}")
        return [by_key[f] for f in out.fields]
    return [c for c in columns if c.lang is None or out.lang is Lang.both or c.lang == out.lang.value]


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
) -> None:
    """Write rows in the format asked for. `group` splits a terminal table (e.g. by year)."""
    stream = stream or sys.stdout
    fmt = resolve_format(out, stream)
    cols = select_columns(columns, out)
    if fmt is Format.json:
        emit_json(list(rows), stream, keys=[c.key for c in cols])
    elif fmt is Format.csv:
        buf = io.StringIO()
        import csv  # only CSV and TSV need it

        writer = csv.writer(buf, lineterminator="\r\n")
        if out.header:
            writer.writerow([c.key for c in cols])
        for row in rows:
            writer.writerow([visible(_text(row.get(c.key)), keep="\t\n\r") for c in cols])
        stream.write(("\ufeff" if out.bom else "") + buf.getvalue())
    elif fmt in (Format.tsv, Format.plain):
        lines = ["\t".join(c.key for c in cols)] if fmt is Format.tsv and out.header else []
        lines += ["\t".join(_tsv_field(_text(row.get(c.key))) for c in cols) for row in rows]
        stream.write("".join(line + "\n" for line in lines))
    else:
        if not out.fields:
            cols = [c for c in cols if c.in_table]
        if fmt is Format.md:
            _emit_markdown(rows, cols, out, stream)
        else:
            _emit_table(rows, cols, out, group, stream)


def emit_json(value: Any, stream: TextIO | None = None, *, keys: Sequence[str] | None = None) -> None:
    """One JSON document. Text is written as is, except characters that could act on a
    terminal (C0/C1 controls, DEL, zero-width and bidi marks), which JSON may escape: they
    can only stand inside strings, so `\\uXXXX` reads back as the same text.

    With `keys`, value is a list of records and each is written with those keys only,
    in that order (a missing key is null)."""
    text = _json_records(value, keys) if isinstance(value, list) else None
    if text is None:
        if keys is not None:
            value = [{k: row.get(k) for k in keys} for row in value]
        import json  # records with nested values (show, export); listings take the path above

        text = json.dumps(value, ensure_ascii=False, indent=2)
    (stream or sys.stdout).write(re.sub(_JSON_UNSAFE, lambda m: f"\\u{ord(m[0]):04x}", text) + "\n")


def _json_records(rows: list[Any], keys: Sequence[str] | None = None) -> str | None:
    """Exactly json.dumps(rows, ensure_ascii=False, indent=2) for a list of flat records
    (str keys; str, int, bool or None values), or None for anything else. With `keys`:
    as if each record held just those keys, in that order.

    json's indenting encoder is pure Python; this uses its C string encoder and is about
    ten times faster, which a listing of tens of thousands of records notices.
    """
    encode = _json_string
    if keys is not None:
        keys = list(dict.fromkeys(keys))  # as a dict would hold them: once each
    heads: dict[Any, str] = {}
    records = []
    for row in rows:
        if type(row) is not dict:
            return None
        fields = []
        for key in row if keys is None else keys:
            value: Any = row.get(key)
            kind = type(value)
            if kind is str:
                text = encode(value)
            elif value is None:
                text = "null"
            elif kind is bool:
                text = "true" if value else "false"
            elif kind is int:
                text = int.__repr__(value)
            else:
                return None
            head = heads.get(key)
            if head is None:
                if type(key) is not str:
                    return None
                head = heads[key] = f"    {encode(key)}: "
            fields.append(head + text)
        records.append("  {\n" + ",\n".join(fields) + "\n  }" if fields else "  {}")
    return "[\n" + ",\n".join(records) + "\n]" if records else "[]"


def _tsv_field(text: str) -> str:
    # A tab or newline inside a field must not add a column or a row.
    return visible(text.replace("\\", "\\\\"))


def _header(c: Column, lang: Lang) -> str:
    """English headers, Japanese ones with --lang ja; with both, a Japanese column's is Japanese."""
    if lang is Lang.ja or (lang is Lang.both and c.lang == "ja"):
        return c.ja
    return c.en


def _cell(c: Column, row: Row) -> str:
    return visible(c.display(row) if c.display else _text(row.get(c.key)), keep="\n")


def _emit_markdown(rows: Sequence[Row], cols: Sequence[Column], out: Output, stream: TextIO) -> None:
    def md(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", "<br>")

    lines = []
    if out.header:
        lines.append("| " + " | ".join(md(_header(c, out.lang)) for c in cols) + " |")
        lines.append("|" + "|".join(" --- " for _ in cols) + "|")
    lines += ["| " + " | ".join(md(_cell(c, row)) for c in cols) + " |" for row in rows]
    stream.write("".join(line + "\n" for line in lines))


def console(stream: TextIO, *, svg: bool = False) -> Any:
    """A Rich console that never reads markup, emoji codes or highlights in our text.

    Rich itself honours NO_COLOR and TERM=dumb, and writes no colour to a non-terminal.
    With `svg`, it records what it draws (for save_svg) and writes nothing to `stream`.
    """
    from rich.console import Console

    if svg:
        return Console(file=io.StringIO(), record=True, width=140, markup=False, emoji=False, highlight=False)
    return Console(file=stream, markup=False, emoji=False, highlight=False)


def _emit_table(
    rows: Sequence[Row], cols: Sequence[Column], out: Output, group: Callable[[Row], str] | None, stream: TextIO
) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    con = console(stream, svg=out.svg is not None)
    table = Table(
        box=box.ASCII if out.ascii else box.SIMPLE_HEAVY,
        show_header=out.header,
        safe_box=True if out.ascii else None,
    )
    for c in cols:
        # Text columns keep room for a whole word before identifiers take the rest.
        table.add_column(Text(_header(c, out.lang)), overflow="fold", no_wrap=c.no_wrap, ratio=1 if c.lang else None)
    label = None
    for row in rows:
        if group and group(row) != label:
            # A row naming the group (e.g. the year), set off by a rule.
            if label is not None:
                table.add_section()
            label = group(row)
            table.add_row(Text(label, style="bold"), *(Text("") for _ in cols[1:]))
        table.add_row(*(Text(_cell(c, row)) for c in cols))
    con.print(table)
    if out.svg is not None:
        con.save_svg(str(out.svg), title="spnet")
