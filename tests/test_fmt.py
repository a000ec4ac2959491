"""spnet fmt: a hand-edited archive back in canonical form, so that spnet add can go on."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from tests.conftest import DATA, REPO, copy_data

SPNET = [sys.executable, "-m", "spnet"]


def spnet(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "spnet", *args], capture_output=True, text=True, timeout=60)


def _hand_edited(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    copy_data(data)
    path = data / "universities" / "kyoto.toml"
    text = path.read_text(encoding="utf-8")
    # What a person's editor leaves: spacing and single quotes.
    text = text.replace('name_en = "Kyoto University"\n', "name_en   =   'Kyoto University'\n", 1)
    path.write_text(text, encoding="utf-8")
    return data


def test_the_shipped_archive_is_canonical() -> None:
    result = spnet("--data", str(DATA), "fmt", "--check")
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""


def test_check_names_the_files_and_changes_nothing(tmp_path: Path) -> None:
    data = _hand_edited(tmp_path)
    before = (data / "universities" / "kyoto.toml").read_bytes()
    result = spnet("--data", str(data), "fmt", "--check")
    assert result.returncode == 1
    assert result.stdout == "not canonical: data/universities/kyoto.toml\n"
    assert result.stderr.startswith("spnet: error: 1 file(s) not in canonical form")
    assert (data / "universities" / "kyoto.toml").read_bytes() == before


def test_fmt_rewrites_the_same_data_and_add_goes_on(tmp_path: Path) -> None:
    data = _hand_edited(tmp_path)
    partner = ["add", "partner", "-u", "kyoto", "--id", "kyoto-new", "--name-en", "New", "--kind", "strategic"]
    partner += ["--source", "s", "--lines", "1"]
    refused = spnet("--data", str(data), *partner)
    assert refused.returncode == 3 and "spnet fmt rewrites it first" in refused.stderr
    result = spnet("--data", str(data), "fmt")
    assert result.returncode == 0 and result.stdout == "rewrote: data/universities/kyoto.toml\n"
    assert (data / "universities" / "kyoto.toml").read_bytes() == (DATA / "universities" / "kyoto.toml").read_bytes()
    assert spnet("--data", str(data), "fmt", "--check").returncode == 0
    added = spnet("--data", str(data), *partner)
    assert added.returncode == 0, added.stderr


def test_a_file_that_is_not_toml_is_one_error_and_nothing_is_written(tmp_path: Path) -> None:
    data = _hand_edited(tmp_path)
    broken = data / "universities" / "osaka.toml"
    broken.write_text(broken.read_text(encoding="utf-8") + "\nname = \n", encoding="utf-8")
    kyoto = (data / "universities" / "kyoto.toml").read_bytes()
    result = spnet("--data", str(data), "fmt")
    assert result.returncode == 3 and result.stdout == ""
    assert result.stderr.startswith("spnet: error: data/universities/osaka.toml: line ")
    assert (data / "universities" / "kyoto.toml").read_bytes() == kyoto
    assert not [p for p in data.rglob("*.tmp")]


def test_a_record_added_while_fmt_waits_for_the_lock_is_kept(tmp_path: Path) -> None:
    """fmt reads the files under the lock the writers hold: what one of them wrote while
    fmt waited is in what fmt writes back, not lost to a copy read before."""
    import fcntl
    import os
    import time

    data = _hand_edited(tmp_path)
    kyoto = data / "universities" / "kyoto.toml"
    added = '\n[[partners]]\nid = "kyoto-added"\nname_en = "Added"\nkind = "strategic-partner"\n'
    added += 'source = "s"\nlines = [\n    1,\n]\n'
    with open(data / ".spnet.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a writer at work, as spnet add holds it
        fmt = subprocess.Popen(
            [sys.executable, "-m", "spnet", "--data", str(data), "fmt"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "SPNET_LOCK_WAIT": "30"},
        )
        time.sleep(1.0)  # fmt has started and is waiting for the lock
        assert fmt.poll() is None, fmt.communicate()
        kyoto.write_text(kyoto.read_text(encoding="utf-8") + added, encoding="utf-8")  # what the writer lands
    out, err = fmt.communicate(timeout=60)
    assert fmt.returncode == 0, err
    assert 'id = "kyoto-added"' in kyoto.read_text(encoding="utf-8")
    assert spnet("--data", str(data), "fmt", "--check").returncode == 0


def test_a_lock_that_is_a_symbolic_link_is_refused_and_its_target_not_made(tmp_path: Path) -> None:
    data = _hand_edited(tmp_path)
    target = tmp_path / "made-by-spnet"
    (data / ".spnet.lock").symlink_to(target)
    result = spnet("--data", str(data), "fmt")
    assert result.returncode == 3 and result.stdout == ""
    assert "a symbolic link, not spnet's lock file" in result.stderr and result.stderr.count("\n") == 1
    assert not target.exists()


def test_a_lock_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    data = _hand_edited(tmp_path)
    (data / ".spnet.lock").mkdir()
    result = spnet("--data", str(data), "fmt")
    assert result.returncode == 3 and "Traceback" not in result.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_lock_of_another_user_is_refused(tmp_path: Path) -> None:
    data = _hand_edited(tmp_path)
    lock = data / ".spnet.lock"
    lock.touch()
    os.chown(lock, 65534, 65534)
    kyoto = (data / "universities" / "kyoto.toml").read_bytes()
    result = spnet("--data", str(data), "fmt")
    assert result.returncode == 3 and result.stdout == ""
    assert result.stderr == f"spnet: error: {lock}: not a file of your own, so not spnet's lock; remove it\n"
    assert (data / "universities" / "kyoto.toml").read_bytes() == kyoto


def make_archive(factor: int, dest: Path) -> Path:
    """An archive `factor` times the real one (bench/make_archive.py)."""
    subprocess.run([sys.executable, str(REPO / "bench" / "make_archive.py"), str(factor), str(dest)], check=True)
    return dest


def _spoil_layout(path: Path) -> None:
    """What a person's editor leaves in a data file: spacing, single quotes; the same data."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('name_en = "', 'name_en   =   "', 1), encoding="utf-8")


def _data(data: Path) -> dict[str, object]:
    return {str(p.relative_to(data)): tomllib.loads(p.read_text(encoding="utf-8")) for p in data.rglob("*.toml")}


@pytest.mark.slow
def test_fmt_and_add_racing_on_a_large_archive_lose_no_added_record(tmp_path: Path) -> None:
    """fmts rewrite a 100x archive (seconds of work each, overlapping) while `add`s land
    records in the very files they rewrite: every add that said "added" is in the files
    afterwards. (An fmt that read before it took the lock wrote back a file an earlier fmt
    had made canonical and an add had then added to.)"""
    data = make_archive(100, tmp_path / "data")
    targets = [f"kyoto-x{k}" for k in range(1, 13)]
    for uid in targets:
        _spoil_layout(data / "universities" / f"{uid}.toml")
    env = {**os.environ, "SPNET_LOCK_WAIT": "120"}
    assert subprocess.run(SPNET + ["--data", str(data), "universities"], capture_output=True, env=env).returncode == 0

    def start(*args: str) -> subprocess.Popen[str]:
        command = [*SPNET, "--data", str(data), *args]
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)

    running: list[tuple[str | None, subprocess.Popen[str]]] = [(None, start("fmt"))]
    for n, uid in enumerate(targets * 2):
        time.sleep(0.25)
        rid = f"{uid}-raced-{n}"
        add = ["add", "partner", "-u", uid, "--id", rid, "--name-en", "Raced", "--kind", "strategic"]
        running.append((rid, start(*add, "--source", "s", "--lines", "1")))
        if n % 4 == 3:  # fmts overlapping: one reads while another writes
            running.append((None, start("fmt")))
    added = []
    for rid, proc in running:
        out, err = proc.communicate(timeout=300)
        assert "Traceback" not in err and proc.returncode in (0, 3), err
        if rid is not None and proc.returncode == 0:
            assert out.startswith(f"added partner {rid} to "), out
            added.append(rid)
    assert len(added) >= len(targets)  # every target was made canonical by fmt at least once
    ids = {p["id"] for doc in _data(data).values() for p in doc.get("partners", [])}  # type: ignore[attr-defined]
    assert set(added) <= ids
    check = subprocess.run([*SPNET, "--data", str(data), "--no-cache", "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr[-2000:]


@pytest.mark.slow
def test_a_hand_edit_while_fmt_reads_is_read_again_and_kept(tmp_path: Path) -> None:
    """An editor (no lock) saves the first university file after fmt has read it and
    before fmt writes it (fmt reads a 100x archive for seconds first): fmt sees the file
    changed, reads it again, and writes the canonical form of the edit, not of what it had
    read."""
    data = make_archive(100, tmp_path / "data")
    first = data / "universities" / sorted(p.name for p in (data / "universities").iterdir())[0]
    _spoil_layout(first)
    fmt = subprocess.Popen(
        [*SPNET, "--data", str(data), "fmt"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(1.5)  # fmt has read the first files (it starts in about 0.3 s) and reads on
    assert fmt.poll() is None, "fmt ended before the edit: the machine is too fast for this test"
    text = first.read_text(encoding="utf-8").replace('name_en   =   "', 'name_en   =   "Edited ', 1)
    first.write_text(text, encoding="utf-8")
    out, err = fmt.communicate(timeout=120)
    assert fmt.returncode == 0, err
    assert f"rewrote: data/universities/{first.name}\n" in out
    assert 'name_en = "Edited ' in first.read_text(encoding="utf-8")
    assert subprocess.run([*SPNET, "--data", str(data), "fmt", "--check"], capture_output=True).returncode == 0


@pytest.mark.slow
def test_fmt_killed_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    """SIGKILL `spnet fmt` at random moments while it rewrites many files: every file holds
    its whole data each time (fmt changes only the layout), none is half-written, and the
    archive still passes check."""
    import random
    import signal

    data = make_archive(10, tmp_path / "data")
    spoiled = sorted((data / "universities").glob("*.toml"))
    for path in spoiled:
        _spoil_layout(path)
    before = _data(data)
    rng = random.Random(20261206)
    finished = 0
    for _attempt in range(20):
        proc = subprocess.Popen([*SPNET, "--data", str(data), "fmt"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.1, 1.2))  # a run takes about 0.5-1 s here: before, during or after
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        finished += proc.returncode == 0
        assert _data(data) == before  # every file whole, every record there
        for path in spoiled:  # then a hand edits again, for the next run to rewrite
            if (data / "universities" / path.name).read_text(encoding="utf-8").count("name_en   =") == 0:
                _spoil_layout(path)
    assert finished < 20
    check = subprocess.run([*SPNET, "--data", str(data), "--no-cache", "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr[-2000:]
