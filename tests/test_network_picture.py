"""The network as Graphviz draws it: each country once, labels on their edges, text that
fits, a picture the size of a slide (or of a poster when asked). Graphviz's own layout
(`dot -Tjson`) and the PNG it writes are read back; where dot is absent these skip."""

from __future__ import annotations

import atexit
import functools
import itertools
import json
import math
import shutil
import struct
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomli_w

from spnet.archive import load_archive
from spnet.archive.schema import PARTNER_KINDS
from spnet.dot import EDGE_STYLE
from spnet.render import visible
from tests.conftest import DATA

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed (apt-get install graphviz)"
)

PAD = 4  # points Graphviz leaves round a drawing (its default pad)
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in points, y upwards (Graphviz's)


@functools.cache
def _cache_dir() -> str:
    """One index for this file's runs, outside the checkout, removed at exit."""
    path = tempfile.mkdtemp(prefix="spnet-graph-cache-")
    atexit.register(shutil.rmtree, path, True)
    return path


def spnet(*args: str, data: Path = DATA, lang: str = "C.UTF-8") -> subprocess.CompletedProcess[bytes]:
    """The installed command as a user runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(data), "graph", *args],
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "LANG": lang, "SPNET_CACHE_DIR": _cache_dir()},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done


def layout(*args: str, data: Path = DATA, lang: str = "C.UTF-8") -> dict:
    """Graphviz's layout of `spnet graph ARGS`: every node, box and edge with its position."""
    dot = spnet(*args, data=data, lang=lang).stdout
    drawn = subprocess.run(["dot", "-Tjson"], input=dot, capture_output=True, timeout=120, check=True)
    return json.loads(drawn.stdout)


def png_size(raw: bytes) -> tuple[int, int]:
    assert raw.startswith(b"\x89PNG\r\n\x1a\n") and raw[12:16] == b"IHDR"
    width, height = struct.unpack(">II", raw[16:24])
    return width, height


def texts(item: dict) -> Iterator[tuple[str, float, Box]]:
    """Each line of text Graphviz draws for a node, box or edge: its words, its size in
    points, and the box it takes (the width Graphviz measured in the font it uses)."""
    size = 14.0
    for op in item.get("_ldraw_", []):
        if op["op"] == "F":
            size = op["size"]
        elif op["op"] == "T":
            x, y = op["pt"]
            left = {"l": x, "c": x - op["width"] / 2, "r": x - op["width"]}[op["align"]]
            yield op["text"], size, (left, y - 0.2 * size, left + op["width"], y + 0.8 * size)


def spline(item: dict) -> list[tuple[float, float]]:
    """Points along an edge's drawn curve (its cubic Béziers, 100 steps each: a point or two apart)."""
    points = [tuple(map(float, p.split(","))) for p in item["pos"].split() if not p.startswith(("e,", "s,"))]
    out = []
    for i in range(0, len(points) - 3, 3):
        p0, p1, p2, p3 = points[i : i + 4]
        for step in range(101):
            t = step / 100
            out.append(
                tuple(
                    (1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t**2 * c + t**3 * d
                    for a, b, c, d in zip(p0, p1, p2, p3, strict=True)
                )
            )
    return out  # type: ignore[return-value]


def distance(box: Box, point: tuple[float, float]) -> float:
    x0, y0, x1, y1 = box
    return math.hypot(max(x0 - point[0], 0, point[0] - x1), max(y0 - point[1], 0, point[1] - y1))


def overlap(a: Box, b: Box, slack: float = 0.5) -> bool:
    return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack


def node_box(node: dict) -> Box:
    x, y = map(float, node["pos"].split(","))
    half_w, half_h = float(node["width"]) * 36, float(node["height"]) * 36
    return x - half_w, y - half_h, x + half_w, y + half_h


def clusters(graph: dict) -> list[dict]:
    return [o for o in graph["objects"] if o["name"].startswith("cluster_")]


def nodes(graph: dict) -> list[dict]:
    return [o for o in graph["objects"] if "pos" in o]


# ------------------------------------------------------------------ without Graphviz
def test_every_kind_of_relation_has_a_line_of_its_own() -> None:
    assert set(EDGE_STYLE) == set(PARTNER_KINDS)
    looks = [(colour, style) for colour, style, _width in EDGE_STYLE.values()]
    assert len(set(looks)) == len(looks)


def test_size_takes_pixels_and_refuses_the_rest(tmp_path: Path) -> None:
    dot = spnet("--size", "3840x2160").stdout.decode()
    assert 'size="40,22.5!"' in dot  # inches at 96 pixels an inch; ! scales up as well as down
    assert 'size="20,11.25"' in spnet().stdout.decode()  # a slide, shrunk to only
    for bad in ("3840", "0x100", "99999x100", "wide", "1920x1080x2"):
        done = subprocess.run(
            [sys.executable, "-m", "spnet", "--data", str(DATA), "graph", "--size", bad],
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "SPNET_CACHE_DIR": str(tmp_path)},
        )
        assert done.returncode == 2 and done.stdout == "", bad
        assert (
            done.stderr.startswith("spnet: error: --size takes WIDTHxHEIGHT in pixels") and done.stderr.count("\n") == 1
        )


# ------------------------------------------------------------------ Graphviz's layout
@needs_dot
def test_each_country_is_one_box_holding_all_its_partners_the_curators_marked() -> None:
    graph = layout("--lang", "en")
    archive = load_archive(DATA, cache=False)
    names = {c.id: c.name.en for c in archive.countries}
    boxes = {c["label"]: c for c in clusters(graph)}
    assert len(boxes) == len(clusters(graph))  # no country twice
    assert set(boxes) == {names[p.country] for p in archive.partners if p.country}
    by_gvid = {o["_gvid"]: o for o in graph["objects"] if "_gvid" in o and "pos" in o}
    for p in archive.partners:
        node = next(o for o in by_gvid.values() if o["name"] == p.institution)
        if p.country:
            assert node["_gvid"] in boxes[names[p.country]]["nodes"], p.id
        curators = any(q.institution == p.institution and q.country_basis == "curator" for q in archive.partners)
        assert node["label"].endswith(" +") == curators, p.id
    legend = next(o for o in graph["objects"] if o["name"] == "legend")
    words = [t for t, _size, _box in texts(legend)]
    assert "country added by the archive's curators" in words
    assert {p.kind for p in archive.partners if not p.consortium} <= set(words)


@needs_dot
@pytest.mark.parametrize(
    "args",
    [(), ("--lang", "ja"), ("-u", "kyoto", "-u", "kyushu")],
    ids=["everything", "in Japanese", "Kyoto and Kyushu"],
)
def test_each_label_is_on_its_edge_and_no_text_overlaps_another(args: tuple[str, ...]) -> None:
    graph = layout(*args, lang="ja_JP.UTF-8" if "ja" in args else "C.UTF-8")
    lines: list[tuple[str, Box]] = []
    labelled = 0
    for edge in graph["edges"]:
        curve = spline(edge)
        for text, _size, box in texts(edge):
            labelled += 1
            lines.append((text, box))
            assert min(distance(box, p) for p in curve) <= 8, f"{text!r} is off its edge"
        # The line tying the label to its edge ends on that edge.
        ties = [op["points"] for op in edge.get("_ldraw_", []) if op["op"] == "L"]
        for points in ties:
            end = points[-1]
            assert min(math.dist(end, p) for p in curve) <= 3, f"{edge.get('label')!r} is tied elsewhere"
        assert len(ties) == bool(edge.get("label"))
    assert labelled == sum(bool(e.get("label")) for e in graph["edges"]) > 0
    for node in nodes(graph):
        for text, _size, box in texts(node):
            lines.append((text, box))
            if node["name"] != "legend":  # a table, drawn without a box of its own
                x0, y0, x1, y1 = node_box(node)
                assert x0 <= box[0] and box[2] <= x1, f"{text!r} is wider than its node"
    for cluster in clusters(graph):
        ((text, _size, box),) = texts(cluster)
        lines.append((text, box))
        x0, y0, x1, y1 = map(float, cluster["bb"].split(","))
        assert x0 <= box[0] and box[2] <= x1 and box[3] <= y1 + 1, f"{text!r} outside its box"
    clashes = [(a[0], b[0]) for a, b in itertools.combinations(lines, 2) if overlap(a[1], b[1])]
    assert clashes == []
    # Nor does a label lie on a node.
    edge_labels = [box for e in graph["edges"] for _t, _s, box in texts(e)]
    assert not [n["name"] for n in nodes(graph) for box in edge_labels if overlap(box, node_box(n))]


# ------------------------------------------------------------------ the pictures
@needs_dot
def test_the_whole_network_fits_a_slide_with_text_that_can_be_read(tmp_path: Path) -> None:
    out = tmp_path / "network.png"
    spnet("--format", "png", "--out", str(out))
    width, height = png_size(out.read_bytes())
    assert width <= 1920 and height <= 1080
    graph = layout()
    x0, y0, x1, y1 = map(float, graph["bb"].split(","))
    scale = width / ((x1 - x0 + 2 * PAD) * 96 / 72)  # Graphviz's points to the PNG's pixels
    assert abs(height - (y1 - y0 + 2 * PAD) * 96 / 72 * scale) <= 2  # the shape kept
    sizes = {size for item in graph["objects"] + graph["edges"] for _t, size, _box in texts(item)}
    pixels = min(sizes) * 96 / 72 * scale
    assert pixels >= 12, f"the smallest text is {pixels:.1f} pixels high on the slide"
    names = min(size for n in nodes(graph) for _t, size, _box in texts(n)) * 96 / 72 * scale
    assert names >= 13, f"names are {names:.1f} pixels high on the slide"


@needs_dot
def test_a_poster_is_the_size_asked_for_and_a_small_network_is_not_blown_up(tmp_path: Path) -> None:
    poster, svg = tmp_path / "poster.png", tmp_path / "poster.svg"
    spnet("--format", "png", "--out", str(poster), "--size", "4000x3000")
    width, height = png_size(poster.read_bytes())
    assert (width == 4000 and height <= 3000) or (height == 3000 and width <= 4000), (width, height)
    spnet("--format", "svg", "--out", str(svg), "--size", "4000x3000")
    head = svg.read_text(encoding="utf-8")
    assert f'<svg width="{width * 0.75:g}pt"' in head  # the same size in SVG's points (3/4 of a pixel)
    two = tmp_path / "two.png"
    spnet("-u", "kyoto", "-u", "kyushu", "--format", "png", "--out", str(two))
    x0, y0, x1, y1 = map(float, layout("-u", "kyoto", "-u", "kyushu")["bb"].split(","))
    assert abs(png_size(two.read_bytes())[0] - (x1 - x0 + 2 * PAD) * 96 / 72) <= 2  # as drawn: it fits already


# ------------------------------------------------------------------ archive text is data
@needs_dot
def test_names_with_quotes_backslashes_and_markup_are_drawn_as_written(data_copy: Path) -> None:
    hostile = 'Evil "quoted" \\ back\\slash <b>bold</b> &amp; \\N end\\'
    path = data_copy / "universities" / "kyoto.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    for partner in doc["partners"]:
        if partner["id"] in ("kyoto-vienna", "kyoto-ntu"):
            partner["name_en"] = hostile
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    countries = data_copy / "countries.toml"
    doc = tomllib.loads(countries.read_text(encoding="utf-8"))
    next(c for c in doc["countries"] if c["id"] == "at")["name_en"] = 'Aus"tria\\ <i>'
    countries.write_text(tomli_w.dumps(doc), encoding="utf-8")
    graph = layout("-u", "kyoto", "--lang", "en", data=data_copy)
    drawn = {o["name"]: [t for t, _s, _b in texts(o)] for o in graph["objects"] if "pos" in o}
    assert drawn["kyoto-vienna"] == [visible(hostile) + " +"]  # the curators' country: marked
    assert drawn["national-taiwan-university"] == [visible(hostile)]
    assert [t for c in clusters(graph) for t, _s, _b in texts(c)].count('Aus"tria\\ <i>') == 1
    assert len(nodes(graph)) == len(nodes(layout("-u", "kyoto", "--lang", "en")))  # nothing added
