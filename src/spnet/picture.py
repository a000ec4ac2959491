"""The timeline drawn as a picture: an SVG with a time axis and one row per event, sized for a slide.

Each event is placed by its dates: a day is a dot, a partial date (a month, a year, a
decade) a bar over its whole span. Kinds have colours, explained in a legend; a planned
event is drawn hollow and marked `*`, a date the Japanese and English texts disagree on is
ringed and marked `?`. The axis gives the years of the events it holds their full width;
events from before the project's years go to a narrower band of their own at its left,
with a break between the two, so that decades of history do not squeeze the project into
a sliver. Labels are never cut: one that is wider than its column is wrapped (between
words, and between Japanese phrases) and its row grows. Label widths are estimated from
their characters and the font size (`text_width`), generously, so that what a renderer
draws stays inside the box the layout gave it.

The file is self-contained (no font, image or style from outside: it names a font family
list that IPA or Noto CJK fonts satisfy); text from the archive is escaped as XML, its
control and invisible characters shown as escapes (the file is always valid XML).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from typing import NamedTuple
from xml.sax.saxutils import escape

from spnet import dates, glossary
from spnet.cells import event_title_ja
from spnet.dot import FONT
from spnet.i18n import N_, _, language
from spnet.linebreak import wrap
from spnet.models import Event
from spnet.render import visible

MAX_WIDTH = 1920  # a full-HD slide's width: the picture is never wider
MARGIN = 32
AXIS = 720  # the width the years of the events get
BAND = 180  # the band for the years before the project, when there are events in it
BREAK = 36  # the gap between the band and the axis, with the break drawn in it
LABEL_GAP = 20  # between the axis and the labels
FONT_SIZE = 13
LINE = 15  # a label's each further line
ROW = 18  # a row of one line
TOP = 136  # heading, legend and axis above the rows
AXIS_Y = TOP - 10
BOTTOM = 16
MIN_LABELS = 360  # the narrowest the label column gets
KIND_COLOURS = {
    "meeting": "#4e79a7",
    "symposium": "#e15759",
    "workshop": "#f28e2b",
    "survey": "#76b7b2",
    "milestone": "#59a14f",
}
LEGEND = N_(
    "bar: a date known only to its month, year, fiscal year or decade · hollow, *: planned · "
    "ringed, ?: the Japanese and English texts give different dates"
)
# Widths in ems of a character, on the generous side of what IPA and Noto CJK fonts draw:
# a wide (Japanese) character is one em, a capital or a digit about two thirds of one.
WIDE, BROAD, CAPITAL, NARROW = 1.0, 0.92, 0.66, 0.52


def char_width(ch: str) -> float:
    """A character's estimated width in ems."""
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return WIDE
    if ch in "MWmw@%":
        return BROAD
    if ch.isupper() or ch.isdigit() or not ch.isascii():
        return CAPITAL
    return NARROW


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """The estimated width in pixels of a line of text at a font size."""
    return sum(char_width(ch) for ch in text) * size


def wrap_label(text: str, width: float, size: float = FONT_SIZE) -> list[str]:
    """A label in lines that each fit `width` pixels, broken where the terminal's tables
    break text (between words, and between Japanese phrases, kinsoku kept)."""
    cells = int(width / (size * WIDE / 2))  # a wide character takes two cells
    while True:
        lines = wrap(text, cells, whole=True)
        widest = max(text_width(line, size) for line in lines)
        if cells <= 1 or widest <= width:
            return lines
        cells = max(1, min(cells - 1, int(cells * width / widest)))  # narrower by as much as the widest is over


class Scale(NamedTuple):
    """A stretch of the axis: the days from `first` to the end of `last` between x `left` and `right`."""

    first: dt.date
    last: dt.date
    left: float
    right: float

    def x(self, day: dt.date, *, after: bool = False) -> float:
        """Where a day begins (with `after`, where it ends: the day after 9999-12-31 is no
        date), held within the stretch."""
        day = min(max(day, self.first), self.last)
        span = (self.last - self.first).days + 1
        return self.left + (self.right - self.left) * ((day - self.first).days + after) / span

    def holds(self, day: dt.date) -> bool:
        return self.first <= day <= self.last


def _year_step(years: int, width: float) -> int:
    """Years between labels on an axis: 1, 2, 5, 10, 20, 50 ... whichever leaves room for one."""
    step = 1
    while width / years * step < 34:
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2
    return step


class Layout(NamedTuple):
    """Where things go: the stretches of the axis, the label column, the rows."""

    band: Scale | None  # the years before the project, when there are events in them
    axis: Scale
    labels_left: float
    labels_width: float
    width: int
    height: int
    rows: list[tuple[float, list[str]]]  # each event's row: its top and its label's lines


def _scales(events: Sequence[Event], project_start: int | None) -> tuple[Scale | None, Scale]:
    """The band for the events before the project's first year (when there are such events and
    others), and the axis for the rest: whole calendar years, from the first event's."""
    starts = [e.date.first_day() for e in events] or [dt.date(project_start or dt.date.today().year, 1, 1)]
    cut = dt.date(project_start, 1, 1) if project_start and project_start > 1 else dt.date.min
    before = [d for d in starts if d < cut]
    after = [d for d in starts if d >= cut]
    last = dt.date(max(starts).year, 12, 31)
    if not before or not after:
        return None, Scale(dt.date(min(starts).year, 1, 1), last, MARGIN, MARGIN + AXIS)
    band = Scale(dt.date(min(before).year, 1, 1), cut - dt.timedelta(days=1), MARGIN, MARGIN + BAND)
    left = MARGIN + BAND + BREAK
    return band, Scale(dt.date(min(after).year, 1, 1), last, left, left + AXIS)


def layout(labels: Sequence[str], events: Sequence[Event], project_start: int | None, widest: float) -> Layout:
    """The picture's size and its rows: the label column as wide as the widest label,
    within a slide's width; a label wider than that wraps, and its row grows. The picture
    is at least `widest` wide (its heading and legend)."""
    band, axis = _scales(events, project_start)
    labels_left = axis.right + LABEL_GAP
    room = max(MAX_WIDTH - MARGIN - labels_left, MIN_LABELS)
    labels_width = min(max((text_width(t) for t in labels), default=0), room)
    width = int(max(min(labels_left + labels_width + MARGIN, MAX_WIDTH), widest + 2 * MARGIN) + 0.999)
    rows, y = [], float(TOP)
    for text in labels:
        lines = wrap_label(text, labels_width)
        rows.append((y, lines))
        y += ROW + LINE * (len(lines) - 1)
    return Layout(band, axis, labels_left, labels_width, width, int(y + BOTTOM + 0.999), rows)


def label_of(e: Event, lang: str, date_style: str) -> str:
    """The text beside an event: its date, its title in `lang` (en, ja or both, the reader's language first:
    English / Japanese), and its marks (* planned, ? the texts disagree on the date)."""
    title = glossary.bilingual_label(e.title.en, event_title_ja(e), lang) or e.id
    disputed = any(d.field == "date" for d in e.disagreements)
    # The tables' order of marks (cells.MARK_ORDER): `?*` on a planned, disputed date.
    marks = " " + "".join(m for m, on in (("?", disputed), ("*", e.tentative)) if on)
    when = dates.format_date(e.date, date_style, weekday=False)
    if e.onward:  # a date something began on, as the table says it: FY2024 onward, 2024年度以降
        japanese = lang == "ja" or (lang == "both" and language() == "ja")
        when = (glossary.ONWARD.ja if japanese else glossary.ONWARD.en).format(when)
    # Controls and invisible marks shown escaped: XML 1.0 cannot hold most of them at all.
    return visible(f"{when}  {title}{marks.rstrip()}")


def _kind_name(kind: str, lang: str) -> str:
    """A kind in the legend, in `lang`; with both, both, the reader's language first."""
    term = glossary.VALUES.get(kind)
    if term is None:
        return kind
    return glossary.bilingual_label(term.en, term.ja, lang)


def _axis(out: list[str], scale: Scale, y: float, bottom: float) -> None:
    """A stretch of the axis with a tick each year (each labelled year, over a long span)
    and a year's label where there is room for one."""
    years = range(scale.first.year, scale.last.year + 1)
    step = _year_step(len(years), scale.right - scale.left)
    out.append(f'<line class="axis" x1="{scale.left}" y1="{y}" x2="{scale.right}" y2="{y}" stroke="#333"/>')
    for year in years if step <= 10 else range(scale.first.year + -scale.first.year % step, scale.last.year + 1, step):
        tx = scale.x(dt.date(year, 1, 1))
        out.append(f'<line x1="{tx:.1f}" y1="{y - 4}" x2="{tx:.1f}" y2="{y}" stroke="#333"/>')
        out.append(f'<line x1="{tx:.1f}" y1="{y}" x2="{tx:.1f}" y2="{bottom}" stroke="#e4e4e4"/>')
        if year % step == 0:
            anchor = "start" if step == 1 and len(years) < 12 else "middle"
            at = tx + 3 if anchor == "start" else tx
            out.append(
                f'<text class="year" x="{at:.1f}" y="{y - 6}" text-anchor="{anchor}" font-size="11">{year}</text>'
            )


def _legend(lang: str) -> list[str]:
    out: list[str] = []
    x: float = MARGIN
    for kind, colour in KIND_COLOURS.items():
        name = _kind_name(kind, lang)
        out.append(f'<circle cx="{x + 5}" cy="58" r="5" fill="{colour}"/>')
        out.append(f'<text x="{x + 14}" y="62">{escape(name)}</text>')
        x += 14 + text_width(name) + 28
    out.append(f'<text x="{MARGIN}" y="84">{escape(_(LEGEND))}</text>')
    return out


def _mark(e: Event, scale: Scale, y: float) -> list[str]:
    """An event's dot or bar on its stretch of the axis, and the ring of a disputed date;
    a bar that runs on past the stretch's end ends in an arrow."""
    colour = KIND_COLOURS.get(e.kind, "#888")
    fill = "white" if e.tentative else colour
    dash = ' stroke-dasharray="3,2"' if e.tentative else ""
    start = scale.x(e.date.first_day())
    attrs = f'data-id="{escape(e.id)}" data-date="{e.date.iso()}"'
    out = []
    if e.date.precision == "day":
        out.append(
            f'<circle {attrs} cx="{start:.1f}" cy="{y}" r="5" fill="{fill}" stroke="{colour}" stroke-width="2"{dash}/>'
        )
    else:
        end = scale.x(e.date.last_day(), after=True)
        width = max(end - start, 3)  # a month over centuries is still seen, within the axis
        left = min(start, scale.right - width)
        out.append(
            f'<rect {attrs} x="{left:.1f}" y="{y - 5}" width="{width:.1f}" height="10" rx="3" '
            f'fill="{fill}" stroke="{colour}" stroke-width="2"{dash}/>'
        )
        if e.date.last_day() > scale.last:
            r = scale.right
            out.append(f'<path d="M{r - 1:.1f},{y - 8} L{r + 7:.1f},{y} L{r - 1:.1f},{y + 8} Z" fill="{colour}"/>')
    if any(d.field == "date" for d in e.disagreements):
        out.append(f'<circle cx="{start:.1f}" cy="{y}" r="9" fill="none" stroke="#d4a000" stroke-width="2"/>')
    return out


def _band(out: list[str], band: Scale, axis: Scale, bottom: float) -> None:
    """The band of the years before the project, shaded and named, and the break between it and the axis."""
    top = 92
    out.append(
        f'<rect x="{band.left - 6}" y="{top}" width="{band.right - band.left + 12}" '
        f'height="{bottom - top}" fill="#ececec" fill-opacity="0.6"/>'
    )
    for x, caption in ((band.left, _("before the project")), (axis.left, _("the project's years"))):
        out.append(f'<text x="{x}" y="{top + 12}" font-size="11">{escape(caption)}</text>')
    mid = (band.right + axis.left) / 2
    y = AXIS_Y
    for dx in (-4, 4):
        out.append(f'<line x1="{mid + dx - 4}" y1="{y + 7}" x2="{mid + dx + 4}" y2="{y - 7}" stroke="#333"/>')


def timeline_svg(
    events: Sequence[Event],
    heading: str | None = None,
    *,
    lang: str = "both",
    date_style: str = dates.DateStyle.ISO,
    project_start: int | None = None,
) -> str:
    """The events (in date order) as an SVG document. Events that begin before the year
    `project_start` go to a band of their own, when there are others after it."""
    labels = [label_of(e, lang, date_style) for e in events]
    heading = visible(heading or _("Strategic Partnerships network: timeline"))
    plan = layout(labels, events, project_start, max(text_width(heading, 20), text_width(_(LEGEND))))
    width, height = plan.width, plan.height
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{escape(FONT)}" font-size="{FONT_SIZE}">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{MARGIN}" y="34" font-size="20" font-weight="bold">{escape(heading)}</text>',
        *_legend(lang),
    ]
    bottom = height - BOTTOM
    # Every other row faintly shaded: the eye follows a row from its mark to its label.
    for n, (top, lines) in enumerate(plan.rows):
        if n % 2:
            tall = ROW + LINE * (len(lines) - 1)
            out.append(
                f'<rect x="{MARGIN - 6}" y="{top}" width="{width - 2 * MARGIN + 12}" height="{tall}" fill="#f3f6fa"/>'
            )
    if plan.band is not None:
        _band(out, plan.band, plan.axis, bottom)
        _axis(out, plan.band, AXIS_Y, bottom)
    _axis(out, plan.axis, AXIS_Y, bottom)
    for e, (top, lines) in zip(events, plan.rows, strict=True):
        y = top + ROW / 2
        scale = plan.band if plan.band is not None and plan.band.holds(e.date.first_day()) else plan.axis
        out.extend(_mark(e, scale, y))
        spans = "".join(
            f'<tspan x="{plan.labels_left}" dy="{0 if n == 0 else LINE}">{escape(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        out.append(f'<text x="{plan.labels_left}" y="{y + 4.5}">{spans}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
