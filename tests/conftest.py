"""Shared fixtures: the CLI as a user runs it, the real archive, and a copy to break."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from spnet.cli import app

REPO = Path(__file__).resolve().parents[1]
# Tests read the working tree's archive, not the copy installed with the package.
DATA = REPO / "data"


def events_in_files(root: Path = DATA) -> int:
    """How many [[events]] the data files hold, read with tomllib: what a count of the
    archive's events must come to, whoever adds one."""
    import tomllib

    return sum(len(tomllib.loads(p.read_text(encoding="utf-8")).get("events", [])) for p in root.rglob("*.toml"))


def report_path() -> Path:
    """The report the archive is read from: the copy shipped in the package's source."""
    return REPO / "src" / "spnet" / "source" / "report.txt"


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cache every test of a run shares, as a user's runs of spnet share theirs."""
    return tmp_path_factory.mktemp("shared-cache")


@pytest.fixture(autouse=True)
def cache_of_the_run(shared_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test caches into the run's directory, never the user's. The first to read an
    archive builds its index; the others find it, or find it stale and rebuild it, as spnet
    does on any machine. A test about the cache asks for `private_cache`."""
    monkeypatch.setenv("SPNET_CACHE_DIR", str(shared_cache))


@pytest.fixture
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache directory of the test's own, empty when it begins."""
    path = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("SPNET_CACHE_DIR", str(path))
    return path


@pytest.fixture
def report_text() -> str:
    return report_path().read_text(encoding="utf-8")


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run spnet with arguments; stdout is not a terminal, as in a script."""
    runner = CliRunner()

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(app, list(args), env={"SPNET_DATA": str(DATA), "COLUMNS": "200", **(env or {})})

    return run


def json_rows(cli: Callable[..., Result], *args: str) -> list[dict]:
    """The JSON answer of a command that must succeed, as a list of records."""
    import json

    result = cli(*args, "--format", "json")
    assert result.exception is None
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    return [data] if isinstance(data, dict) else data


def copy_data(dest: Path | str) -> None:
    """The real archive's files copied to dest; not the writers' lock a run of spnet left
    there, which is the checkout's own."""
    shutil.copytree(DATA, dest, ignore=shutil.ignore_patterns(".spnet.lock"))


def replace_text(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replaces `old`, which must be there, in a file of an archive copy."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def set_event_fields(data: Path, event_id: str, **fields: object) -> None:
    """Sets fields of one of the project's events (project.toml) in an archive copy."""
    import tomllib

    import tomli_w

    path = data / "project.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    next(e for e in doc["events"] if e["id"] == event_id).update(fields)
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")


def title_ja_as_read(event: Any) -> str | None:
    """The Japanese title as a calendar or a picture gives it, written out here apart from
    spnet's code: with whom its 本学 or 同協会 means (本学〔早大〕がボンオフィスを設置), and a
    meeting's bare number with the report's word for the meetings (第01回連携大学会議)."""
    title = event.title.ja
    for pair in event.title_ja_referents:
        word, _, who = pair.partition("=")
        title = title.replace(word, f"{word}〔{who}〕", 1)
    if event.kind == "meeting" and title and re.fullmatch(r"第\d+回", title):
        title += "連携大学会議"
    return title


# The listings of records, each a command of its own.
LISTINGS = [["universities"], ["partners"], ["institutions"], ["timeline"], ["meetings"], ["symposia"], ["contacts"]]


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the real archive."""
    dest = tmp_path / "data"
    copy_data(dest)
    return dest


def english_names_made_the_curators(data: Path, ids: Collection[str]) -> None:
    """The English names of the countries `ids` of the archive at `data` made the
    curators' (name_en_basis = "curator", with a reason): a test may then give them any
    name without the report having to print it (docs/curators.md)."""
    import tomllib

    import tomli_w

    path = data / "countries.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    for c in doc["countries"]:
        if c["id"] in ids:
            c.update(name_en_basis="curator", name_en_reason="planted by a test")
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
