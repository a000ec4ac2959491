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
from collections.abc import Callable, Collection, Mapping, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO

from spnet import glossary, stderr
from spnet.columns import Column
from spnet.dates import DateStyle, fiscal_year_label, format_date
from spnet.errors import UsageError
from spnet.i18n import _
from spnet.visible import visible as visible  # render.visible: how every output escapes text

if TYPE_CHECKING:
    from spnet.names import Highlight

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


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
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
) -> None:
    """Write rows in the format asked for. `group` splits a terminal table (e.g. by year);
    `what` names the rows for the line that says a table would be empty (or `empty` is
    that line); `readable` gives the rows as a person reads them, for a table and Markdown
    (the machine formats keep the rows as they are)."""
    stream = stream or sys.stdout
    fmt = resolve_format(out, stream)
    if readable is not None and fmt in (Format.table, Format.md):
        rows = readable(rows)
    if out.bom and fmt is not Format.csv:
        raise UsageError(_("--bom goes with --format csv"))
    cols = select_columns(columns, out)
    if fmt is Format.json:
        emit_json(list(rows), stream, keys=[c.key for c in cols])
    elif fmt is Format.csv:
        _emit_csv(rows, cols, out, stream)
    elif fmt in (Format.tsv, Format.plain):
        lines = ["\t".join(c.key for c in cols)] if fmt is Format.tsv and out.header else []
        lines += ["\t".join(_tsv_field(_text(row.get(c.key))) for c in cols) for row in rows]
        stream.write("".join(line + "\n" for line in lines))
    else:
        if not out.fields:
            cols = [c for c in cols if c.in_table]
        if fmt is Format.md:
            _emit_markdown(rows, cols, out, stream)
        elif not rows:
            # A bare header says nothing; stdout stays empty for whoever reads it.
            stderr.note(empty or _("no {what} match").format(what=what or _("records")))
        else:
            _emit_table(rows, cols, out, group, stream)


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
        writer.writerow([guard(visible(_text(row.get(c.key)), keep="\t\n\r")) for c in cols])
    stream.write(("\ufeff" if out.bom else "") + buf.getvalue())


def emit_json(value: Any, stream: TextIO | None = None, *, keys: Sequence[str] | None = None) -> None:
    """One JSON document. Text is written as is, except characters that could act on a
    terminal (C0/C1 controls, DEL, zero-width and bidi marks), which JSON may escape: they
    can only stand inside strings, so `\\uXXXX` reads back as the same text.

    With `keys`, value is a list of records and each is written with those keys only,
    in that order (a missing key is null)."""
    import json

    if keys is not None:
        value = [{k: row.get(k) for k in keys} for row in value]
    text = json.dumps(value, ensure_ascii=False, indent=2)
    (stream or sys.stdout).write(re.sub(_JSON_UNSAFE, lambda m: f"\\u{ord(m[0]):04x}", text) + "\n")


def _excel_safe(text: str) -> str:
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _tsv_field(text: str) -> str:
    # A tab or newline inside a field must not add a column or a row.
    return visible(text.replace("\\", "\\\\"))


def _header(c: Column, lang: Lang) -> str:
    """English headers, Japanese ones with --lang ja; with both, a Japanese column's is Japanese."""
    if lang is Lang.ja or (lang is Lang.both and c.lang == "ja"):
        return c.ja
    return c.en


_VALUE_FIELDS = {"kind", "type", "basis", "country_basis", "short_names_basis", "title_en_basis", "title_ja_basis"}
_VALUE_FIELDS |= {"name_en_basis", "name_ja_basis", "record", "held"}


def _value(c: Column, row: Row, out: Output) -> Any:
    """The field's value; with one language chosen, a text the archive has only in the
    other stands in for it (a contact known only by an English name keeps a name)."""
    value = row.get(c.key)
    if c.lang and value in (None, "") and out.lang is not Lang.both:
        value = row.get(f"{c.key[:-3]}_{'en' if c.lang == 'ja' else 'ja'}")
    if out.lang is Lang.ja and f"_{c.key}_ja" in row:  # a label the query gave in Japanese too (stats)
        value = row[f"_{c.key}_ja"]
    return value


def _cell(c: Column, row: Row, out: Output) -> str:
    """A value as a person reads it, in the language of --lang: a date in --date-style
    (its marks, `_marks`, go after it), a boolean as yes/no or ○/—,
    spnet's own values (kinds, bases) and the university in the glossary's words. Where
    the archive has a text in one language only, that text stands for the other."""
    ja = out.lang is Lang.ja
    words = ja or out.words_ja
    value = _value(c, row, out)
    # In `show`, a value is read by its field: a date as a date, a kind in the glossary's words.
    key = row["field"].rsplit(".", 1)[-1] if c.key == "value" and "field" in row and not out.highlight else c.key
    if c.display:
        text = c.display(row)
    elif key == "fiscal_year" and type(value) is int:
        text = fiscal_year_label(value, out.lang.value)  # FY2022 2022年度（令和4年度）
    elif key in ("date", "since", "designated", "as_of") and isinstance(value, str):
        # No weekday where the report prints another for this date (the workshop's 9 September
        # 2023 is a Saturday, printed 金): the calendar's would be spnet's claim, not the report's.
        text = format_date(value, out.date_style, weekday=out.weekday and not row.get("_misprinted_weekday"))
        if row.get("onward") and c.key == "date":
            text = (glossary.ONWARD.ja if ja else glossary.ONWARD.en).format(text)
    elif isinstance(value, bool):
        answer = glossary.YES if value else glossary.NO
        text = answer.ja if words else answer.en
    else:
        said = _in_japanese_words(key, value, out) if words and value else None
        text = said if said is not None else _text(value)
    if refs := row.get(f"{c.key}_referents"):
        text = with_referents(text, refs.split("; ")) or text
    return visible(text, keep="\n")


def _in_japanese_words(key: str, value: Any, out: Output) -> str | None:
    """spnet's own values in the glossary's Japanese (kinds, bases, field names), and the
    universities' and countries' names for their ids; None for any other value."""
    if key in ("university", "universities", "country") and out.names:
        ids = str(value)
        sep = ", " if ", " in ids and "; " not in ids else "; "  # `show` joins ids with commas
        return ("、" if sep == ", " else sep).join((out.names[u].ja if u in out.names else u) for u in ids.split(sep))
    if key == "field":
        return glossary.field_label(str(value), "ja")
    if key == "fields":  # `show --source`: the fields a line holds
        return "、".join(glossary.field_label(path, "ja") for path in str(value).split(", "))
    if key in _VALUE_FIELDS:
        term = glossary.value(str(value), key)
        return term.ja if term else str(value)
    return None


def with_referents(text: str | None, referents: Sequence[str]) -> str | None:
    """本学がボンオフィスを設置 as 本学〔早大〕がボンオフィスを設置: whom a word that stands for
    a university means, in the brackets Japanese uses for an editor's insertion, after its
    first use. `referents` are the curators' "本学=早大", "同協会=ASAIHL"."""
    if text is None:
        return None
    for pair in referents:
        word, _sep, who = pair.partition("=")
        text = text.replace(word, f"{word}〔{who}〕", 1)
    return text


_NUMBER_ONLY = re.compile(r"第\d+回")


def event_title_ja(event: Any) -> str | None:
    """An event's Japanese title as a reader needs it away from a table (a calendar, a
    picture): whom 本学 or 同協会 means, and a meeting's bare number with the report's word
    for the meetings (第01回 as 第01回連携大学会議), as the table's kind column says it."""
    title = with_referents(event.title.ja, event.title_ja_referents)
    if title and event.kind == "meeting" and _NUMBER_ONLY.fullmatch(title):
        title += glossary.REPORT_WORDS["meeting"][0]
    return title


def _emit_markdown(rows: Sequence[Row], cols: Sequence[Column], out: Output, stream: TextIO) -> None:
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
        marks = _marks(c, row)
        used.update(marks)
        text = _md_marked(_cell(c, row, out), _ranges(c, row), md)
        return f"{text} {_md_marks(marks)}" if marks else text

    used: set[str] = set()
    lines = []
    if out.header:
        lines.append("| " + " | ".join(md(_header(c, out.lang)) for c in cols) + " |")
        lines.append("|" + "|".join(" --- " for _ in cols) + "|")
    lines += ["| " + " | ".join(cell(c, row) for c in cols) + " |" for row in rows]
    # The table's legend, a list item a mark (escaped: `+ ` and `* ` would begin a list of their own).
    legend = [f"- {_md_marks(mark)}{md(text[len(mark) :])}" for mark, text in _legend(used, out.lang)]
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
        cols = [c for c in cols if any(_value(c, row, out) not in (None, "") for row in rows)] or list(cols)
    groups: list[list[Column]] = []
    for c in cols:
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


def _headers(fields: list[Column], lang: Lang) -> tuple[str, ...]:
    if len(fields) == 2:
        return (fields[0].en, fields[1].ja)
    c = fields[0]
    if lang is Lang.both and c.lang is None and c.ja != c.en:
        return (c.en, c.ja)
    return (_header(c, lang),)


_ASCII = str.maketrans({"█": "#", "✓": "x"})


# The marks a value can carry, in the one order every format writes them and its legend lists them.
MARK_ORDER = "?+*"


def _marks(c: Column, row: Row) -> str:
    """The characters after a value, in MARK_ORDER: disputed (?) on any field, added by the
    curators (+) on a country or a title in the curators' words, planned (*) on a date
    whatever its precision. A row that is one field of a record (search) marks its value."""
    if "field" in row:
        stem = re.sub(r"_(en|ja)$", "", str(row["field"])) if c.key == "value" else None
    else:
        stem = c.key.removesuffix("_en").removesuffix("_ja")
    marks = "?" if stem in row.get("_disputed", ()) else ""
    if row.get(f"{c.key}_basis") == "curator" or (stem == "country" and row.get("country_basis") == "curator"):
        marks += "+"
    if c.key == "date" and row.get("tentative"):
        marks += "*"
    return marks


def _legend(used: Collection[str], lang: Lang) -> list[tuple[str, str]]:
    """Each mark used, in MARK_ORDER, with the line that explains it in the language of --lang."""
    legend = []
    for mark in (m for m in MARK_ORDER if m in used):
        en, ja = glossary.LEGEND[mark]
        words = ja if lang is Lang.ja else en if lang is Lang.en else f"{en} / {ja}"
        legend.append((mark, f"{mark} {words}{glossary.LEGEND_HINT.get(mark, '')}"))
    return legend


def _table(rows: Sequence[Row], cols: Sequence[Column], out: Output, group: Callable[[Row], str] | None) -> Any:
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
        cells = [_table_cell(fields, row, out, label) for fields in columns]
        used.update(m for cell in cells for _text, marks in cell if marks for m in marks)
        table_rows.append((label, cells))
    legend = _legend(used, out.lang)
    tcols = [
        layout.Column(_headers(f, out.lang), all(c.token for c in f), min(c.give_way for c in f), f[0].least)
        for f in columns
    ]
    return layout.Table(tcols, table_rows, legend)


def _table_cell(fields: list[Column], row: Row, out: Output, label: str | None) -> tuple[tuple[str, str | None], ...]:
    """One cell of a table: a paragraph per field (English above Japanese), each with the
    marks it carries. A mark stands once a cell, by the text it is about, except the +
    of a title in the curators' words, which each language's title has of its own."""
    paragraphs: list[tuple[str, str | None]] = []
    for c in fields:
        text = _cell(c, row, out)
        if out.highlight and c.key == "value":
            text = snippet(text, out.highlight)
        if out.ascii:
            text = text.translate(_ASCII)
        if c.marks and row.get(c.marks):
            from spnet import layout

            text = layout.Marked(text, tuple((m["start"], m["end"]) for m in row[c.marks]))
        if c.key == "date" and label is not None and text and label.startswith(text):
            text = ""  # the group's heading already says it (2019; FY2019 under FY2019 2019年度…)
        own = row.get(f"{c.key}_basis") == "curator"  # this language's title's +, not the other's
        before = "".join(m or "" for _text, m in paragraphs)
        marks = "".join(m for m in _marks(c, row) if m not in before or (m == "+" and own))
        if text or marks:
            paragraphs.append((text, marks or None))
    return tuple(paragraphs)


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


def _emit_table(
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
