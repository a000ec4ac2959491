"""The search rows keep every text field as it was folded and analysed when they were made:
when folding (names.fold, variants.txt) or the fields search picks (fields.text_fields,
compared_forms) change, SEARCH_FORMAT must change too, or search rows made before answer
otherwise than spnet without them. Digests of both, over a fixed sample (tests/search_sample.json: some of
the archive's records and names, as they were when it was made), are recorded here with
the format they hold for.

After a deliberate change: bump SEARCH_FORMAT in src/spnet/archive/search_rows.py, then
`python -m tests.test_search_format` prints the lines to record below.
(`python -m tests.test_search_format --sample` makes the sample again from the archive,
which only a change of the records' fields needs.)"""

from __future__ import annotations

import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

import spnet
from spnet.archive.fields import compared_forms, searchable_fields, text_fields
from spnet.archive.packed import decode, to_json
from spnet.archive.search_rows import SEARCH_FORMAT
from spnet.models import RECORD_TYPES
from spnet.names import fold

SAMPLE = Path(__file__).with_name("search_sample.json")

# ---- recorded (python -m tests.test_search_format)
RECORDED_FORMAT = 8
FOLDING = "bdc5696c07f14c79"
FIELDS = "0907099441ea4c4d"
ANALYSER = "sudachipy 0.7.0, sudachidict-small 20261015"
WORDS = "5d275e4ef9db22e2"
# ----

BUMP = "bump SEARCH_FORMAT (src/spnet/archive/search_rows.py) and re-record: python -m tests.test_search_format"


def _sample() -> dict[str, Any]:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _records() -> list[Any]:
    """The sample's records, rebuilt as the index rebuilds them (by the types of models)."""
    out = []
    for kind, rows in _sample()["records"].items():
        try:
            out += decode(rows, tuple[RECORD_TYPES[kind], ...])  # type: ignore[misc]
        except (ValueError, TypeError, KeyError) as exc:
            pytest.fail(f"the sample's {kind} records no longer read ({exc}): the records' fields changed; {BUMP}")
    return out


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


def folding_digest() -> str:
    """fold() over the sample's names, every variant of variants.txt and a few forms fold
    makes one (full width, katakana, numbers, spaces inside Japanese)."""
    variants = (Path(spnet.__file__).parent / "variants.txt").read_text(encoding="utf-8")
    chars = sorted({ch for line in variants.splitlines() if not line.startswith("#") for ch in line.split()})
    extra = ["ＫＹＯＴＯ Univ.", "キョウト", "第01回", "林 香里", "  two   spaces ", "Ⅻ", "①", "ｶﾀｶﾅ"]
    texts = [*_sample()["names"], *chars, *extra]
    return _digest([[t, fold(t), fold(t, numbers=False)] for t in texts])


def fields_digest() -> str:
    """Each searchable field of the sample's records as the search rows keep it: its
    record, its place among the record's fields (the stored forms are matched to the
    fields by it), and folded text. What search shows of a field is not stored."""
    return _digest(
        [
            [r.id, path, c.folded]
            for r in _records()
            for (path, _), c in zip(text_fields(r), compared_forms(r), strict=True)
        ]
    )


def words_digest() -> str:
    """The analyser's words and readings of the same fields (they depend on its dictionary too)."""
    return _digest([[f.id, f.words, f.readings] for r in _records() for f in searchable_fields(r)])


def analyser() -> str:
    return ", ".join(f"{name} {metadata.version(name)}" for name in ("sudachipy", "sudachidict-small"))


def test_the_digests_were_recorded_for_this_search_format() -> None:
    assert SEARCH_FORMAT == RECORDED_FORMAT, (
        f"SEARCH_FORMAT is {SEARCH_FORMAT}; the digests below were recorded for {RECORDED_FORMAT}: "
        "re-record them: python -m tests.test_search_format"
    )


def test_folding_is_as_recorded() -> None:
    assert folding_digest() == FOLDING, f"names.fold folds the sample otherwise: {BUMP}"


def test_the_searchable_fields_are_as_recorded() -> None:
    assert fields_digest() == FIELDS, f"text_fields picks or compared_forms folds the sample's fields otherwise: {BUMP}"


def test_the_analysers_words_are_as_recorded() -> None:
    if analyser() != ANALYSER:  # a new dictionary makes the search index again by itself (folding_stamp)
        pytest.skip(f"recorded with {ANALYSER}; installed: {analyser()}")
    assert words_digest() == WORDS, f"analysis.py splits or reads the sample's fields otherwise: {BUMP}"


def test_the_sample_holds_every_kind_of_record_and_japanese() -> None:
    """A sample that lost a kind, or its Japanese, would let a change to it pass unseen."""
    kinds = {type(r).__name__ for r in _records()}
    assert kinds >= {"Project", "University", "Partner", "Event", "Person", "Contact", "Link", "Country"}
    fields = [f for r in _records() for f in searchable_fields(r)]
    assert sum(bool(f.words) for f in fields) > 50 and sum(bool(f.readings) for f in fields) > 50


def make_sample() -> dict[str, Any]:
    """Some of the real archive's records of every kind (the first few of each, and the
    events with participants and numbers), and every name the archive gives."""
    from spnet.archive import load_archive
    from tests.conftest import DATA

    archive = load_archive(DATA, cache=False)
    events = [e for e in archive.events if e.participants or e.number is not None][:6]
    records = {
        "Project": [archive.project],
        "University": list(archive.universities[:3]),
        "Partner": [p for p in archive.partners if p.disagreements][:3] + list(archive.partners[:5]),
        "Event": events + [e for e in archive.events if e not in events][:4],
        "Person": list(archive.people[:6]),
        "Contact": list(archive.contacts[:2]),
        "Link": list(archive.links[:2]),
        "Country": list(archive.countries[:4]),
    }
    names = []
    for rows in records.values():
        for r in rows:
            name = getattr(r, "name", None) or getattr(r, "title", None)
            names += [n for n in (name.en, name.ja) if n] if name else []
            names += [*getattr(r, "aliases", ()), *getattr(r, "short_names", ())]
    return {"records": {kind: json.loads(to_json(rows)) for kind, rows in records.items()}, "names": names}


if __name__ == "__main__":
    if "--sample" in sys.argv:
        SAMPLE.write_text(json.dumps(make_sample(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"RECORDED_FORMAT = {SEARCH_FORMAT}")
    print(f'FOLDING = "{folding_digest()}"')
    print(f'FIELDS = "{fields_digest()}"')
    print(f'ANALYSER = "{analyser()}"')
    print(f'WORDS = "{words_digest()}"')
