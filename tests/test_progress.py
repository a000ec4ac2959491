"""A long first reading of a large archive: a progress bar on a terminal, silence when
piped, and Ctrl-C that stops at once and leaves no part of an index."""

from __future__ import annotations

import json
import os
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
    """The archive 100 times over: its first reading takes a few seconds."""
    dest = tmp_path_factory.mktemp("large") / "data"
    subprocess.run([sys.executable, str(REPO / "bench" / "make_archive.py"), "100", str(dest)], check=True)
    return dest


QUERY = ["partners", "-u", "kyoto", "--format", "json"]  # a small answer: the pipe never fills


def test_a_long_reading_shows_progress_on_a_terminal(large: Path, tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "spnet", "--data", str(large), *QUERY]
    shown, out, code = run_on_pty(argv, spnet_env(SPNET_CACHE_DIR=str(tmp_path)), stream="stderr")
    assert code == 0
    assert "reading the archive" in shown or "writing the index" in shown
    assert out.startswith("[")  # stdout, piped, has the JSON and nothing else


def test_piped_there_is_no_progress(large: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(large), *QUERY],
        capture_output=True,
        text=True,
        env={**os.environ, "SPNET_CACHE_DIR": str(tmp_path)},
    )
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
