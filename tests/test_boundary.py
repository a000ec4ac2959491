"""The one place that turns what went wrong into an exit code and one line on stderr:
output that cannot be written, a reader that stops early, an archive too deep, a bug."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import spnet
from spnet.boundary import SpnetGroup
from tests.conftest import DATA, copy_data

SPNET = [sys.executable, "-m", "spnet"]
INSTALLED = Path(sys.executable).with_name("spnet")  # the console script, as a user runs it


def run(*args: str, stdout=subprocess.PIPE, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SPNET, "--data", str(DATA), *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("fmt", ["json", "table", "plain", "csv"])
def test_a_full_disk_is_one_line_and_exit_4(fmt: str) -> None:
    with open("/dev/full", "w") as full:
        result = run("timeline", "--format", fmt, stdout=full)
    assert result.returncode == 4
    assert result.stderr == "spnet: error: cannot write the output: No space left on device\n"


def test_a_picture_that_cannot_be_written_is_exit_4(tmp_path: Path) -> None:
    result = run("timeline", "--svg", str(tmp_path / "no" / "such" / "dir.svg"))
    assert result.returncode == 4
    assert result.stderr.startswith("spnet: error: cannot write the output: ") and "No such file" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.fixture(scope="module")
def larger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive 10 times the real one: its listings are far more than a pipe holds (64 KiB)."""
    data = tmp_path_factory.mktemp("larger") / "data"
    subprocess.run([sys.executable, str(DATA.parent / "bench" / "make_archive.py"), "10", str(data)], check=True)
    return data


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["timeline", "--format", "json"],
        ["timeline", "--format", "plain"],
        ["timeline", "--format", "table"],
        ["search", "University", "--format", "json"],
        ["partners", "--format", "csv"],
        ["export", "json", "--out", "/dev/stdout"],
    ],
)
def test_a_reader_that_stops_in_the_middle_is_not_an_error(larger: Path, args: list[str]) -> None:
    producer = subprocess.Popen(
        [str(INSTALLED), "--data", str(larger), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert producer.stdout is not None and producer.stderr is not None
    assert len(producer.stdout.read(100)) == 100
    producer.stdout.close()  # as `| head -c 100` does
    err = producer.stderr.read()
    assert producer.wait(timeout=120) == 0, err
    assert err == b"", err


@pytest.mark.parametrize(
    "args",
    [
        ["timeline", "--format", "json"],
        ["timeline"],
        ["universities"],
        ["search", "Kyoto"],
        ["export", "ics", "--vague-dates", "--out", "-"],
        ["export", "json", "--out", "/dev/stdout"],
        ["graph"],
    ],
)
def test_a_reader_gone_before_the_first_byte_is_not_an_error(args: list[str]) -> None:
    """`spnet timeline | true`: the pipe's reading end is closed before spnet writes."""
    read, write = os.pipe()
    os.close(read)
    try:
        result = subprocess.run(
            [str(INSTALLED), "--data", str(DATA), *args], stdout=write, stderr=subprocess.PIPE, timeout=120
        )
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (0, b"")


@pytest.mark.parametrize("lang,message", [("en", "standard output is closed"), ("ja", "標準出力が閉じられています")])
@pytest.mark.parametrize(
    "args", [["universities"], ["timeline", "--format", "json"], ["export", "ics", "--vague-dates"]]
)
def test_a_closed_standard_output_is_one_line_and_exit_4(args: list[str], lang: str, message: str) -> None:
    """`spnet universities >&-`: nothing written, and no file spnet opens takes its place."""
    result = subprocess.run(
        [str(INSTALLED), "--data", str(DATA), *args],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SPNET_LANG": lang},
        preexec_fn=lambda: os.close(1),
        timeout=120,
    )
    assert result.returncode == 4
    assert result.stderr.endswith(message + "\n") and result.stderr.count("\n") == 1, result.stderr


def test_a_closed_standard_output_is_no_matter_when_nothing_goes_there(tmp_path: Path) -> None:
    out = tmp_path / "spnet.json"
    result = subprocess.run(
        [str(INSTALLED), "--data", str(DATA), "export", "json", "--out", str(out)],
        stderr=subprocess.PIPE,
        preexec_fn=lambda: os.close(1),
        timeout=120,
    )
    assert (result.returncode, result.stderr) == (0, b"")
    assert out.read_bytes().startswith(b"{")


@pytest.mark.parametrize(
    "nested",
    ["[" * 5000 + "]" * 5000, "[" * 100_000 + "]" * 100_000, "{a=" * 100_000 + "1" + "}" * 100_000],
    ids=["5000 arrays", "100000 arrays", "100000 inline tables"],
)
def test_an_archive_nested_too_deeply_is_exit_3(tmp_path: Path, nested: str) -> None:
    """Deeper than Python's recursion limit, and (100,000) than toml-rs, the compiled
    reader, survives on the native stack: spnet leaves such a text to tomllib."""
    data = tmp_path / "data"
    copy_data(data)
    (data / "countries.toml").write_text(f"a = {nested}\n", encoding="utf-8")
    result = subprocess.run(
        [*SPNET, "--data", str(data), "--no-cache", "partners"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 3 and result.stdout == ""
    assert result.stderr == "spnet: error: data/countries.toml: nested too deeply to read\n"


def _buggy_app() -> typer.Typer:
    """An app on spnet's own group whose one command has a bug."""
    app = typer.Typer(cls=SpnetGroup)

    @app.command()
    def broken() -> None:
        raise ValueError("the bug")

    @app.command()
    def other() -> None:
        pass

    return app


def test_a_bug_is_one_line_exit_70_and_shown_whole_on_request() -> None:
    runner = CliRunner()
    result = runner.invoke(_buggy_app(), ["broken"], env={"SPNET_DEBUG": ""})
    assert result.exit_code == 70
    assert result.stderr.startswith("spnet: error: a bug in spnet ")
    assert "ValueError: the bug (SPNET_DEBUG=1 shows the traceback; please report it)" in result.stderr
    assert result.stderr.count("\n") == 1
    debug = runner.invoke(_buggy_app(), ["broken"], env={"SPNET_DEBUG": "1"})
    assert isinstance(debug.exception, ValueError)


@pytest.mark.parametrize(
    "args",
    [
        ["timeline", "--fy", "9" * 5000],
        ["partners", "-u", "京" * 3000],
        ["timeline", "--lang", "ja", "--year", "2" * 1000],
    ],
    ids=["5000 digits", "3000 kanji", "in Japanese"],
)
def test_a_long_value_is_shortened_in_its_one_line(args: list[str]) -> None:
    """A value thousands of characters long keeps its start, its end and its length in the
    message: the line stays one a reader takes in."""
    result = run(*args)
    assert result.returncode == 2 and not result.stdout
    (line,) = result.stderr.splitlines()
    value = args[-1]
    assert len(line) < 400 and value[:40] in line and value[-30:] in line
    assert str(len(value)) in line.replace(",", "")


@pytest.mark.parametrize("target", ["/dev/stdout", "/dev/fd/1"])
@pytest.mark.parametrize("writer", [["export", "json"], ["timeline", "--svg"], ["graph", "--format", "dot"]])
def test_a_closed_standard_output_given_by_path_is_exit_4(target: str, writer: list[str]) -> None:
    """`--out /dev/stdout >&-`: the path leads where spnet holds the closed stream; the output
    would vanish there, so it is the same one line and exit 4 as writing to it directly."""
    args = [*writer, target] if writer[-1] == "--svg" else [*writer, "--out", target]
    result = subprocess.run(
        [str(INSTALLED), "--data", str(DATA), *args],
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: os.close(1),
        timeout=120,
    )
    assert result.returncode == 4
    assert result.stderr == "spnet: error: cannot write the output: standard output is closed\n"


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["--version"], ["--show-completion"]])
def test_a_reader_gone_before_top_level_help_is_not_an_error(args: list[str]) -> None:
    """`spnet --help | true`: help and the version are written before any command runs.
    Run from bash, as a user runs it: --show-completion finds its shell among the
    processes it was started from, and run from pytest alone it finds none."""
    read, write = os.pipe()
    os.close(read)
    from_bash = ["bash", "-c", '"$0" "$@"; exit $?', str(INSTALLED), *args]  # `; exit`: bash stays the parent
    try:
        result = subprocess.run(from_bash, stdout=write, stderr=subprocess.PIPE, timeout=120)
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (0, b"")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize(
    "args,code",
    [(["partners", "--kind", "bogus"], 2), (["--data", "/nonexistent", "partners"], 3), (["check"], 0)],
)
def test_a_standard_error_that_cannot_be_written_keeps_the_exit_code(args: list[str], code: int) -> None:
    """`2>/dev/full`: the message is lost, but the exit code still says what happened."""
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [str(INSTALLED), *(["--data", str(DATA)] if "--data" not in args else []), *args],
            stdout=subprocess.DEVNULL,
            stderr=full,
            timeout=120,
        )
    assert result.returncode == code


@pytest.mark.parametrize("encoding", ["latin-1", "ascii", "shift_jis"])
def test_an_output_encoding_other_than_utf8_gets_what_it_cannot_hold_escaped(encoding: str) -> None:
    result = subprocess.run(
        [str(INSTALLED), "--data", str(DATA), "universities", "--format", "tsv"],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": encoding},
        timeout=120,
    )
    assert (result.returncode, result.stderr) == (0, b"")
    text = result.stdout.decode(encoding)
    assert "The University of Tokyo" in text
    assert ("東京大学" if encoding == "shift_jis" else "\\u6771\\u4eac\\u5927\\u5b66") in text


def test_every_line_on_stderr_is_written_by_one_module() -> None:
    """Errors, warnings and notes reach stderr through spnet.stderr alone: each begins
    `spnet:` and is worded in the reader's language in one place. Besides it, only these
    touch stderr: the console script holding it open (entry), the last flush (cli), the
    progress bar asking whether it is a terminal (progress), and `check`'s report of the
    archive's problems (terminal.write_messages)."""
    src = Path(spnet.__file__).parent
    direct = re.compile(r"sys\.stderr\b|\berr=True")
    touching = sorted(str(p.relative_to(src)) for p in src.rglob("*.py") if direct.search(p.read_text("utf-8")))
    assert touching == ["cli.py", "entry.py", "progress.py", "stderr.py", "terminal.py"]


def test_the_exit_codes_are_one_table() -> None:
    """errors.EXIT_CODES is every code spnet exits with: each error class's code is in it,
    and `spnet help exit-codes` and docs/reliability.md explain exactly its codes."""
    from spnet import errors

    classes = [c for c in vars(errors).values() if isinstance(c, type) and hasattr(c, "exit_code")]
    assert {c.exit_code for c in classes} | {0, errors.BUG} == set(errors.EXIT_CODES)
    shown = subprocess.run([str(INSTALLED), "help", "exit-codes"], capture_output=True, text=True, check=True).stdout
    assert {int(n) for n in re.findall(r"^  (\d+) ", shown, re.M)} == set(errors.EXIT_CODES)
    page = (DATA.parent / "docs" / "reliability.md").read_text(encoding="utf-8")
    assert {int(n) for n in re.findall(r"^\| (\d+) \|", page, re.M)} == set(errors.EXIT_CODES)
