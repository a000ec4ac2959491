"""What a person sees on a terminal: tables that fit, cards, colour, the pager.

The one module that imports Rich. The layout follows gh's table printer: identifiers,
dates, numbers, e-mail addresses and URLs (token columns) get their full width and are
never cut or wrapped; free-text columns share what is left, short ones keeping their
natural width; columns give way in a fixed order when the terminal is narrow (`--wide`
keeps them all); and where even that cannot fit, each row becomes a card. English and
Japanese are stacked in one cell, English above. Text wraps between words, and Japanese
between phrases (see `phrases`), or between characters where a phrase is wider than its
column (between units: never inside a katakana word, a Latin word or a number with its
counter, 2023年), always by the usual line-breaking rules (kinsoku): no line begins with a
closing bracket or a full stop, none ends with an opening bracket. A text column is never
narrower than its widest unit: where the columns cannot all be that wide, columns give way,
then rows become cards, rather than a word being cut.

Widths are display widths (an East Asian wide character counts two). Styles are applied
after the layout, only on a terminal that is not dumb (Rich leaves colour out under
NO_COLOR); every mark that colour stresses is also a character.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple, TextIO

from rich.cells import cell_len

from spnet import interrupts, names
from spnet.i18n import N_
from spnet.i18n import _ as translated

GAP = 2  # spaces between columns
MIN_TEXT = 16  # a free-text column narrower than this reads badly: columns give way first
CARD_LABEL_MAX = 24

# Kinsoku: characters that may not begin a line, and those that may not end one.
NO_START = set("、。，．,.）)」』】〕〉》］｝’”・：；？！ーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゝゞ々…‥%％")
NO_END = set("（(「『【〔〈《［｛‘“")
STOPS = set("、。，．,！？")  # a phrase ends after these
CLOSING = set("）)」』】〕〉》］｝’”")  # and after these, unless a particle follows
# A run of these is one unbreakable unit: a word, a number, an address (Latin letters,
# digits and punctuation), a katakana word (シンポジウム), a number with its counter (2023年,
# 12名, 第2回's 2回; 2022年度). Anything else is one character.
# (Kept to ranges that compile fast: re compiles a charset of wide Unicode ranges slowly.)
_UNIT = re.compile(
    r"\s+|(?:[!-\u2e7f]*[0-9]|[０-９]+)(?:年度|[年月日名校回件人号期])|[!-\u2e7f]+|[\u30a1-\u30fa\u30fc-\u30fe]+|.",
    re.S,
)
_WORD = re.compile(r"\s+|\S+")  # the units of ASCII text: words and spaces
_ADDRESS = re.compile(r"^\S*(?:://|@|\.\w+/)\S*$")


class Column(NamedTuple):
    """A table column as laid out: one or two header lines, and how it behaves."""

    headers: tuple[str, ...]
    token: bool  # never wrapped, never cut
    give_way: int  # 0: always shown; otherwise the order in which columns give way (1 first)
    least: int = MIN_TEXT  # a text column's narrowest width before others give way


class Span(NamedTuple):
    """A styled piece of a line."""

    text: str
    style: str | None = None


Line = list[Span]
# A cell: its paragraphs (e.g. English, then Japanese), each with the marks after it (`?*`) or None.
Cell = tuple[tuple[str, str | None], ...]


class Table(NamedTuple):
    columns: list[Column]
    rows: list[tuple[str | None, list[Cell]]]  # (group label or None, cells)
    legend: list[tuple[str, str]]  # (mark, the line that explains it)


class Style(NamedTuple):
    ascii: bool = False
    wide: bool = False
    header: bool = True


MARK_STYLES = {"*": "cyan", "?": "bold yellow", "+": "magenta"}
MARKED = "bold reverse"  # a value where it stands in the report's text (`show --source`)


class Marked(str):
    """A cell's text with ranges [start, end) of it to stress, styled after the layout has
    wrapped it (the ranges follow the text onto whatever lines it is wrapped to)."""

    ranges: tuple[tuple[int, int], ...]

    def __new__(cls, text: str, ranges: Sequence[tuple[int, int]]) -> Marked:
        made = super().__new__(cls, text)
        made.ranges = tuple(ranges)
        return made


# ------------------------------------------------------------------ wrapping
def units(text: str) -> list[str]:
    """Text split where a line may break: at spaces, and between Japanese characters, with
    the kinsoku characters held to their neighbours. A run of Latin letters, digits and
    punctuation (a word, a number, an address) is one unit; so is a katakana word
    (シンポジウム) and a number with its counter (2023年, 12名, 2022年度)."""
    if text.isascii():  # English: words and spaces (half the text of a table, and quick)
        return _WORD.findall(text)
    out: list[str] = []
    glue_next = False
    for unit in _UNIT.findall(text):
        if out and not unit.isspace() and (glue_next or unit[0] in NO_START) and not out[-1].isspace():
            out[-1] += unit
        else:
            out.append(unit)
        glue_next = not unit.isspace() and unit[-1] in NO_END
    # A space beside a kinsoku character is no place to break either ("（ 本学", "本学 、").
    n = 1
    while n < len(out) - 1:
        if out[n].isspace() and (out[n - 1][-1] in NO_END or out[n + 1][0] in NO_START):
            out[n - 1 : n + 2] = [out[n - 1] + out[n] + out[n + 1]]
        else:
            n += 1
    return out


def _hiragana(ch: str) -> bool:
    return "\u3041" <= ch <= "\u309f"


def _latin(ch: str) -> bool:
    return ch < "\u2e80"


def _letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _script(ch: str) -> str:
    if "\u30a1" <= ch <= "\u30fe":
        return "katakana"
    if _hiragana(ch):
        return "hiragana"
    return "latin" if _latin(ch) else "kanji"


PARTICLES = set("がのにをはでともやへか")  # one kana after a word that ends its phrase (本学が)
PREFIXES = set("おご")  # one kana that begins a word (お問い合わせ, ご相談)


def _okurigana(kana: str, after: str) -> bool:
    """Whether one kana between two kanji belongs to the word (繰り返し, 問い合わせ)."""
    return len(kana) == 1 and kana not in PARTICLES and _script(after) == "kanji"


def _breaks_between(kana: str, before: str, after: str) -> bool:
    """Whether a Japanese line may break between two units (`kana`: the hiragana that end
    the text before, if any): after a particle or an ending in hiragana before a word in
    another script (協力は、/ 2004年に / 研究機関), after a closing bracket or a comma, before
    an opening bracket; never inside a word in one script, nor inside a word whose kana sits
    between its characters (繰り返し), nor after a prefix (ご相談), nor before the particle or
    counter that follows a Latin word or a number."""
    a, b = before, after[0]
    if a in STOPS or b in NO_END:
        return True
    if a in CLOSING:
        return not _hiragana(b)
    if _hiragana(a):
        return not (_hiragana(b) or kana in PREFIXES or _okurigana(kana, b))
    return not _latin(a) and _letter(b)


def phrases(text: str) -> list[list[str]]:
    """Units grouped into phrases that should stay on one line: Japanese is broken between
    phrases (本学が / ボンオフィスを / 設置), never inside a unit (a katakana word, a Latin
    word, a number with its counter), never against the kinsoku rules.

    BudouX finds such phrases by machine learning, but its import costs more than a
    table's whole layout, and on the report's text it breaks numbers and
    words (202 / 3年, 同協 / 会, と / して); the rule of script changes in `_breaks_between`
    gives the breaks a reader expects there."""
    if text.isascii():
        return [[unit] for unit in _WORD.findall(text)]
    out: list[list[str]] = []
    last, kana = "", ""  # the last character placed; the hiragana that end the phrase so far
    pieces = units(text)
    for n, unit in enumerate(pieces):
        after = pieces[n + 1][0] if n + 1 < len(pieces) else ""
        # A prefix after a word's kana begins a phrase of its own (関する / ご相談).
        prefix = unit in PREFIXES and (len(kana) > 1 or kana in PARTICLES) and _script(after or "a") == "kanji"
        if last and not (unit.isspace() or last.isspace() or prefix or _breaks_between(kana, last, unit)):
            out[-1].append(unit)
            kana = kana + unit if all(map(_hiragana, unit)) else ""
        else:
            out.append([unit])
            kana = unit if all(map(_hiragana, unit)) else ""
        last = unit[-1]
    return out


def _script_runs(phrase: list[str]) -> list[list[str]]:
    """A phrase's units in runs of one script, a word's kana staying with it (東京大学 /
    グローバルキャンパス / 推進本部; ご相談・/ お問い合わせ): where a phrase is wider than
    its line, it breaks between these first."""
    runs: list[list[str]] = []
    kana = ""  # the hiragana that end the run so far
    for unit in phrase:
        last = runs[-1][-1][-1] if runs else ""
        if not runs or (unit in PREFIXES and not _hiragana(last)):
            joined = False
        elif _hiragana(unit[0]) or runs[-1] == [last] and last in PREFIXES:
            joined = True
        else:
            joined = _script(unit[0]) == _script(last) or (_okurigana(kana, unit[0]) and len(runs[-1]) > 1)
        if joined:
            runs[-1].append(unit)
        else:
            runs.append([unit])
        kana = kana + unit if joined and _hiragana(unit[0]) else unit if _hiragana(unit[0]) else ""
    if len(runs) > 1 and runs[-1] == [runs[-1][0]] and len(runs[-1][0]) == 1:
        runs[-2:] = [runs[-2] + runs[-1]]  # チューリッヒ校: one character alone on a line reads badly
    return runs


_PATH_PARTS = re.compile(r"[^/]*/|[^/]+")  # each directory with its slash, then the file


def wrap(text: str, width: int, ellipsis: str = "…", *, whole: bool = False) -> list[str]:
    """Lines no wider than `width`, broken between words and Japanese phrases. A phrase
    wider than a line breaks between runs of one script, then between its units (kinsoku
    kept; a katakana word or a number with its counter stays whole); a unit wider than a
    line (which a table's layout never lets happen) is cut with an ellipsis, unless it is
    an address (URL, e-mail), kept whole; with `whole` (a message, help: nothing may be
    lost), it is broken after a slash of a path, else between its characters instead."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if cell_len(paragraph) <= width:
            lines.append(paragraph)
            continue
        line, used = "", 0

        def place(unit: str) -> None:
            nonlocal line, used
            size = cell_len(unit)
            if unit.isspace():
                if line:
                    line, used = line + " ", used + 1
                return
            if used + size > width and line.strip():
                lines.append(line.rstrip())
                line, used = "", 0
            if size > width and whole:  # a path between its parts, else between characters
                parts = _PATH_PARTS.findall(unit)
                for part in parts if len(parts) > 1 else unit:
                    place(part)
                return
            if size > width and not _ADDRESS.match(unit):
                unit = cut(unit, width, ellipsis)
                size = cell_len(unit)
            line, used = line + unit, used + size

        for piece in _pieces(paragraph, width):
            place(piece)
        lines.append(line.rstrip())
    return lines


def _pieces(paragraph: str, width: int) -> Iterator[str]:
    """What `wrap` places: each phrase whole if it fits the width, else its runs of one
    script, else their units."""
    for phrase in phrases(paragraph):
        joined = "".join(phrase)
        if len(phrase) == 1 or cell_len(joined) <= width:
            yield joined
            continue
        for run in _script_runs(phrase):
            whole = "".join(run)
            if cell_len(whole) <= width:
                yield whole
            else:
                yield from run


def cut(text: str, width: int, ellipsis: str = "…") -> str:
    """Text cut to `width` cells, ending in an ellipsis."""
    if cell_len(text) <= width:
        return text
    room = width - cell_len(ellipsis)
    out, used = "", 0
    for ch in text:
        size = cell_len(ch)
        if used + size > room:
            break
        out, used = out + ch, used + size
    return out + ellipsis


def longest_unit(text: str) -> int:
    """The widest piece of text that wrapping may not break: a word, an address, a katakana
    word, a number with its counter."""
    if text.isascii():
        return max(map(len, text.split()), default=0)
    return max((cell_len(u) for u in units(text) if not u.isspace()), default=0)


# ------------------------------------------------------------------ layout
def _natural(cells: Sequence[Cell], header: Sequence[str], token: bool) -> tuple[int, int]:
    """A column's widest line unwrapped, and the least it can be given: for a text column,
    its widest word (no word is cut)."""
    # A header is a label: a Japanese one (幹事校) is not broken between its characters.
    least = max((longest_unit(h) if " " in h else cell_len(h) for h in header), default=0)
    natural = least
    for cell in cells:
        for text, mark in cell:
            size = cell_len(text) + _mark_width(mark)
            natural = max(natural, size)
            if not token and size > least:
                least = max(least, longest_unit(text) + _mark_width(mark))
    return natural, least


def layout(table: Table, width: int, style: Style) -> list[int] | None:
    """Each column's width (0: the column gave way), or None when no table fits (cards)."""
    cols = table.columns
    cells = [[cells[i] for _, cells in table.rows] for i in range(len(cols))]
    sizes = [_natural(cells[i], c.headers, c.token) for i, c in enumerate(cols)]
    need = [n if c.token else max(least, min(n, c.least)) for c, (n, least) in zip(cols, sizes, strict=True)]
    shown = list(range(len(cols)))

    def total() -> int:
        return sum(need[i] for i in shown) + GAP * (len(shown) - 1)

    order = sorted((i for i, c in enumerate(cols) if c.give_way), key=lambda i: cols[i].give_way)
    while not style.wide and total() > width and order and len(shown) > 1:
        shown.remove(order.pop(0))
    if total() > width and not style.wide:
        return None
    widths = [0] * len(cols)
    room = max(width, total()) - GAP * (len(shown) - 1)
    flexible = []
    for i in shown:
        if cols[i].token:
            widths[i] = sizes[i][0]
            room -= widths[i]
        else:
            flexible.append(i)
    # Every text column gets the least it needs; what is left is poured in equal shares
    # into the columns still short of their natural width, so short ones reach theirs and
    # long ones share the rest. The total never passes the width.
    for i in flexible:
        widths[i] = need[i]
        room -= need[i]
    growing = [i for i in flexible if widths[i] < sizes[i][0]]
    while room > 0 and growing:
        share = max(1, room // len(growing))
        for i in sorted(growing, key=lambda i: sizes[i][0] - widths[i]):
            more = min(share, sizes[i][0] - widths[i], room)
            widths[i] += more
            room -= more
        growing = [i for i in growing if widths[i] < sizes[i][0]]
    return widths


def _mark_width(mark: str | None) -> int:
    """The cells a paragraph's marks take after its text: a space, then one for each mark (`?*`)."""
    return 1 + len(mark) if mark else 0


Piece = tuple[Line, int]  # one line of a cell, and its display width
_EMPTY: Piece = ([], 0)


def _cell_lines(cell: Cell, width: int, ellipsis: str, style: str | None = None, token: bool = False) -> list[Piece]:
    """A cell's paragraphs wrapped to the width (a token never is), each line with its width."""
    pieces: list[Piece] = []
    for text, mark in cell:
        wrapped = [text] if token or not text else wrap(text, width - _mark_width(mark), ellipsis)
        styled = (
            _marked(wrapped, text, style) if isinstance(text, Marked) else [[Span(line, style)] for line in wrapped]
        )
        for n, (line, spans) in enumerate(zip(wrapped, styled, strict=True)):
            used = cell_len(line)
            if mark and not n:
                spans += [Span(" "), *(Span(m, MARK_STYLES.get(m)) for m in mark)]
                used += _mark_width(mark)
            pieces.append((spans, used))
    return pieces or [_EMPTY]


def _marked(wrapped: Sequence[str], text: Marked, style: str | None) -> list[Line]:
    """The wrapped lines of `text` with its ranges stressed. Wrapping keeps every character
    but spaces in order (it only drops or merges spaces where it breaks), so each character
    of a line is found in `text` by walking both, spaces skipped."""
    stressed = [False] * len(text)
    for start, end in text.ranges:
        for n in range(max(start, 0), min(end, len(text))):
            stressed[n] = True
    at = 0
    out: list[Line] = []
    for line in wrapped:
        spans: Line = []
        for ch in line:
            while at < len(text) and text[at] != ch and text[at].isspace():
                at += 1
            on = at < len(text) and text[at] == ch and stressed[at]
            at += at < len(text) and text[at] == ch
            kind = MARKED if on else style
            if spans and spans[-1].style == kind:
                spans[-1] = Span(spans[-1].text + ch, kind)
            else:
                spans.append(Span(ch, kind))
        out.append(spans or [Span("", style)])
    return out


def _join(columns: list[list[Piece]], widths: list[int]) -> list[Line]:
    """Cells side by side: each column's lines padded to its width, nothing at line ends."""
    out: list[Line] = []
    for n in range(max(len(c) for c in columns)):
        line: Line = []
        pad = 0
        for cell, width in zip(columns, widths, strict=True):
            spans, used = cell[n] if n < len(cell) else _EMPTY
            if used:
                if pad:
                    line.append(Span(" " * pad))
                line += spans
                pad = width - used + GAP
            else:
                pad += width + GAP
        out.append(line)
    return out


def draw(table: Table, width: int, style: Style) -> list[Line]:
    """The table as lines of styled spans, fitted to `width` (as cards when it cannot be)."""
    ellipsis = "..." if style.ascii else "…"
    widths = layout(table, width, style)
    drawn = _cards(table, width, ellipsis) if widths is None else _rows(table, width, widths, style, ellipsis)
    return drawn + _legend(table, widths, width)


def _legend(table: Table, widths: list[int] | None, width: int) -> list[Line]:
    """The legend of the marks the reader sees: a column that gave way takes its marks with it."""
    shown = [i for i in range(len(table.columns)) if widths is None or widths[i]]
    seen = {m for _, cells in table.rows for i in shown for _, mark in cells[i] for m in mark or ()}
    texts = [text for mark, text in table.legend if mark in seen]
    return [[], *([Span(t, "dim")] for text in texts for t in wrap(text, width))] if texts else []


def _rows(table: Table, width: int, widths: list[int], style: Style, ellipsis: str) -> list[Line]:
    """The table's header and rows in the columns `layout` kept."""
    shown = [i for i, w in enumerate(widths) if w]
    tokens = [c.token for c in table.columns]
    out: list[Line] = []
    if style.header:
        heads = [
            _cell_lines(tuple((h, None) for h in table.columns[i].headers), widths[i], ellipsis, "bold") for i in shown
        ]
        out += _join(heads, [widths[i] for i in shown])
        rule = "-" if style.ascii else "─"
        out.append([Span(rule * min(width, sum(widths[i] for i in shown) + GAP * (len(shown) - 1)), "dim")])
    drawn = [
        _join([_cell_lines(cells[i], widths[i], ellipsis, token=tokens[i]) for i in shown], [widths[i] for i in shown])
        for _, cells in table.rows
    ]
    # A row begins where its first column has a value. Where that can be empty (an event
    # known only to its year's heading) and text wrapped, a blank line between rows shows
    # where each begins.
    stacked = [max((len(cells[i]) for i in shown), default=1) for _, cells in table.rows]
    wrapped = any(len(lines) > depth for lines, depth in zip(drawn, stacked, strict=True))
    spaced = wrapped and any(not any(text for text, _ in cells[shown[0]]) for _, cells in table.rows)
    label = None
    for n, ((group, _), lines) in enumerate(zip(table.rows, drawn, strict=True)):
        if group is not None and group != label:
            if label is not None:
                out.append([])
            out.append([Span(group, "bold")])
            label = group
        elif spaced and n:
            out.append([])
        out += lines
    return out


def _cards(table: Table, width: int, ellipsis: str) -> list[Line]:
    """One block per row: each field's label (English above Japanese), then its value,
    wrapped to what is left; a value with a word wider than that (a URL) goes under its
    label, indented, and is not cut."""
    label_width = min(CARD_LABEL_MAX, max(cell_len(h) for c in table.columns for h in c.headers))
    value_width = max(MIN_TEXT, width - label_width - GAP)
    out: list[Line] = []
    label = None
    for group, cells in table.rows:
        if group is not None and group != label:
            out += [[], [Span(group, "bold")]] if out else [[Span(group, "bold")]]  # apart from the card above
            label = group
        if out:
            out.append([])
        for column, cell in zip(table.columns, cells, strict=True):
            if not any(text for text, _ in cell):
                continue
            head = _cell_lines(tuple((h, None) for h in column.headers), label_width, ellipsis, "bold")
            if max(longest_unit(text) + _mark_width(mark) for text, mark in cell) > value_width:
                out += _join([head], [label_width])
                out += _join([[_EMPTY], _cell_lines(cell, width - GAP, ellipsis)], [0, width - GAP])
            else:
                out += _join([head, _cell_lines(cell, value_width, ellipsis)], [label_width, value_width])
    return out


# ------------------------------------------------------------------ output
def terminal_size(stream: TextIO) -> tuple[int, int]:
    """Columns and lines of the terminal; COLUMNS/LINES win, 80x24 when neither is known."""
    size = shutil.get_terminal_size((80, 24))  # COLUMNS/LINES, else standard output's terminal
    return max(size.columns, 20), max(size.lines, 2)


def _stream_width(stream: TextIO) -> int:
    """The width of the terminal this stream writes to (stderr's, not stdout's): COLUMNS
    wins, as in terminal_size."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isascii() and columns.isdigit() and int(columns) > 0:  # else ignored, as shutil does
        return max(int(columns), 20)
    try:
        return max(os.get_terminal_size(stream.fileno()).columns, 20)
    except (OSError, ValueError):
        return terminal_size(stream)[0]


def wants_styles(stream: TextIO) -> bool:
    """A terminal that is not dumb: bold and colour (Rich leaves colour out under NO_COLOR).
    CLICOLOR_FORCE set and not 0 styles any stream, dumb terminal or pipe (the CLICOLOR
    convention, bixense.com/clicolors: "no matter what"); NO_COLOR still takes the colour
    out, as it does on a terminal (no-color.org), and leaves bold."""
    if styles_forced():
        return True
    if _dumb_terminal():
        return False
    return stream.isatty() or bool(os.environ.get("FORCE_COLOR"))


def styles_forced() -> bool:
    return os.environ.get("CLICOLOR_FORCE", "") not in ("", "0")


def _dumb_terminal() -> bool:
    return os.environ.get("TERM") in ("dumb", "unknown")


def plain_text(lines: Sequence[Line]) -> str:
    return "".join("".join(s.text for s in line) + "\n" for line in lines)


def _rich_text(lines: Sequence[Line], highlight: names.Highlight | None = None) -> Any:
    from rich.text import Text

    text = Text(no_wrap=True, end="")
    for line in lines:
        for span in line:
            text.append(span.text, span.style)
        text.append("\n")
    if highlight:
        text.highlight_regex(names.match_pattern(highlight), "bold reverse")
    return text


def styled_text(lines: Sequence[Line], stream: TextIO, highlight: names.Highlight | None = None) -> str:
    """The lines with their styles as the terminal's escape codes (Rich renders them)."""
    from rich.console import Console

    # Rich draws nothing on a dumb terminal; styles are only asked for there when forced.
    console = Console(
        file=stream,
        markup=False,
        emoji=False,
        highlight=False,
        force_terminal=True,
        color_system="standard" if _dumb_terminal() else "auto",
    )
    text = _rich_text(lines, highlight)
    with console.capture() as capture:
        console.print(text, soft_wrap=True, crop=False, end="")
    return capture.get()


def show(
    lines: Sequence[Line], stream: TextIO, *, pager: bool = True, highlight: names.Highlight | None = None
) -> None:
    """Write lines to the stream: coloured on a terminal, through a pager when longer than it."""
    text = styled_text(lines, stream, highlight) if wants_styles(stream) else plain_text(lines)
    if pager and stream.isatty() and len(lines) >= terminal_size(stream)[1]:
        command = os.environ.get("SPNET_PAGER", os.environ.get("PAGER", "less -FRX"))
        if command.strip() and command.strip() != "cat" and page(command, text, stream):
            return
    stream.write(text)


def page(command: str, text: str, stream: TextIO) -> bool:
    """Send text to the pager as git does (through the shell); False if it could not start
    or failed (a shell error, a program that exits non-zero, `false`): the caller then
    prints the text itself, so no output is lost. A pager quit early exits 0 or by a signal."""
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    try:
        proc = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
    except OSError:
        return False
    assert proc.stdin is not None
    with interrupts.ignored():  # the pager handles Ctrl-C itself; wait for it to end
        try:
            stream.flush()
            proc.stdin.write(text.encode(getattr(stream, "encoding", None) or "utf-8", "replace"))
            proc.stdin.close()
        except BrokenPipeError:  # the reader quit the pager before the end: nothing is lost
            pass
        proc.wait()
    return proc.returncode <= 0  # 127: no such command; 2: the shell could not read the command


def write_messages(lines: Sequence[tuple[str, str | None]], stream: TextIO | None = None) -> None:
    """Messages (each with a style: red for an error, yellow for a warning) on stderr; on
    a terminal, each wrapped to its width as a paragraph (kinsoku kept, no word cut) with
    its further lines indented, rather than left for the terminal to split anywhere."""
    stream = stream or sys.stderr
    if stream.isatty():
        width = _stream_width(stream)
        lines = [
            (f"  {piece}" if n else piece, style)
            for text, style in lines
            for n, piece in enumerate(wrap(text, width - 2, whole=True))
        ]
    if not wants_styles(stream):  # a file or a pipe: thousands of warnings, written as they are
        stream.write("".join(f"{text}\n" for text, _ in lines))
        return
    stream.write(styled_text([[Span(text, style)] for text, style in lines], stream))


# ------------------------------------------------------------------ help
HELP_WIDTH = 80  # help is read, not scanned: no wider than click makes it, whatever the terminal


# Typer renders a completion's description through Rich (markup, :emoji: codes) and wraps
# it at 80 columns, which would split one completion into several lines.
COMPLETION_HELP_CELLS = 60


def completion_help(text: str) -> str:
    """Archive text as the description of a completion, shown as written: controls and
    invisible marks escaped, markup escaped, cut to one line. Text with an :emoji: code,
    which Rich would turn into a picture whatever the escaping, is given no description."""
    from spnet.render import visible

    # Rich's markup and emoji modules are slow to import, and would be paid at every Tab:
    # they are imported only for text with a bracket (markup) or a colon (an :emoji: code).
    if ":" in text:
        from rich.emoji import Emoji

        if Emoji.replace(text) != text:
            return ""
    shown = cut(visible(text), COMPLETION_HELP_CELLS)
    if "[" not in shown:
        return shown
    from rich.markup import escape

    # escape() doubles a final backslash (for text that markup follows); none follows here.
    return escape(shown + " ")[:-1]


def help_width(stream: TextIO) -> int:
    """The width help is wrapped to: the terminal's, at most HELP_WIDTH, less click's margin."""
    return max(min(terminal_size(stream)[0], HELP_WIDTH) - 2, 20)


def join_lines(lines: Sequence[str]) -> str:
    """A paragraph written on several lines, as one: English lines joined by a space, and
    Japanese by none where both sides are Japanese or one is a Japanese punctuation mark."""
    out = ""
    for line in (line.strip() for line in lines):
        if out and line:
            a, b = out[-1], line[0]
            tight = not _latin(a) and not _latin(b) or _japanese_mark(a) or _japanese_mark(b)
            out += line if tight else " " + line
        else:
            out += line
    return out


def _japanese_mark(ch: str) -> bool:  # 、。（）「」: no space beside them
    return not _latin(ch) and not ch.isalnum()


_ENTRY = re.compile(r"( *)(\S+(?: \S+)*)( {2,})(\S+(?: \S+)*)$")  # "  TERM  what it means"
_GAP = re.compile(r" {2,}")


def _flow(items: Sequence[str], width: int) -> list[str]:
    """Items (examples, each kept whole) laid out three spaces apart, as many as fit a line."""
    lines: list[str] = []
    for item in items:
        if lines and cell_len(lines[-1]) + 3 + cell_len(item) <= width:
            lines[-1] += "   " + item
        else:
            lines += wrap(item, width, whole=True)
    return lines


_CODE = re.compile(r"`[^`]*`")  # `less -FRX`: what is typed stays on one line


def topic_lines(text: str, width: int) -> list[str]:
    """A help topic wrapped to `width`: each line of the text is a paragraph, kept at its
    indent; an entry ("  TERM  what it means") wraps under its meaning; a line of examples
    three spaces apart keeps each example whole, and so is a command in backquotes."""
    text = _CODE.sub(lambda m: m[0].replace(" ", "\u2423"), text)
    return [line.replace("\u2423", " ") for line in _topic_lines(text, width)]


def _topic_lines(text: str, width: int) -> list[str]:
    out: list[str] = []
    for line in text.rstrip("\n").split("\n"):
        items = _GAP.split(line.strip())
        indent = line[: len(line) - len(line.lstrip(" "))]
        entry = _ENTRY.match(line)
        if len(items) > 2:
            out += [indent + piece for piece in _flow(items, width - len(indent))]
        elif entry and cell_len(line) > width:
            head = entry[1] + entry[2] + entry[3]
            hang = cell_len(head)
            if width - hang < 20:  # too little room beside the term: the meaning goes under it
                out.append(entry[1] + entry[2])
                head, hang = " " * (len(indent) + 4), len(indent) + 4
            body = wrap(entry[4], width - hang, whole=True)
            out += [head + body[0], *(" " * hang + rest for rest in body[1:])]
        else:
            out += [indent + piece if piece else "" for piece in wrap(line.strip(), width - len(indent), whole=True)]
    return out


class HelpFormatter:
    """Click's help formatter, with its text wrapped by display width (a Japanese character
    takes two columns) and between Japanese phrases, kinsoku kept: what click, counting
    characters, cannot do. Headings, usage and indentation stay click's own."""

    def __init__(self, base: Any) -> None:
        self._base = base

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)

    def _lines(self, text: str, width: int) -> list[str]:
        paragraphs = [join_lines(p.split("\n")) for p in text.strip("\n").split("\n\n")]
        lines: list[str] = []
        for n, paragraph in enumerate(paragraphs):
            lines += [""] * (n > 0) + wrap(paragraph, max(width, 20), whole=True)
        return lines

    def write_text(self, text: str) -> None:
        indent = " " * self._base.current_indent
        for line in self._lines(text, self._base.width - self._base.current_indent):
            self._base.write(f"{indent}{line}\n" if line else "\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max((cell_len(first) for first, _ in rows), default=0), col_max) + col_spacing
        indent = self._base.current_indent
        for first, second in rows:
            self._base.write(f"{'':>{indent}}{first}")
            if not second:
                self._base.write("\n")
                continue
            if cell_len(first) <= first_col - col_spacing:
                self._base.write(" " * (first_col - cell_len(first)))
            else:
                self._base.write("\n" + " " * (first_col + indent))
            lines = self._lines(second, self._base.width - first_col - indent) or [""]
            self._base.write(lines[0] + "\n")
            for line in lines[1:]:
                self._base.write(f"{'':>{first_col + indent}}{line}\n" if line else "\n")


# ------------------------------------------------------------------ progress
class ProgressBar:
    """Rich's progress bar on stderr, for a long build: one line per phase ("read": the
    archive's files parsed; "search": the files folded into the search index; "fulltext":
    the rows of its full-text index; "export": the export's tables filled), gone when done."""

    _WORDS = {
        "read": N_("reading the archive"),
        "index": N_("writing the index"),
        "search": N_("building the search index"),
        "fulltext": N_("building the full-text index"),
        "export": N_("filling the export's tables"),
    }

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.tasks: dict[str, Any] = {}
        self.progress.start()

    def update(self, what: str, done: int, total: int) -> None:
        if what not in self.tasks:
            self.tasks[what] = self.progress.add_task(translated(self._WORDS.get(what, what)), total=total)
        self.progress.update(self.tasks[what], completed=done, total=total)

    def close(self) -> None:
        self.progress.stop()
