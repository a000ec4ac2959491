"""The partnership network (graph.py) as Graphviz DOT, and drawn by Graphviz as SVG or PNG.

The member universities stand in the middle and the countries on either side, the two
sides about as tall, so that the whole network fits a slide (1920 x 1080 pixels) at a size
its text can be read; `size` scales it to fit other pixels. Archive text is quoted as DOT
requires, never read as syntax; spnet's words (kinds, the legend) are in the reader's
language.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from spnet.graph import CURATORS, Network, Node, kind_words
from spnet.i18n import _
from spnet.render import visible

# One family for nodes, edges and clusters, with Japanese glyphs: Graphviz takes the first
# installed (Debian: fonts-noto-cjk, or fonts-ipafont-gothic), else its sans-serif.
FONT = "Noto Sans CJK JP, IPAPGothic, IPAGothic, sans-serif"


def render(dot_text: str, fmt: str) -> bytes:
    """The DOT text drawn by Graphviz as svg or png. UsageError when `dot` is not there;
    OutputError (exit 4, the output could not be made) when it fails or takes over two
    minutes: what `check` accepts is DOT that Graphviz draws, so that is its machine
    (memory, a broken install), not the command line."""
    import shutil
    import subprocess

    from spnet.errors import OutputError, UsageError

    dot = shutil.which("dot")
    if dot is None:
        raise UsageError(_("--format {fmt} needs Graphviz's dot on PATH (apt-get install graphviz)").format(fmt=fmt))
    try:
        done = subprocess.run([dot, f"-T{fmt}"], input=dot_text.encode("utf-8"), capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        raise OutputError(_("dot could not draw the graph: {why}").format(why=_("no answer in 120 s"))) from None
    if done.returncode != 0:
        why = done.stderr.decode(errors="replace").strip()[:200] or _("exit status {code}").format(code=done.returncode)
        raise OutputError(_("dot could not draw the graph: {why}").format(why=why))
    return done.stdout


def _dot_quote(text: str) -> str:
    return f'"{_dot_escape(text)}"'


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _lines(names: tuple[str, ...]) -> tuple[str, ...]:
    """The names side by side, or one a line where that is longer than WRAP columns."""
    joined = " / ".join(names)
    return (joined,) if _columns(joined) <= WRAP else names


def _dot_lines(names: tuple[str, ...]) -> str:
    return '"' + "\\n".join(_dot_escape(line) for line in _lines(names)) + '"'


def _dot_escape(text: str) -> str:
    # Controls, bidi and zero-width marks shown escaped first, as in every other format. Then
    # what Graphviz reads inside a quoted label: a backslash starts an escape (\N, \l), a
    # quote ends the string, and & starts an entity (&#x202e; would be a bidi override).
    return visible(text).replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")


# Each kind's line: colour (Okabe and Ito's palette, told apart with colour blindness too),
# style and width. The legend shows the kinds drawn; a test checks every kind has its own.
EDGE_STYLE: dict[str, tuple[str, str, float]] = {
    "strategic-partner": ("#D55E00", "solid", 2.2),
    "joint-fund-partner": ("#CC79A7", "solid", 1.4),
    "research-partner": ("#009E73", "solid", 1.4),
    "exchange-partner": ("#0072B2", "solid", 1.4),
    "office-host": ("#E69F00", "solid", 1.4),
    "consortium": ("#56B4E9", "dashed", 1.4),
    "consortium-member": ("#56B4E9", "dotted", 1.4),
    "framework": ("#000000", "dashed", 1.0),
}

# A name pair longer than this (in columns, a wide character two) is drawn on two lines.
WRAP = 44

# A slide: 1920 x 1080 pixels (at Graphviz's 96 dots an inch).
SLIDE = (1920, 1080)
DPI = 96


@dataclass(frozen=True)
class _Unit:
    """Partners drawn together (a country's; a consortium and its members)."""

    ids: list[str]
    rows: int  # its height: a row for each line of a partner's name and each country's title
    universities: Counter[str]  # its edges from each member university


def _units(net: Network) -> list[_Unit]:
    unit: dict[str, str] = {}

    def find(key: str) -> str:
        while unit.setdefault(key, key) != key:
            key = unit[key]
        return key

    ids = {n.id for n in net.partners}
    for n in net.partners:
        if n.country is not None:
            unit[find(n.id)] = find("country:" + n.country)
    for e in net.edges:
        if e.source in ids:
            unit[find(e.target)] = find(e.source)
    members: dict[str, list[Node]] = {}
    for n in net.partners:
        members.setdefault(find(n.id), []).append(n)
    out = []
    for nodes in members.values():
        inside = {n.id for n in nodes}
        rows = len(nodes) + len({n.country for n in nodes} - {None})
        out.append(_Unit(sorted(inside), rows, Counter(e.source for e in net.edges if e.target in inside)))
    return sorted(out, key=lambda u: -u.rows)  # stable: the tallest first, then as they come


# Up to this many universities every way of splitting them left and right is tried (2^n).
_SPLIT_ALL = 12


def _sides(net: Network) -> set[str]:
    """The partners drawn left of the universities. The universities are split in two
    (every way, up to _SPLIT_ALL of them); each unit goes to the side most of its edges come
    from (a tie: the shorter side). Chosen: the split whose edges run against their
    university's side least, and whose sides are most nearly as tall as each other."""
    units = _units(net)
    bit = {uid: 1 << i for i, (uid, _label) in enumerate(net.universities)}
    # Each unit's edges as (the bit of their university, how many), and how many in all.
    edges = [([(bit.get(u, 0), c) for u, c in unit.universities.items()], unit.universities.total()) for unit in units]
    best: tuple[int, list[int]] = (-1, [])
    # The last university stays right: a split and its mirror image cost the same.
    for mask in range(1 << (len(bit) - 1) if 0 < len(bit) <= _SPLIT_ALL else 1):
        heights, against, left = [0, 0], 0, []
        for i, (unit, (counts, total)) in enumerate(zip(units, edges, strict=True)):
            votes = sum(c for b, c in counts if mask & b)
            side = 0 if 2 * votes > total or (2 * votes == total and heights[0] < heights[1]) else 1
            against += min(votes, total - votes)
            heights[side] += unit.rows
            if side == 0:
                left.append(i)
        cost = 2 * against + abs(heights[0] - heights[1])
        if best[0] < 0 or cost < best[0]:
            best = (cost, left)
    return {pid for i in best[1] for pid in units[i].ids}


# A legend's sample line: drawn as the bottom border of a cell half the row's height.
_SAMPLE = (
    '<TD><TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0">'
    '<TR><TD WIDTH="36" HEIGHT="6" SIDES="B" BORDER="{width}" STYLE="{style}" COLOR="{colour}"></TD></TR>'
    '<TR><TD HEIGHT="6"></TD></TR></TABLE></TD>'
)


def _legend(net: Network) -> str:
    """An HTML-like table: a sample of each kind's line drawn, and the curators' mark."""
    rows = []
    for kind in dict.fromkeys(e.kind for e in net.edges):
        colour, style, width = EDGE_STYLE[kind]
        sample = _SAMPLE.format(width=max(1, round(width)), style=style, colour=colour)
        rows.append(f'<TR>{sample}<TD ALIGN="LEFT">{html.escape(kind_words(kind))}</TD></TR>')
    if any(n.curators for n in net.partners):
        words = html.escape(_("country added by the archive's curators"))
        rows.append(f'<TR><TD>{CURATORS}</TD><TD ALIGN="LEFT">{words}</TD></TR>')
    return f'<<TABLE BORDER="0" CELLSPACING="2" CELLPADDING="1">{"".join(rows)}</TABLE>>'


# A country's box: light grey, its name above its partners in a smaller type.
_CLUSTER = 'style="rounded,filled"; fillcolor="#F2F2F2"; color="#BBBBBB"; margin=4; fontsize=10;'


def _attrs(**kv: str | float) -> str:
    return ", ".join(f"{k}={v}" for k, v in kv.items())


# What --size takes, each side in pixels: a bitmap much larger would take gigabytes to draw.
SIZE_RANGE = (100, 10000)


def parse_size(text: str) -> tuple[int, int]:
    """WIDTHxHEIGHT in pixels (3840x2160), each within SIZE_RANGE; UsageError otherwise."""
    from spnet.errors import UsageError

    match = re.fullmatch(r"\s*(\d{1,6})\s*[xX×]\s*(\d{1,6})\s*", text)
    low, high = SIZE_RANGE
    if not match or not all(low <= int(n) <= high for n in match.groups()):
        raise UsageError(
            _("--size takes WIDTHxHEIGHT in pixels, each {low} to {high} (e.g. 3840x2160), not '{value}'").format(
                low=low, high=high, value=visible(text)
            )
        )
    return int(match[1]), int(match[2])


def _in_order(net: Network) -> list[tuple[str | None, list[Node]]]:
    """The countries in the order of the universities their partners are partners of (on
    average), which Graphviz starts its ordering from: fewer edges cross."""
    place = {uid: i for i, (uid, _label) in enumerate(net.universities)}
    for e in net.edges:  # a partner where its first university is
        if e.source in place:
            place.setdefault(e.target, place[e.source])
    for e in net.edges:  # a consortium's members where the consortium is
        place.setdefault(e.target, place.get(e.source, 0))

    def where(item: tuple[str | None, list[Node]]) -> float:
        ids = {n.id for n in item[1]}
        froms = [place.get(e.source, 0) for e in net.edges if e.target in ids]
        return sum(froms) / len(froms) if froms else 0

    return sorted(net.groups().items(), key=where)


def to_dot(net: Network, size: tuple[int, int] | None = None) -> str:
    """DOT for Graphviz: shrunk to fit a slide, or scaled to fit `size` pixels (width, height)."""
    font = _dot_quote(FONT)
    width, height = size or SLIDE
    margin = '"0.1,0.03"'
    fit = f'"{width / DPI:g},{height / DPI:g}{"!" if size else ""}"'
    lines = [
        "digraph spnet {",
        f"  graph [{_attrs(rankdir='LR', fontname=font, fontsize=11, nodesep=0.06, ranksep=0.3, size=fit)}];",
        f"  node [{_attrs(fontname=font, fontsize=11, shape='box', style='rounded', height=0.2, margin=margin)}];",
        # decorate: a line from each label to its edge, so no label is read as another edge's.
        f"  edge [{_attrs(fontname=font, fontsize=11, arrowsize=0.5, decorate='true')}];",
    ]
    for uid, label in net.universities:
        lines.append(f"  {_dot_quote(uid)} [label={_dot_quote(label)}, style=bold];")
    for i, (country, members) in enumerate(_in_order(net)):
        indent = "  "
        if country is not None:
            lines.append(f"  subgraph cluster_{i} {{")
            lines.append(f"    label={_dot_quote(country)}; {_CLUSTER}")
            indent = "    "
        for n in members:
            lines.append(f"{indent}{_dot_quote(n.id)} [label={_dot_lines(n.marked)}];")
        if country is not None:
            lines.append("  }")
    if net.universities:
        lines.append(f"  legend [label={_legend(net)}, shape=plain];")
    # The universities in one column, the legend under them (a column with room to spare).
    same = " ".join(f"{_dot_quote(uid)};" for uid, _label in net.universities)
    lines.append(f"  {{ rank=same; {same}{' legend;' if net.universities else ''} }}")
    left = _sides(net)
    for e in net.edges:
        colour, style, pen = EDGE_STYLE[e.kind]
        attrs = f'color="{colour}", style={style}, penwidth={pen}'
        if e.dates:
            attrs += f", label={_dot_quote(e.dates)}"
        if e.target in left:  # drawn leftwards: Graphviz ranks an edge's head after its tail
            lines.append(f"  {_dot_quote(e.target)} -> {_dot_quote(e.source)} [{attrs}, dir=back];")
        else:
            lines.append(f"  {_dot_quote(e.source)} -> {_dot_quote(e.target)} [{attrs}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
