"""What makes the index and the search index stale: every file they are built from
(index.BUILT_FROM) and their format versions. The imports of archive/ are traced here, in
the source, so that a module it comes to import cannot be left out of the key; and an
upgrade of spnet is played with a copy of the installed package beside it."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import spnet
from spnet.archive.index import BUILT_FROM
from tests.conftest import DATA

PACKAGE = Path(spnet.__file__).parent


def _module_file(name: str) -> Path | None:
    """The source file of a module of spnet (spnet.archive.load -> archive/load.py), or None
    when `name` is not one (a name imported from a module)."""
    parts = name.split(".")[1:]
    if not parts:
        return PACKAGE / "__init__.py"
    for candidate in (PACKAGE.joinpath(*parts).with_suffix(".py"), PACKAGE.joinpath(*parts, "__init__.py")):
        if candidate.is_file():
            return candidate
    return None


def _imports(path: Path) -> set[str]:
    """The modules of spnet a file imports, anywhere in it: at the top, inside a function,
    under TYPE_CHECKING."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "spnet"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "spnet":
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names if _module_file(f"{node.module}.{a.name}")}
    return found


def _archive_closure() -> set[Path]:
    """Every source file of spnet that archive/ imports, through any number of modules."""
    todo = [
        f"spnet.archive.{p.stem}" if p.stem != "__init__" else "spnet.archive" for p in PACKAGE.glob("archive/*.py")
    ]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = _module_file(name)
        assert path is not None, name
        todo += [m for m in _imports(path) if _module_file(m) is not None]
        # importing spnet.a.b runs spnet/__init__.py and spnet/a/__init__.py first
        todo += [".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)]
    return {f for name in seen if (f := _module_file(name)) is not None}


def _has_code(path: Path) -> bool:
    """More than a docstring (spnet/__init__.py is only one)."""
    body = ast.parse(path.read_text(encoding="utf-8")).body
    return not all(isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant) for n in body)


def _stamped() -> set[Path]:
    return {f for pattern in BUILT_FROM for f in PACKAGE.glob(pattern)}


def test_the_key_covers_every_module_the_archive_imports() -> None:
    closure = _archive_closure()
    assert PACKAGE / "names.py" in closure and PACKAGE / "archive/fields.py" in closure  # the tracing works
    missing = sorted(str(f.relative_to(PACKAGE)) for f in closure - _stamped() if _has_code(f))
    assert missing == [], f"add them to index.BUILT_FROM: the databases are built from them: {missing}"


def _shipped(name: str) -> bool:
    """A file of that name is part of spnet's code (not of the archive a wheel carries in data/)."""
    return any(p.relative_to(PACKAGE).parts[0] != "data" for p in PACKAGE.rglob(name))


def test_the_key_covers_the_files_those_modules_read() -> None:
    """A data file a module of the closure names (variants.txt, the report) is in the key."""
    named = set()
    for path in _archive_closure():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            text = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""
            if re.fullmatch(r"[\w-]+\.(txt|toml|json|csv)", text) and _shipped(text):
                named.add(text)
    assert {"variants.txt", "report.txt"} <= named
    stamped = {f.name for f in _stamped()}
    assert named <= stamped, f"add them to index.BUILT_FROM: {sorted(named - stamped)}"


def test_every_entry_of_the_key_names_files() -> None:
    """A pattern that matches nothing would leave its files out of the key unseen."""
    assert [p for p in BUILT_FROM if not list(PACKAGE.glob(p))] == []


# ------------------------------------------------------------------ an upgrade, played
def _copy_of_spnet(dest: Path) -> Path:
    """A copy of the installed package, each file with its times as they are (a package
    whose files all carry the same dates as before): importable from `dest`."""
    shutil.copytree(PACKAGE, dest / "spnet", ignore=shutil.ignore_patterns("__pycache__"))
    return dest / "spnet"


def _changed(path: Path, old: str, new: str) -> None:
    """`old` replaced by `new` in a file of the copy, its size and modification time kept
    when `new` is as long: only what the file says is different."""
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def _spnet(cache: Path, *args: str, code: Path | None = None) -> str:
    """spnet's JSON answer, run as a user runs it: the installed package, or the copy at `code`."""
    env = {**os.environ, "SPNET_CACHE_DIR": str(cache)}
    if code is not None:
        env["PYTHONPATH"] = str(code.parent)
    argv = [sys.executable, "-m", "spnet", "--data", str(DATA), *args, "--format", "json"]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _runs_from(code: Path) -> Path:
    env = {**os.environ, "PYTHONPATH": str(code.parent)}
    out = subprocess.run([sys.executable, "-c", "import spnet; print(spnet.__file__)"], env=env, capture_output=True)
    return Path(out.stdout.decode().strip()).parent


def _file(cache: Path, prefix: str) -> Path:
    (found,) = cache.glob(f"{prefix}-*.sqlite")
    return found


@pytest.mark.slow
def test_a_new_search_format_makes_the_search_rows_again(tmp_path: Path) -> None:
    """An upgrade whose only difference is SEARCH_FORMAT (every file the same size and date):
    the first search makes the search rows again, once, and answers are --no-cache's."""
    cache, code = tmp_path / "cache", _copy_of_spnet(tmp_path / "new")
    assert _runs_from(code) == code
    search = code / "archive" / "search_rows.py"
    number = int(re.search(r"^SEARCH_FORMAT = (\d+)$", search.read_text(encoding="utf-8"), re.M)[1])  # type: ignore[index]
    _changed(search, f"SEARCH_FORMAT = {number}\n", f"SEARCH_FORMAT = {(number + 1) % 10}\n")
    before = _spnet(cache, "search", "京都")
    made = _file(cache, "index").stat().st_ino
    after = _spnet(cache, "search", "京都", code=code)
    assert after == before == _spnet(cache, "--no-cache", "search", "京都", code=code)
    remade = _file(cache, "index").stat().st_ino
    assert remade != made  # the search rows made again, in a copy of the index
    assert _spnet(cache, "search", "京都", code=code) == after
    assert _file(cache, "index").stat().st_ino == remade  # once


@pytest.mark.slow
def test_an_upgrade_that_folds_otherwise_is_answered_as_without_the_cache(tmp_path: Path) -> None:
    """An upgrade that folds the archive's own text otherwise (a variant line making 京 read
    as 亰, which no record holds): search finds what the new folding finds, as --no-cache
    does, not what the search index made by the old code held."""
    cache, code = tmp_path / "cache", _copy_of_spnet(tmp_path / "new")
    assert "亰" not in (code / "variants.txt").read_text(encoding="utf-8")
    assert json.loads(_spnet(cache, "search", "亰都")) == []  # the search index made, by the old code
    text = (code / "variants.txt").read_text(encoding="utf-8")
    (code / "variants.txt").write_text(text + "亰 京\n", encoding="utf-8")
    after = json.loads(_spnet(cache, "search", "亰都", code=code))
    assert after == json.loads(_spnet(cache, "--no-cache", "search", "亰都", code=code))
    assert "kyoto" in {row["id"] for row in after}


@pytest.mark.slow
def test_a_new_index_format_makes_the_index_again(tmp_path: Path) -> None:
    """An upgrade whose only difference is INDEX_FORMAT (every file the same size and date):
    the archive's index is made again, not read, and answers are --no-cache's."""
    cache, code = tmp_path / "cache", _copy_of_spnet(tmp_path / "new")
    index = code / "archive" / "index.py"
    number = int(re.search(r"^INDEX_FORMAT = (\d+)", index.read_text(encoding="utf-8"), re.M)[1])  # type: ignore[index]
    _changed(index, f"INDEX_FORMAT = {number}", f"INDEX_FORMAT = {(number + 1) % 10}")
    query = ("partners", "--university", "kyoto")
    before = _spnet(cache, *query)
    made = _file(cache, "index").stat().st_ino
    assert _spnet(cache, *query, code=code) == before == _spnet(cache, "--no-cache", *query, code=code)
    assert _file(cache, "index").stat().st_ino != made
