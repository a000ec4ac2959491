"""Bytes that are not UTF-8, on the installed command: a text option or argument typed in
a Latin-1 terminal or given by a script is refused (exit 2, naming it); a file or
directory name is used as the file system gives it and shown escaped (\\xe9), except a
data file's, which names a university and must be UTF-8 (exit 3). Every path echoed in a
message is escaped like archive text: no raw control character reaches the terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA, copy_data

INSTALLED = os.fsencode(Path(sys.executable).with_name("spnet"))


def spnet(*args: str | bytes, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """The installed command, its arguments as the bytes a terminal or a script passes."""
    argv = [INSTALLED, *(os.fsencode(a) if isinstance(a, str) else a for a in args)]
    return subprocess.run(argv, capture_output=True, env={**os.environ, **(env or {})}, timeout=120)


def snapshot(data: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file() and p.name != ".spnet.lock"}


ADD = [b"add", b"partner", b"-u", b"kyoto", b"--id", b"kyoto-new", b"--kind", b"strategic-partner"]
TEXT_OPTIONS = [
    ([*ADD, b"--source", b"x", b"--lines", b"1", b"--name-en", b"Caf\xe9"], "'--name-en': Caf\\xe9"),
    ([*ADD, b"--source", b"Minutes \xff", b"--lines", b"1"], "'--source': Minutes \\xff"),
    ([b"partners", b"--university", b"ky\xe9to"], "'--university' / '-u': ky\\xe9to"),
    ([b"timeline", b"--from", b"2023\xa0"], "'--from': 2023\\xa0"),
    ([b"search", b"K\xf6ln"], "'TEXT...': K\\xf6ln"),
    ([b"partners", b"--fields", b"id,n\xe4me"], "'--fields': id,n\\xe4me"),
]


@pytest.mark.parametrize("args,named", TEXT_OPTIONS, ids=[a[-1].decode("latin-1") for a, _ in TEXT_OPTIONS])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_text_option_that_is_not_utf8_is_refused_naming_it(
    data_copy: Path, args: list[bytes], named: str, lang: str
) -> None:
    before = snapshot(data_copy)
    result = spnet("--data", str(data_copy), *args, env={"SPNET_LANG": lang})
    assert result.returncode == 2 and result.stdout == b""
    option, value = named.split(": ")
    expected = (
        f"spnet: error: invalid value for {option}: {value} is not UTF-8 text\n"
        if lang == "en"
        else f"spnet: エラー: {option} の値が不正です: {value} は UTF-8 の文字列ではありません\n"
    )
    assert result.stderr.decode() == expected
    assert snapshot(data_copy) == before


def test_an_output_file_named_in_latin1_is_written_under_that_name(tmp_path: Path) -> None:
    out = os.path.join(os.fsencode(tmp_path), b"caf\xe9.json")
    result = spnet("--data", str(DATA), "export", "json", "--out", out)
    assert (result.returncode, result.stderr) == (0, b"")
    assert os.listdir(os.fsencode(tmp_path)) == [b"caf\xe9.json"]
    with open(out, "rb") as fh:
        assert fh.read(1) == b"{"


def test_a_data_directory_named_in_latin1_is_read_and_shown_escaped(tmp_path: Path) -> None:
    data = os.path.join(os.fsencode(tmp_path), b"donn\xe9es")
    copy_data(os.fsdecode(data))
    listed = spnet("--data", data, "universities", "--format", "json")
    assert listed.returncode == 0 and listed.stderr == b""
    assert listed.stdout.startswith(b"[")
    checked = spnet("--data", data, "check", "-q")
    assert (checked.returncode, checked.stderr) == (0, b"")
    ok = spnet("--data", data, "check")
    assert ok.stdout.startswith(b"ok: " + os.fsencode(tmp_path) + b"/donn\\xe9es: ")
    assert b"donn\xe9es" not in ok.stdout + ok.stderr
    (Path(os.fsdecode(data)) / "universities" / "kyoto.toml").write_text("x = [", encoding="utf-8")
    broken = spnet("--data", data, "universities")
    assert broken.returncode == 3
    assert broken.stderr.decode().startswith("spnet: error: donn\\xe9es/universities/kyoto.toml: ")


@pytest.mark.parametrize("args", [["universities"], ["timeline", "--format", "json"], ["search", "Kyoto"]])
def test_a_data_file_named_in_latin1_is_refused_exit_3(data_copy: Path, args: list[str]) -> None:
    """A university file's name is its university's id: UTF-8 text, or it is no archive file."""
    (data_copy / "universities" / os.fsdecode(b"caf\xe9.toml")).write_text("", encoding="utf-8")
    result = spnet("--data", str(data_copy), *args)
    assert result.returncode == 3 and result.stdout == b""
    assert (
        result.stderr.decode()
        == "spnet: error: data/universities/caf\\xe9.toml: the file name is not UTF-8: rename it\n"
    )


def test_check_names_a_data_file_named_in_latin1(data_copy: Path) -> None:
    (data_copy / os.fsdecode(b"r\xe9sum\xe9.toml")).write_text("", encoding="utf-8")
    result = spnet("--data", str(data_copy), "check", "-q")
    assert result.returncode == 1
    assert "error: data/r\\xe9sum\\xe9.toml: the file name is not UTF-8: rename it\n" in result.stderr.decode()
    assert b"r\xe9sum\xe9" not in result.stderr


HOSTILE_NAME = "x\x1b]0;owned\x07\x1b[31m\u202e"  # a title change, a colour, a right-to-left override
ESCAPED_NAME = "x\\x1b]0;owned\\x07\\x1b[31m\\u202e"


def test_a_data_directory_name_is_echoed_escaped(tmp_path: Path) -> None:
    missing = spnet("--data", str(tmp_path / HOSTILE_NAME), "universities")
    assert missing.returncode == 3
    assert missing.stderr.decode() == f"spnet: error: {tmp_path}/{ESCAPED_NAME}: data directory does not exist\n"
    data = tmp_path / HOSTILE_NAME
    copy_data(data)
    (data / "universities" / "kyoto.toml").write_text("x = [", encoding="utf-8")
    broken = spnet("--data", str(data), "universities")
    assert broken.returncode == 3 and broken.stderr.decode().startswith(f"spnet: error: {ESCAPED_NAME}/universities/")
    assert b"\x1b" not in missing.stderr + broken.stderr


def test_an_output_path_is_echoed_escaped(tmp_path: Path) -> None:
    result = spnet("--data", str(DATA), "export", "json", "--out", str(tmp_path / HOSTILE_NAME / "x.json"))
    assert result.returncode == 4
    err = result.stderr.decode()
    assert err.startswith(f"spnet: error: cannot write the output: {tmp_path}/{ESCAPED_NAME}") and err.count("\n") == 1
    assert "\x1b" not in err


def test_a_cache_directory_is_echoed_escaped(tmp_path: Path) -> None:
    cache = tmp_path / HOSTILE_NAME
    cache.mkdir()
    cache.chmod(0o777)  # writable by others: not used, and a warning names it
    result = spnet("--data", str(DATA), "universities", env={"SPNET_CACHE_DIR": str(cache)})
    assert result.returncode == 0
    assert ESCAPED_NAME in result.stderr.decode() and b"\x1b" not in result.stderr
