"""Seeded random testing: random documents and mutations through the loader, random text
through the date parser and the name resolver, random records through every renderer.

Each property runs SPNET_FUZZ_EXAMPLES examples (default 150, bounded for CI); set it
higher for a long run, and SPNET_FUZZ_SEED to replay one. A failure names its seed.
(Issue 6 asks for hypothesis; the project keeps to its five dependencies, so the
generators are written here with `random`.)
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import shutil
import string
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from rich.cells import cell_len

from spnet import query, render
from spnet.dates import parse_span
from spnet.errors import DataError, UsageError
from spnet.store import load_archive
from tests.conftest import DATA

EXAMPLES = int(os.environ.get("SPNET_FUZZ_EXAMPLES", "150"))
SEED = int(os.environ.get("SPNET_FUZZ_SEED", "20211202"))  # the first meeting's date

ALPHABET = (
    string.printable
    + "京都大学東北早稲田慶應義塾創価大阪愛媛九州ＵＣＬ令和平成年月日度（）「」・　"
    + "\x00\x07\x1b\x7f\x9b\u200b\u202e\ufeff\U0001f600é"
)


def rand_text(rng: random.Random, most: int = 30) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, most)))


def rand_value(rng: random.Random, depth: int = 0) -> Any:
    pick = rng.randint(0, 9 if depth < 2 else 5)
    if pick <= 2:
        return rand_text(rng)
    if pick == 3:
        return rng.randint(-(10**6), 10**6)
    if pick == 4:
        return rng.choice([True, False])
    if pick == 5:
        return rng.choice(["2023-03-03", "2024-03", "2019", "199X", "2023-02-30", "2023-13", "", "abc"])
    if pick <= 7:
        return [rand_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rand_key(rng): rand_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def rand_key(rng: random.Random) -> str:
    known = ["id", "name_en", "name_ja", "kind", "date", "since", "source", "lines", "partners", "university"]
    return rng.choice(known) if rng.random() < 0.6 else rand_text(rng, 8) or "k"


def examples(offset: int) -> list[int]:
    return [SEED + offset * 1_000_003 + i for i in range(EXAMPLES)]


def _load_or_error(root: Path) -> None:
    """The property: a model or one clean DataError, nothing else."""
    try:
        load_archive(root, cache=False)
    except DataError as exc:
        assert "\n" not in str(exc) and str(exc)


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _fresh_copy(base: Path) -> Path:
    dest = base / "data"
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(DATA, dest)
    return dest


def test_random_documents_through_the_loader(fuzz_root: Path) -> None:
    data = _fresh_copy(fuzz_root)
    target = data / "universities" / "kyoto.toml"
    real = tomllib.loads(target.read_text(encoding="utf-8"))
    for seed in examples(1):
        rng = random.Random(seed)
        doc = dict(real)
        if rng.random() < 0.5:
            doc = {rand_key(rng): rand_value(rng) for _ in range(rng.randint(0, 5))}
        else:  # a real file with one table's records replaced by random ones
            table = rng.choice(["university", "partners", "events", "counts"])
            doc[table] = [
                {rand_key(rng): rand_value(rng) for _ in range(rng.randint(0, 6))} for _ in range(rng.randint(0, 3))
            ]
        try:
            text = tomli_w.dumps(doc)
        except (TypeError, ValueError):
            continue  # not representable in TOML at all
        target.write_text(text, encoding="utf-8")
        try:
            _load_or_error(data)
        except Exception as exc:  # noqa: BLE001 - the property is "no other exception"
            pytest.fail(f"seed {seed}: {type(exc).__name__}: {exc}")


def test_random_mutations_of_the_real_files(fuzz_root: Path) -> None:
    data = _fresh_copy(fuzz_root)
    files = sorted(DATA.rglob("*.toml"))
    for seed in examples(2):
        rng = random.Random(seed)
        source = rng.choice(files)
        target = data / source.relative_to(DATA)
        raw = bytearray(source.read_bytes())
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(raw))
            action = rng.randint(0, 2)
            if action == 0:
                raw[at] = rng.randrange(256)
            elif action == 1:
                raw.insert(at, rng.choice(b'"[]=\n\\#,{}. x\xe4\x00'))
            else:
                del raw[at : at + rng.randint(1, 20)]
        target.write_bytes(bytes(raw))
        try:
            _load_or_error(data)
        except Exception as exc:  # noqa: BLE001
            pytest.fail(f"seed {seed} ({source.name}): {type(exc).__name__}: {exc}")
        target.write_bytes(source.read_bytes())


def test_random_text_through_dates_and_names() -> None:
    archive = load_archive(DATA, cache=False)
    fragments = [
        "2023",
        "-03",
        "-3",
        "年",
        "3月",
        "3日",
        "令和",
        "元",
        "平成",
        "R",
        "H",
        "FY",
        "年度",
        "March",
        " ",
        "1 Apr",
    ]
    for seed in examples(3):
        rng = random.Random(seed)
        text = "".join(rng.choice(fragments) for _ in range(rng.randint(0, 4))) + rand_text(rng, 4)
        try:
            span = parse_span(text)
            assert span.start <= span.end
        except UsageError as exc:
            assert "\n" not in str(exc)
        try:
            uid = query.resolve_university(archive, text)
            assert uid in {u.id for u in archive.universities}
        except UsageError as exc:
            assert "\n" not in str(exc)


def test_random_records_through_every_renderer() -> None:
    columns = render.COLUMNS["partners"]
    for seed in examples(4):
        rng = random.Random(seed)
        rows = [
            {c.key: rng.choice([None, rand_text(rng, 40), rng.randint(0, 99), True]) for c in columns}
            for _ in range(rng.randint(0, 4))
        ]
        for fmt in render.Format:
            out = io.StringIO()
            render.emit(rows, columns, render.Output(format=fmt), stream=out)
            text = out.getvalue()
            if fmt is render.Format.json:
                assert json.loads(text) == rows, seed  # what is written is what is read
            elif fmt in (render.Format.tsv, render.Format.plain):
                lines = text.split("\n")[:-1]
                assert len(lines) == len(rows) + (fmt is render.Format.tsv), seed
                assert all(len(line.split("\t")) == len(columns) for line in lines), seed
            elif fmt is render.Format.csv:
                parsed = list(csv.reader(io.StringIO(text, newline="")))
                assert len(parsed) == len(rows) + 1 and all(len(r) == len(columns) for r in parsed), seed
            if fmt is not render.Format.json:
                assert "\x1b" not in text and "\u202e" not in text, (seed, fmt)
            if fmt is render.Format.table:
                assert len({cell_len(line) for line in text.splitlines()}) <= 1, seed


def test_fuzzing_ran_its_examples() -> None:
    """The generators produce what the properties need: valid and invalid, both."""
    rng = random.Random(SEED)
    produced = [rand_value(rng) for _ in range(200)]
    assert any(isinstance(v, dict) for v in produced) and any(isinstance(v, str) for v in produced)
    assert EXAMPLES >= 1
