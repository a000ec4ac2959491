"""The timeline picture as it goes on a slide: the project's years at full width, the older
history in a band of its own, every label whole and apart from the others, inside a
full-HD width, in each language; and, rendered by rsvg-convert, the same size and text
that stays inside the boxes the layout gave it."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import tomli_w

from spnet.archive import load_archive
from spnet.picture import FONT_SIZE, MAX_WIDTH, text_width
from tests import png
from tests.conftest import DATA, REPO, title_ja_as_read

SVG = "{http://www.w3.org/2000/svg}"
LANGS = ("both", "en", "ja")
RSVG = shutil.which("rsvg-convert")
needs_rsvg = pytest.mark.skipif(RSVG is None, reason="rsvg-convert is not installed (Debian: librsvg2-bin)")


def draw(cli: Any, tmp_path: Path, *args: str) -> Path:
    svg = tmp_path / f"timeline{len(list(tmp_path.iterdir()))}.svg"
    result = cli("timeline", *args, "--svg", str(svg))
    assert result.exception is None and result.exit_code == 0, result.stderr
    return svg


def project_years(data: Path = DATA) -> tuple[int, int]:
    """The years of the project's own events (every kind but milestones), read from the archive."""
    own = [e for e in load_archive(data, cache=False).events if e.kind != "milestone"]
    return min(e.date.first_day().year for e in own), max(e.date.last_day().year for e in own)


def axes(root: ET.Element) -> list[tuple[float, float]]:
    lines = [el for el in root.iter(f"{SVG}line") if el.get("class") == "axis"]
    return sorted((float(el.attrib["x1"]), float(el.attrib["x2"])) for el in lines)


def years_on(root: ET.Element, left: float, right: float) -> list[int]:
    texts = [el for el in root.iter(f"{SVG}text") if el.get("class") == "year"]
    return [int(el.text or "") for el in texts if left - 1 <= float(el.attrib["x"]) <= right + 1]


def mark_x(el: ET.Element) -> float:
    return float(el.attrib.get("cx", el.attrib.get("x", "nan")))


class Box(NamedTuple):
    left: float
    top: float
    right: float
    bottom: float
    text: str

    def overlaps(self, other: Box) -> bool:
        return (
            self.left < other.right and other.left < self.right and self.top < other.bottom and other.top < self.bottom
        )


def boxes(root: ET.Element) -> list[Box]:
    """Every <text>'s box as the layout estimates it: each line (a <tspan>, or the text
    itself) as wide as `text_width` says at its font size, from an ascent of its size above
    the baseline to a fifth of it below."""
    out = []
    for el in root.iter(f"{SVG}text"):
        size = float(el.get("font-size", FONT_SIZE))
        x, y = float(el.attrib["x"]), float(el.attrib["y"])
        lines = [(float(t.get("dy", 0)), t.text or "") for t in el.findall(f"{SVG}tspan")] or [(0.0, el.text or "")]
        width = max(text_width(line, size) for _, line in lines)
        anchor = el.get("text-anchor", "start")
        left = x - width / 2 if anchor == "middle" else x
        bottom = y + sum(dy for dy, _ in lines)
        out.append(Box(left, y - size, left + width, bottom + size / 5, "".join(line for _, line in lines)))
    return out


# ------------------------------------------------------------------ the span
def test_the_default_picture_is_the_projects_years_from_the_archive(cli, tmp_path: Path) -> None:
    first, last = project_years()
    assert (first, last) == (2021, 2024)  # the report: the project ran from FY2021 to March 2024
    root = ET.parse(draw(cli, tmp_path)).getroot()
    ((left, right),) = axes(root)  # one axis, no band: nothing before the project is drawn
    assert years_on(root, left, right) == list(range(first, last + 1))
    archive = load_archive(DATA, cache=False)
    expected = [e.id for e in archive.events if e.date.last_day().year >= first and e.date.first_day().year <= last]
    assert [el.attrib["data-id"] for el in root.iter() if "data-id" in el.attrib] == expected
    assert all(left <= mark_x(el) <= right for el in root.iter() if "data-id" in el.attrib)


def test_the_projects_years_follow_the_archive(cli, data_copy: Path, tmp_path: Path) -> None:
    """A meeting moved a year on moves the picture's last year with it: the span is read
    from the archive, not written in the code."""
    path = data_copy / "project.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    meeting = max((e for e in doc["events"] if e["kind"] == "meeting"), key=lambda e: e["date"])
    meeting["date"], meeting["tentative"] = "2025-06", True
    meeting.pop("fiscal_year", None)
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    assert project_years(data_copy) == (2021, 2025)
    svg = tmp_path / "t.svg"
    result = cli("--data", str(data_copy), "timeline", "--svg", str(svg))
    assert result.exit_code == 0, result.stderr
    root = ET.parse(svg).getroot()
    ((left, right),) = axes(root)
    assert years_on(root, left, right) == [2021, 2022, 2023, 2024, 2025]
    assert meeting["id"] in {el.get("data-id") for el in root.iter()}


def test_all_puts_the_older_history_in_a_band_and_the_project_keeps_its_width(cli, tmp_path: Path) -> None:
    default = ET.parse(draw(cli, tmp_path)).getroot()
    root = ET.parse(draw(cli, tmp_path, "--all")).getroot()
    (band, axis) = axes(root)
    ((d_left, d_right),) = axes(default)
    assert axis[1] - axis[0] == d_right - d_left  # the project's years keep their width
    assert band[1] - band[0] < (axis[1] - axis[0]) / 3 and band[1] < axis[0]  # narrower, to its left
    first, last = project_years()
    assert years_on(root, *axis) == list(range(first, last + 1))
    assert years_on(root, *band)[0] <= min(e.date.first_day().year for e in load_archive(DATA, cache=False).events)
    archive = {e.id: e for e in load_archive(DATA, cache=False).events}
    placed = [el for el in root.iter() if "data-id" in el.attrib]
    assert {el.attrib["data-id"] for el in placed} == set(archive)  # every event
    for el in placed:
        before = archive[el.attrib["data-id"]].date.first_day().year < first
        a, b = band if before else axis
        assert a <= mark_x(el) <= mark_x(el) + float(el.get("width", 0)) <= b + 0.05, el.attrib
    captions = {el.text for el in root.iter(f"{SVG}text")}
    assert {"before the project", "the project's years"} <= captions
    # --from also reaches back, with the same band.
    older = ET.parse(draw(cli, tmp_path, "--from", "1990")).getroot()
    assert len(axes(older)) == 2 and years_on(older, *axes(older)[1]) == list(range(first, last + 1))


# ------------------------------------------------------------------ the labels
@pytest.mark.parametrize("lang", LANGS)
def test_every_label_is_whole_apart_and_inside_a_slide(cli, tmp_path: Path, lang: str) -> None:
    root = ET.parse(draw(cli, tmp_path, "--lang", lang)).getroot()
    width, height = float(root.attrib["width"]), float(root.attrib["height"])
    assert root.attrib["viewBox"] == f"0 0 {root.attrib['width']} {root.attrib['height']}"
    # Slide-like: no wider than a full-HD slide, and landscape, so a 16:9 slide holds it at
    # more than half its size (the 40 events of the project's years: 1920 x 887).
    assert width <= MAX_WIDTH and height <= width
    found = boxes(root)
    assert not any("…" in b.text for b in found)
    for b in found:
        assert b.left >= 0 and b.right <= width and b.top >= 0 and b.bottom <= height, b
    clashes = [(a.text, b.text) for n, a in enumerate(found) for b in found[n + 1 :] if a.overlaps(b)]
    assert clashes == []


@pytest.mark.parametrize("lang", LANGS)
def test_each_title_is_there_in_full_in_its_language(cli, tmp_path: Path, lang: str) -> None:
    root = ET.parse(draw(cli, tmp_path, "--all", "--lang", lang)).getroot()
    labels = [el for el in root.iter(f"{SVG}text") if el.find(f"{SVG}tspan") is not None]
    events = load_archive(DATA, cache=False).events
    assert len(labels) == len(events)

    def squeeze(text: str) -> str:  # a wrapped line loses the space it broke at
        return re.sub(r"\s+", "", text)

    for el, e in zip(labels, events, strict=True):
        text = squeeze("".join(el.itertext()))
        ja = title_ja_as_read(e)
        titles = {"en": [e.title.en], "ja": [ja], "both": [e.title.en, ja]}[lang]
        for title in [t for t in titles if t] or [e.title.en or e.title.ja]:
            assert squeeze(title) in text, (e.id, text)
        if e.onward:  # a date something began on, as the table says it
            assert re.match(r"(FY\d{4}|\d{4}年度)(onward|以降)", text), (e.id, text)
        disputed = any(d.field == "date" for d in e.disagreements)
        marks = ("?" if disputed else "") + ("*" if e.tentative else "")  # the tables' order
        assert text.endswith(marks) and (marks or text[-1] not in "*?"), (e.id, text)
    # Both languages on a line are too long for some: they wrap, and are not cut.
    assert lang != "both" or any(len(el.findall(f"{SVG}tspan")) > 1 for el in labels)


def test_japanese_picture_speaks_japanese(cli, tmp_path: Path) -> None:
    root = ET.parse(draw(cli, tmp_path, "--lang", "ja")).getroot()
    texts = ["".join(el.itertext()) for el in root.iter(f"{SVG}text")]
    assert texts[0] == "「戦略的パートナーシップ」ネットワーク：年表"
    assert {"会議", "シンポジウム", "出来事"} <= set(texts)
    assert "2022年2月10日  第03回連携大学会議 ?" in texts  # the date the texts disagree on, in the Japanese style
    assert not any("Meeting" in t for t in texts)
    english = ET.parse(draw(cli, tmp_path, "--lang", "en")).getroot()
    assert "2022-02-10  3rd Meeting ?" in ["".join(el.itertext()) for el in english.iter(f"{SVG}text")]


def test_a_title_with_markup_stays_text(cli, data_copy: Path, tmp_path: Path) -> None:
    path = data_copy / "project.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    title = 'A <b>bold</b> & "quoted" <!-- x --> ]]> title'
    meeting = next(e for e in doc["events"] if e["kind"] == "meeting")
    meeting["title_en"] = title
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    svg = tmp_path / "t.svg"
    assert cli("--data", str(data_copy), "timeline", "--lang", "en", "--svg", str(svg)).exit_code == 0
    root = ET.parse(svg).getroot()  # valid XML
    texts = ["".join(el.itertext()) for el in root.iter(f"{SVG}text")]
    assert sum(f"  {title}" in t for t in texts) == 1
    assert not any(el.tag == f"{SVG}b" for el in root.iter())


def test_a_title_of_any_length_wraps_inside_the_picture(cli, data_copy: Path, tmp_path: Path) -> None:
    """Titles far longer than a line, in wide capitals, in Japanese without a space, and one
    unbroken word: each is whole, on lines that stay inside a slide's width, apart from the rest."""
    path = data_copy / "project.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    titles = ["WM" * 150, "戦略的パートナーシップの意義への理解" * 12, "Word " * 120, "x" * 400]
    meetings = [e for e in doc["events"] if e["kind"] == "meeting"][: len(titles)]
    for meeting, title in zip(meetings, titles, strict=True):
        meeting["title_en"] = meeting["title_ja"] = title
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    for lang in LANGS:
        svg = tmp_path / f"{lang}.svg"
        assert cli("--data", str(data_copy), "timeline", "--lang", lang, "--svg", str(svg)).exit_code == 0
        root = ET.parse(svg).getroot()
        width, height = float(root.attrib["width"]), float(root.attrib["height"])
        assert width <= MAX_WIDTH
        found = boxes(root)
        assert all(b.left >= 0 and b.right <= width and b.top >= 0 and b.bottom <= height for b in found)
        assert not [(a.text, b.text) for n, a in enumerate(found) for b in found[n + 1 :] if a.overlaps(b)]
        joined = [re.sub(r"\s+", "", b.text) for b in found]
        for title in titles:
            assert any(re.sub(r"\s+", "", title) in text for text in joined), (lang, title[:20])


# ------------------------------------------------------------------ rendered
def _render(svg: Path) -> bytes:
    assert RSVG is not None
    done = subprocess.run([RSVG, str(svg)], capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@needs_rsvg
@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_rendered_labels_stay_inside_their_boxes(cli, tmp_path: Path, lang: str) -> None:
    """rsvg-convert draws the picture at the size it declares, and in the label column
    (where nothing but labels is drawn) each label's ink ends within the width the layout
    estimated for it: the estimate holds for the fonts this machine has."""
    svg = draw(cli, tmp_path, "--lang", lang)
    root = ET.parse(svg).getroot()
    picture = png.read(_render(svg))
    assert (picture.width, picture.height) == (int(root.attrib["width"]), int(root.attrib["height"]))
    labels = [
        b for b, el in zip(boxes(root), root.iter(f"{SVG}text"), strict=True) if el.find(f"{SVG}tspan") is not None
    ]
    column = int(min(b.left for b in labels))
    assert column > max(b for _, b in axes(root)) + 8  # the arrow of a bar that runs on ends before it
    inked_rows = 0
    for b in labels:
        rows = range(int(b.top) + 2, min(int(b.bottom), picture.height))
        ink = [x for y in rows for x in range(column, picture.width) if picture.inked(x, y)]
        assert ink, b.text  # the label is drawn
        assert max(ink) <= b.right + 1, (b.text, max(ink), b.right)
        inked_rows += 1
    assert inked_rows == len(labels)


@needs_rsvg
def test_the_committed_pictures_are_the_current_ones(cli, tmp_path: Path) -> None:
    """docs/timeline.png is the default picture (`spnet timeline --svg`) at its natural size."""
    for name, args in (("timeline.png", ()), ("timeline-ja.png", ("--lang", "ja"))):
        root = ET.parse(draw(cli, tmp_path, *args)).getroot()
        committed = (REPO / "docs" / name).read_bytes()
        assert png.size(committed) == (int(root.attrib["width"]), int(root.attrib["height"])), name
