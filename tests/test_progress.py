"""Long builds of a large archive (its first reading, its first search, `fmt --check`, the
first SQLite export): a progress bar on a terminal, gone when done, silence when piped,
and Ctrl-C that stops at once and leaves no part of an index."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.test_screens import run_on_pty, spnet_env

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The archive 300 times over: its first reading takes a few seconds on a quiet
    machine (100 times over, toml-rs read it within the bar's first second)."""
    dest = tmp_path_factory.mktemp("large") / "data"
    subprocess.run([sys.executable, str(REPO / "bench" / "make_archive.py"), "300", str(dest)], check=True)
    return dest


QUERY = ["partners", "-u", "kyoto", "--format", "json"]  # a small answer: the pipe never fills
SEARCH = ["search", "Qwxyzzy", "--format", "json"]  # found nowhere: the pipe never fills either
TERMINAL = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])|\r|\n|[^\x1b\r\n]+")


def left_on_screen(raw: str) -> list[str]:
    """The lines a terminal still shows once `raw` is written to it, blank ones left out:
    as much of a terminal as a progress bar uses (carriage return, newline, cursor up,
    erase line; colours and the cursor's visibility change nothing on the screen)."""
    lines, row, col = [""], 0, 0
    for m in TERMINAL.finditer(raw):
        token, arg, code = m.group(0), m.group(1), m.group(2)
        if token == "\r":
            col = 0
        elif token == "\n":
            row += 1
            lines += [""] * (row + 1 - len(lines))
        elif code == "A":
            row = max(0, row - int(arg or 1))
        elif code == "K":
            lines[row] = "" if arg == "2" else lines[row][:col]
        elif code is None:
            lines[row] = lines[row][:col].ljust(col) + token + lines[row][col + len(token) :]
            col += len(token)
    return [line for line in lines if line.strip()]


def test_the_screen_model_keeps_text_and_forgets_what_is_erased() -> None:
    assert left_on_screen("bar 1/2\rbar 2/2\r\n\x1b[1A\x1b[2K") == []
    assert left_on_screen("\x1b[32mbar\x1b[0m 1/2\r\nnext") == ["bar 1/2", "next"]
    assert left_on_screen("abcdef\rXY\x1b[K") == ["XY"]


def on_pty(data: Path, cache: Path, args: list[str], **env: str) -> tuple[str, str, int]:
    """`spnet --data DATA ARGS` with stderr on a terminal (stdout piped): what the terminal
    received, what stdout had, the exit code."""
    argv = [sys.executable, "-m", "spnet", "--data", str(data), *args]
    return run_on_pty(argv, spnet_env(SPNET_CACHE_DIR=str(cache), **env), stream="stderr")


def piped(data: Path, cache: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(data), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "SPNET_CACHE_DIR": str(cache)},
    )


def test_a_long_reading_shows_progress_on_a_terminal(large: Path, tmp_path: Path) -> None:
    shown, out, code = on_pty(large, tmp_path, QUERY)
    assert code == 0
    assert "reading the archive" in shown or "writing the index" in shown
    assert left_on_screen(shown) == []  # the bar is gone when the answer comes
    assert out.startswith("[")  # stdout, piped, has the JSON and nothing else


def test_the_first_search_shows_its_own_progress_and_leaves_none(large: Path, tmp_path: Path) -> None:
    """The search index is built on the first search, after the archive's index: that
    build has its own bar, in the reader's language, even when the archive is read from
    its index at once."""
    assert piped(large, tmp_path, QUERY).returncode == 0  # the archive's index, made quietly
    shown, out, code = on_pty(large, tmp_path, SEARCH, SPNET_LANG="ja")
    assert (code, out) == (0, "[]\n")
    assert "検索用索引を作成中" in shown and "全文検索索引を作成中" in shown
    assert "アーカイブを読み込み中" not in shown  # the archive itself came from its index
    assert left_on_screen(shown) == []
    again, _out, _code = on_pty(large, tmp_path, SEARCH)
    assert again == ""  # made once: a second search has nothing to build


def test_the_first_search_piped_says_nothing(large: Path, tmp_path: Path) -> None:
    assert piped(large, tmp_path, QUERY).returncode == 0
    (index,) = tmp_path.glob("index-*.sqlite")
    before = index.stat().st_ino
    done = piped(large, tmp_path, SEARCH)
    assert (done.returncode, done.stdout, done.stderr) == (0, "[]\n", "")
    assert index.stat().st_ino != before  # the search rows were made, in silence


def test_fmt_check_and_the_first_sqlite_export_show_progress(large: Path, tmp_path: Path) -> None:
    """The other builds a user waits on: fmt reads every file; the first SQLite export of
    an archive fills the export's tables."""
    shown, out, code = on_pty(large, tmp_path, ["fmt", "--check"])
    assert (code, out) == (0, "")
    assert "reading the archive" in shown and left_on_screen(shown) == []
    shown, out, code = on_pty(large, tmp_path, ["export", "sqlite", "--out", str(tmp_path / "spnet.db")])
    assert (code, out) == (0, "")
    assert "filling the export's tables" in shown and left_on_screen(shown) == []
    done = piped(large, tmp_path / "quiet", ["export", "sqlite", "--out", str(tmp_path / "piped.db")])
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")  # read and filled in silence
    assert (tmp_path / "piped.db").stat().st_size > 0


def test_piped_there_is_no_progress(large: Path, tmp_path: Path) -> None:
    done = piped(large, tmp_path, QUERY)
    assert done.returncode == 0 and done.stderr == ""


def test_ctrl_c_stops_at_once_and_leaves_no_index(large: Path, tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "spnet", "--data", str(large), *QUERY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SPNET_CACHE_DIR": str(tmp_path)},
    )
    deadline = time.monotonic() + 20
    while not any(tmp_path.iterdir()) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)  # until the index is being written: the first reading has begun
    proc.send_signal(signal.SIGINT)
    start = time.monotonic()
    out, err = proc.communicate(timeout=30)
    assert time.monotonic() - start < 3
    assert proc.returncode == 130, err
    assert out == "" and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # neither an index nor a part of one


def test_files_read_on_several_cores_make_the_same_archive(large: Path) -> None:
    """900 files are read on every core present: each university's partners are still
    its own, as in the files."""

    def partners(data: Path, university: str) -> list[str]:
        argv = [sys.executable, "-m", "spnet", "--data", str(data), "--no-cache", "partners", "-u", university]
        done = subprocess.run([*argv, "--format", "json"], capture_output=True, text=True, check=True)
        return [p["id"] for p in json.loads(done.stdout)]

    real = partners(REPO / "data", "kyoto")
    assert real and partners(large, "kyoto-x99") == [f"{pid}-x99" for pid in real]
