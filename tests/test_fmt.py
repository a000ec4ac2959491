"""spnet fmt: a hand-edited archive back in canonical form, so that spnet add can go on."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import DATA


def spnet(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "spnet", *args], capture_output=True, text=True, timeout=60)


def _hand_edited(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
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
