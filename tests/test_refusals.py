"""What the loader refuses, each as the installed spnet meets it: exit 3, one line on
stderr naming the file (and the record), nothing on stdout, no traceback, no hang."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import replace_text

KYOTO = Path("universities") / "kyoto.toml"


def _replace(relative: Path | str, old: str, new: str) -> Callable[[Path], None]:
    def edit(data: Path) -> None:
        replace_text(data / relative, old, new)

    return edit


def _first_event_date(value: str) -> Callable[[Path], None]:
    def edit(data: Path) -> None:
        path = data / "project.toml"
        text = path.read_text(encoding="utf-8")
        edited = re.sub(r'^date = "[^"]*"', lambda _m: f"date = {value}", text, count=1, flags=re.M)
        path.write_text(edited, encoding="utf-8")

    return edit


def _fifo(data: Path) -> None:
    (data / "project.toml").unlink()
    os.mkfifo(data / "project.toml")


def _device(data: Path) -> None:
    (data / "countries.toml").unlink()
    (data / "countries.toml").symlink_to("/dev/zero")


def _huge(data: Path) -> None:
    with (data / KYOTO).open("a", encoding="utf-8") as fh:
        fh.write(("# padding\n" * 1024) * 6600)  # about 65 MiB of comments


def _loop(data: Path) -> None:
    (data / KYOTO).unlink()
    (data / KYOTO).symlink_to(data / KYOTO)


CASES = [
    ("year 0", _first_event_date('"0000"'), "year 0 does not exist"),
    ("decade of year 0", _first_event_date('"000X"'), "year 0 does not exist"),
    ("a date with a newline", _first_event_date('"2023-03-03\\n"'), "not a date in the form"),
    ("NaN", _replace(KYOTO, "value = 5", "value = nan"), "'value' must be a number, not NaN or an infinity"),
    ("infinity", _replace(KYOTO, "value = 5", "value = -inf"), "'value' must be a number, not NaN or an infinity"),
    ("an integer past 64 bits", _replace(KYOTO, "value = 5", "value = 9223372036854775808"), "outside 64 bits"),
    ("a line past 64 bits", _replace(KYOTO, "lines = [", "lines = [99999999999999999999, "), "outside 64 bits"),
    ("a FIFO", _fifo, "data/project.toml: not a regular file"),
    ("a device", _device, "data/countries.toml: not a regular file"),
    ("a file over the size limit", _huge, "universities/kyoto.toml: larger than 64 MiB"),
    ("a symlink loop", _loop, "universities/kyoto.toml: cannot be read: too many levels of symbolic links"),
]


@pytest.mark.parametrize("case,breaker,message", CASES, ids=[c[0] for c in CASES])
def test_the_loader_refuses(data_copy: Path, case: str, breaker: Callable[[Path], None], message: str) -> None:
    breaker(data_copy)
    for args in (["partners", "--format", "json"], ["check"]):
        done = subprocess.run(
            [sys.executable, "-m", "spnet", "--data", str(data_copy), *args],
            capture_output=True,
            text=True,
            timeout=60,  # a FIFO or a device must not make spnet wait or read forever
        )
        assert done.returncode == (3 if args[0] == "partners" else 1), done.stderr
        assert done.stdout == ""
        assert "Traceback" not in done.stderr
        assert message in done.stderr
        if args[0] == "partners":
            assert done.stderr.count("\n") == 1


def test_a_name_too_long_is_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(tmp_path / ("x" * 300)), "universities"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 3
    assert done.stderr.count("\n") == 1 and "file name too long" in done.stderr


def test_an_unreadable_directory_is_permission_denied(cli, data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As root every directory is readable: the refusal the OS gives a user is simulated."""
    real = os.scandir
    target = str(data_copy / "universities")

    def refusing(path: object = ".") -> object:
        if str(path) == target:
            raise PermissionError(13, "Permission denied", target)
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", refusing)  # the operating system's own call refuses
    result = cli("--data", str(data_copy), "--no-cache", "universities")
    assert isinstance(result.exception, SystemExit)
    assert result.exit_code == 3
    assert result.stderr == f"spnet: error: {target}: cannot be read: permission denied\n"
