"""Ctrl-C at any moment, from spnet's first import to its last write, on the installed
command: exit 130 and one line on stderr, no traceback, no worker process left, no
temporary file left in the cache directory or beside the output, and no output file that
is not whole.

Ctrl-C is sent as a terminal sends it, to the whole process group (the workers that read
a large archive on several cores get it too), at 20 moments spread from just after the
interpreter has started to just after a cold run would have ended: a first reading of an
archive 30 times the real one, its index written to the cache, then the SQLite export.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import DATA

SPNET = Path(sys.executable).with_name("spnet")
MOMENTS = 20


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("large") / "data"
    subprocess.run([sys.executable, str(DATA.parent / "bench" / "make_archive.py"), "30", str(data)], check=True)
    return data


def start(data: Path, work: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A cold run: a new cache directory, a new output directory, a process group of its own."""
    (work / "cache").mkdir(parents=True)
    (work / "out").mkdir()
    return subprocess.Popen(
        [str(SPNET), "--data", str(data), "export", "sqlite", "--out", str(work / "out" / "spnet.db")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "SPNET_CACHE_DIR": str(work / "cache"), **env},
        start_new_session=True,
    )


def group_members(pgid: int) -> list[str]:
    """The live processes of a process group, from /proc (field 5 of stat is the group)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == pgid and state != "Z":
            found.append(f"{entry.name}: {stat[:80]}")
    return found


def whole_database(path: Path) -> bool:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        db.close()


def startup_seconds() -> float:
    """How long the interpreter and the console script take before spnet's own code runs
    (Python's start and the script's `import re`): Ctrl-C then is Python's, not spnet's."""
    took = []
    for _ in range(3):
        began = time.monotonic()
        subprocess.run([sys.executable, "-c", "import re"], check=True)
        took.append(time.monotonic() - began)
    return max(took)


@pytest.mark.slow
@pytest.mark.skipif(not SPNET.is_file(), reason="the spnet console script is not installed beside this Python")
def test_ctrl_c_at_any_moment_is_one_line_and_exit_130(large: Path, tmp_path: Path) -> None:
    began = time.monotonic()
    whole = start(large, tmp_path / "whole", {})
    assert whole.wait(timeout=120) == 0
    cold = time.monotonic() - began
    first = 2 * startup_seconds() + 0.01
    last = cold * 1.1
    moments = [first + (last - first) * k / (MOMENTS - 1) for k in range(MOMENTS)]
    outcomes = []
    for k, moment in enumerate(moments):
        work = tmp_path / f"run{k}"
        ja = k % 4 == 3  # the message in the reader's language
        proc = start(large, work, {"SPNET_LANG": "ja" if ja else "en"})
        time.sleep(moment)
        os.killpg(proc.pid, signal.SIGINT)  # as the terminal sends Ctrl-C: to the whole group
        _out, err = proc.communicate(timeout=120)
        code, said = proc.returncode, err.decode(errors="replace")
        where = f"Ctrl-C at {moment:.3f}s: exit {code}, stderr {said!r}"
        outcomes.append(code)
        assert code in (130, 0), where
        expected = ("spnet: 中断しました\n" if ja else "spnet: interrupted\n") if code == 130 else ""
        assert said == expected, where
        assert group_members(proc.pid) == [], where
        cache = [p.name for p in (work / "cache").iterdir()]
        assert all(name.startswith("index-") and name.endswith(".sqlite") for name in cache), (where, cache)
        for index in cache:
            assert whole_database(work / "cache" / index), where
        out = [p.name for p in (work / "out").iterdir()]
        assert out in ([], ["spnet.db"]), (where, out)
        assert out == [] or whole_database(work / "out" / "spnet.db"), where
        assert code == 130 or out == ["spnet.db"], where
    assert outcomes.count(130) >= MOMENTS // 2, f"most moments fall inside the run ({cold:.2f}s): {outcomes}"


@pytest.mark.skipif(not SPNET.is_file(), reason="the spnet console script is not installed beside this Python")
def test_ctrl_c_ignored_when_spnet_starts_stays_ignored(tmp_path: Path) -> None:
    """A shell starts a background job (`spnet … &` in a script) with Ctrl-C ignored: the
    terminal's Ctrl-C, meant for the job in the foreground, must not end it."""
    (tmp_path / "cache").mkdir()
    proc = subprocess.Popen(
        [str(SPNET), "--data", str(DATA), "--no-cache", "export", "json", "--out", str(tmp_path / "spnet.json")],
        stderr=subprocess.PIPE,
        env={**os.environ, "SPNET_CACHE_DIR": str(tmp_path / "cache")},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        proc.send_signal(signal.SIGINT)
        time.sleep(0.005)
    _out, err = proc.communicate(timeout=60)
    assert (proc.returncode, err) == (0, b"")
    assert (tmp_path / "spnet.json").read_bytes().startswith(b"{")
