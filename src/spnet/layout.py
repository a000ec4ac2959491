"""Tables laid out in display cells, with nothing of a terminal: the widths of columns,
rows and cards, as lines of styled spans. Where text may break is linebreak.py's; what a
terminal does with the lines (colour, the pager, its size) is terminal.py's. This module
depends only on each character's width (Rich's cell widths) and is tested without one.

The layout follows gh's table printer: identifiers, dates, numbers, e-mail addresses and
URLs (token columns) get their full width and are never cut or wrapped; free-text columns
share what is left, short ones keeping their natural width; columns give way in a fixed
order when the terminal is narrow (`--wide` keeps them all); and where even that cannot
fit, each row becomes a card. English and Japanese are stacked in one cell, English
above. A text column is never narrower than its widest unit (linebreak.units): where the
columns cannot all be that wide, columns give way, then rows become cards, rather than a
word being cut.

Widths are display widths (an East Asian wide character counts two). A span's style is a
name Rich reads (terminal.py applies it, only on a terminal that is not dumb); every mark
that colour stresses is also a character.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from rich.cells import cell_len

from spnet.linebreak import longest_unit, wrap

GAP = 2  # spaces between columns
MIN_TEXT = 16  # a free-text column narrower than this reads badly: columns give way first
CARD_LABEL_MAX = 24


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
    shown = _kept_columns(table, need, width, style)
    used = sum(need[i] for i in shown) + GAP * (len(shown) - 1)
    if used > width and not style.wide:
        return None
    widths = [0] * len(cols)
    room = max(width, used) - GAP * (len(shown) - 1)
    flexible = []
    for i in shown:
        if cols[i].token:
            widths[i] = sizes[i][0]
            room -= widths[i]
        else:
            flexible.append(i)
    _pour(widths, flexible, need, [natural for natural, _least in sizes], room)
    return widths


def _kept_columns(table: Table, need: list[int], width: int, style: Style) -> list[int]:
    """The columns shown: those that give way (`give_way`, lowest first) leave until the
    others fit, or one is left; every column with --wide."""
    cols = table.columns
    shown = list(range(len(cols)))
    order = sorted((i for i, c in enumerate(cols) if c.give_way), key=lambda i: cols[i].give_way)
    while not style.wide and sum(need[i] for i in shown) + GAP * (len(shown) - 1) > width and order and len(shown) > 1:
        shown.remove(order.pop(0))
    return shown


def _pour(widths: list[int], flexible: list[int], need: list[int], natural: list[int], room: int) -> None:
    """Every text column gets the least it needs; what is left is poured in equal shares
    into the columns still short of their natural width, so short ones reach theirs and
    long ones share the rest. The total never passes the room."""
    for i in flexible:
        widths[i] = need[i]
        room -= need[i]
    growing = [i for i in flexible if widths[i] < natural[i]]
    while room > 0 and growing:
        share = max(1, room // len(growing))
        for i in sorted(growing, key=lambda i: natural[i] - widths[i]):
            more = min(share, natural[i] - widths[i], room)
            widths[i] += more
            room -= more
        growing = [i for i in growing if widths[i] < natural[i]]


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
    out = _header(table, width, widths, style, ellipsis) if style.header else []
    drawn = [
        _join([_cell_lines(cells[i], widths[i], ellipsis, token=tokens[i]) for i in shown], [widths[i] for i in shown])
        for _, cells in table.rows
    ]
    spaced = _spaced(table, shown, drawn)
    label = None
    for n, ((group, _), lines) in enumerate(zip(table.rows, drawn, strict=True)):
        if group is not None and group != label:
            if label is not None:
                out.append([])
            out += _heading(group, width, ellipsis)
            label = group
        elif spaced and n:
            out.append([])
        out += lines
    return out


def _heading(group: str, width: int, ellipsis: str) -> list[Line]:
    """A group's heading in bold, broken where a line may break (a stats measure in both
    languages is wider than 80 columns), never cut."""
    return [[Span(line, "bold")] for line in wrap(group, width, ellipsis, whole=True)]


def _header(table: Table, width: int, widths: list[int], style: Style, ellipsis: str) -> list[Line]:
    """The headers of the columns shown, in bold, and a rule under them."""
    shown = [i for i, w in enumerate(widths) if w]
    heads = [
        _cell_lines(tuple((h, None) for h in table.columns[i].headers), widths[i], ellipsis, "bold") for i in shown
    ]
    rule = "-" if style.ascii else "─"
    used = sum(widths[i] for i in shown) + GAP * (len(shown) - 1)
    return [*_join(heads, [widths[i] for i in shown]), [Span(rule * min(width, used), "dim")]]


def _spaced(table: Table, shown: list[int], drawn: list[list[Line]]) -> bool:
    """Whether rows need a blank line between them. A row begins where its first column
    has a value. Where that can be empty (an event known only to its year's heading) and
    text wrapped, a blank line between rows shows where each begins."""
    stacked = [max((len(cells[i]) for i in shown), default=1) for _, cells in table.rows]
    wrapped = any(len(lines) > depth for lines, depth in zip(drawn, stacked, strict=True))
    return wrapped and any(not any(text for text, _ in cells[shown[0]]) for _, cells in table.rows)


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
            apart: list[Line] = [[]] if out else []  # from the card above
            out += [*apart, *_heading(group, width, ellipsis)]
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


def plain_text(lines: Sequence[Line]) -> str:
    """Lines as text, without their styles."""
    return "".join("".join(s.text for s in line) + "\n" for line in lines)
