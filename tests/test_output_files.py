"""Files spnet writes, as a careful Unix tool writes them: modes, symlinks, devices and
FIFOs, standard output, failures that leave nothing behind, and someone else's database."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import pytest
import tomli_w

from tests.conftest import DATA


def spnet(*args: str, umask: int = 0o022, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(DATA), *args],
        capture_output=True,
        preexec_fn=lambda: os.umask(umask),
        cwd=cwd,
        timeout=60,
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask,expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_follows_the_umask(tmp_path: Path, umask: int, expected: int) -> None:
    out = tmp_path / "spnet.json"
    assert spnet("export", "json", "--out", str(out), umask=umask).returncode == 0
    assert mode(out) == expected


def test_a_file_replaced_keeps_its_mode(tmp_path: Path) -> None:
    out = tmp_path / "spnet.ics"
    out.write_text("old")
    out.chmod(0o640)
    assert spnet("export", "ics", "--out", str(out)).returncode == 0
    assert mode(out) == 0o640 and out.read_text().startswith("BEGIN:VCALENDAR")


def test_a_symlink_is_written_through(tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert spnet("export", "json", "--out", str(link)).returncode == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text(encoding="utf-8").startswith("{")


def test_a_fifo_is_written_to_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = spnet("export", "ics", "--out", str(fifo))
    reader.join(timeout=60)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert received and received[0].startswith(b"BEGIN:VCALENDAR")


def test_dev_null_is_written_to_not_replaced() -> None:
    before = os.stat("/dev/null")
    assert spnet("export", "json", "--out", "/dev/null").returncode == 0
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


@pytest.mark.parametrize("fmt,start", [("json", b"{"), ("ics", b"BEGIN:VCALENDAR")])
def test_out_dash_is_standard_output(tmp_path: Path, fmt: str, start: bytes) -> None:
    result = spnet("export", fmt, "--out", "-", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith(start)
    assert list(tmp_path.iterdir()) == []  # no file named "-"


@pytest.mark.parametrize(
    "target,message",
    [
        ("missing/dir/x.json", "No such file or directory"),
        (".", "Is a directory"),
        ("x" * 300 + ".json", "File name too long"),
    ],
)
def test_a_bad_target_is_one_line_exit_4_and_nothing_left(tmp_path: Path, target: str, message: str) -> None:
    result = spnet("export", "json", "--out", target, cwd=tmp_path)
    assert result.returncode == 4
    err = result.stderr.decode()
    assert err.startswith("spnet: error: cannot write the output: ") and message in err and err.count("\n") == 1
    assert [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")] == []


def test_a_database_spnet_did_not_write_is_kept_unless_forced(tmp_path: Path) -> None:
    theirs = tmp_path / "theirs.db"
    db = sqlite3.connect(theirs)
    db.execute("CREATE TABLE precious (x)")
    db.commit()
    db.close()
    refused = spnet("export", "sqlite", "--out", str(theirs))
    assert refused.returncode == 2 and b"--force" in refused.stderr
    assert sqlite3.connect(theirs).execute("SELECT name FROM sqlite_master").fetchall() == [("precious",)]
    text = tmp_path / "notes.txt"
    text.write_text("my notes")
    assert spnet("export", "sqlite", "--out", str(text)).returncode == 2 and text.read_text() == "my notes"
    assert spnet("export", "sqlite", "--out", str(theirs), "--force").returncode == 0
    ours = tmp_path / "ours.db"
    assert spnet("export", "sqlite", "--out", str(ours)).returncode == 0
    assert spnet("export", "sqlite", "--out", str(ours)).returncode == 0  # its own: replaced freely
    assert sqlite3.connect(ours).execute("PRAGMA application_id").fetchone() == (0x73706E74,)


def test_bom_goes_with_csv_only_and_guards_excel(tmp_path: Path) -> None:
    assert spnet("partners", "--format", "json", "--bom").returncode == 2
    assert spnet("export", "json", "--bom").returncode == 2
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    path = data / "universities" / "kyoto.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    doc["partners"][0]["name_en"] = "=cmd|' /C calc'!A0"
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    base = [sys.executable, "-m", "spnet", "--data", str(data), "partners", "-u", "kyoto", "--format", "csv"]
    exact = subprocess.run(base, capture_output=True, text=True).stdout
    excel = subprocess.run([*base, "--bom"], capture_output=True, text=True).stdout
    assert "kyoto-vienna,kyoto,=cmd|' /C calc'!A0," in exact
    assert excel.startswith("\ufeff") and "kyoto-vienna,kyoto,'=cmd|' /C calc'!A0," in excel
    out = tmp_path / "csv"
    result = subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(data), "export", "csv", "--out", str(out), "--bom"],
        capture_output=True,
    )
    assert result.returncode == 0
    assert (out / "partners.csv").read_text(encoding="utf-8").startswith("\ufeffid,")
