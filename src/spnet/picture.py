"""The timeline drawn as a picture: an SVG with a time axis and one row per event.

Each event is placed by its dates: a day is a dot, a partial date (a month, a year, a
decade) a bar over its whole span. Kinds have colours, explained in a legend; a planned
event is drawn hollow and marked `*`, a date the Japanese and English texts disagree on is
ringed and marked `?`. The file is self-contained (no font, image or style from outside)
and shaped to fit a page; text from the archive is escaped as XML, its control and
invisible characters shown as escapes (the file is always valid XML).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from xml.sax.saxutils import escape

from spnet.graph import FONT
from spnet.models import Event
from spnet.render import visible

WIDTH = 1100
AXIS_LEFT, AXIS_RIGHT = 40, 560  # where the time axis runs; titles go to its right
ROW = 20
TOP = 120  # legend and axis above the rows
KIND_COLOURS = {
    "meeting": "#4e79a7",
    "symposium": "#e15759",
    "workshop": "#f28e2b",
    "survey": "#76b7b2",
    "milestone": "#59a14f",
}
LABEL_CELLS = 78  # a longer label is cut with an ellipsis (the archive has it whole)


def _x(day: dt.date, first: dt.date, last: dt.date, *, after: bool = False) -> float:
    """Where a day begins on the axis from `first` to the end of `last` (with `after`, where
    it ends: the day after 9999-12-31 is no date)."""
    span = (last - first).days + 1
    return AXIS_LEFT + (AXIS_RIGHT - AXIS_LEFT) * ((day - first).days + after) / span


def _year_step(years: int) -> int:
    """Years between labels on the axis: 1, 2, 5, 10, 20, 50 ... whichever leaves room for one."""
    step = 1
    while (AXIS_RIGHT - AXIS_LEFT) / years * step < 34:
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2
    return step


def _cells(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _fit(text: str, cells: int) -> str:
    """Text cut to a width in cells (a Japanese character counts two), ending in …."""
    if sum(_cells(ch) for ch in text) <= cells:
        return text
    out, used = "", 0
    for ch in text:
        if used + _cells(ch) > cells - 1:
            break
        out, used = out + ch, used + _cells(ch)
    return out + "…"


def timeline_svg(events: Sequence[Event], heading: str = "Strategic Partnerships network: timeline") -> str:
    """The events (in date order) as an SVG document."""
    first = min((e.date.first_day() for e in events), default=dt.date(2021, 1, 1)).replace(month=1, day=1)
    last = dt.date(max((e.date.last_day().year for e in events), default=2024), 12, 31)
    height = TOP + ROW * max(len(events), 1) + 30
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="{escape(FONT)}" font-size="12">',
        f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
        f'<text x="{AXIS_LEFT}" y="24" font-size="16" font-weight="bold">{escape(heading)}</text>',
    ]
    # The legend: kinds, then the marks.
    x = AXIS_LEFT
    for kind, colour in KIND_COLOURS.items():
        out.append(f'<circle cx="{x + 5}" cy="46" r="5" fill="{colour}"/>')
        out.append(f'<text x="{x + 14}" y="50">{kind}</text>')
        x += 100
    out.append(
        f'<text x="{AXIS_LEFT}" y="72">bar: a date known only to its month, year or decade · '
        "hollow, *: planned · ringed, ?: the Japanese and English texts give different dates</text>"
    )
    # The axis, with a tick each year (each labelled year, over a long span) and a label
    # where there is room for one.
    years = range(first.year, last.year + 1)
    step = _year_step(len(years))
    axis_y = TOP - 14
    out.append(f'<line x1="{AXIS_LEFT}" y1="{axis_y}" x2="{AXIS_RIGHT}" y2="{axis_y}" stroke="#333"/>')
    for year in years if step <= 10 else range(first.year + -first.year % step, last.year + 1, step):
        tx = _x(dt.date(year, 1, 1), first, last)
        out.append(f'<line x1="{tx:.1f}" y1="{axis_y - 4}" x2="{tx:.1f}" y2="{axis_y}" stroke="#333"/>')
        out.append(f'<line x1="{tx:.1f}" y1="{axis_y}" x2="{tx:.1f}" y2="{height - 30}" stroke="#eee"/>')
        if year % step == 0:
            out.append(f'<text x="{tx:.1f}" y="{axis_y - 8}" text-anchor="middle" font-size="10">{year}</text>')
    for n, e in enumerate(events):
        y = TOP + ROW * n + ROW / 2
        colour = KIND_COLOURS.get(e.kind, "#888")
        disputed = any(d.field == "date" for d in e.disagreements)
        fill = "white" if e.tentative else colour
        dash = ' stroke-dasharray="3,2"' if e.tentative else ""
        start = _x(e.date.first_day(), first, last)
        attrs = f'data-id="{escape(e.id)}" data-date="{e.date.iso()}"'
        if e.date.precision == "day":
            out.append(
                f'<circle {attrs} cx="{start:.1f}" cy="{y}" r="5" fill="{fill}" stroke="{colour}" '
                f'stroke-width="2"{dash}/>'
            )
        else:
            end = _x(e.date.last_day(), first, last, after=True)
            width = max(end - start, 3)  # a month over centuries is still seen, within the axis
            left = min(start, AXIS_RIGHT - width)
            out.append(
                f'<rect {attrs} x="{left:.1f}" y="{y - 5}" width="{width:.1f}" height="10" rx="3" '
                f'fill="{fill}" stroke="{colour}" stroke-width="2"{dash}/>'
            )
        if disputed:
            out.append(f'<circle cx="{start:.1f}" cy="{y}" r="9" fill="none" stroke="#d4a000" stroke-width="2"/>')
        marks = (" *" if e.tentative else "") + (" ?" if disputed else "")
        # Controls and invisible marks shown escaped: XML 1.0 cannot hold most of them at all.
        title = visible(" / ".join(t for t in (e.title.en, e.title.ja) if t) or e.id)
        label = _fit(f"{e.date.display()}  {title}", LABEL_CELLS - len(marks)) + marks
        out.append(f'<text x="{AXIS_RIGHT + 14}" y="{y + 4}">{escape(label)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
