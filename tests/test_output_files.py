"""Files spnet writes, as a careful Unix tool writes them: modes, symlinks, devices and
FIFOs, standard output, failures that leave nothing behind, and someone else's database."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomli_w

from tests.conftest import DATA, copy_data


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
        ("loop1", "Too many levels of symbolic links"),
    ],
)
def test_a_bad_target_is_one_line_exit_4_and_nothing_left(tmp_path: Path, target: str, message: str) -> None:
    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
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
    copy_data(data)
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


# Every writer of a named output, with how its output begins. `{}` is the target.
INSTALLED = Path(sys.executable).with_name("spnet")  # the console script, as a user runs it
WRITERS = {
    "json": (["export", "json", "--out", "{}"], b"{"),
    "ics": (["export", "ics", "--vague-dates", "--out", "{}"], b"BEGIN:VCALENDAR"),
    "sqlite": (["export", "sqlite", "--out", "{}"], b"SQLite format 3\x00"),
    "dot": (["graph", "--out", "{}"], b"digraph spnet {"),
    "svg": (["timeline", "--svg", "{}"], b"<svg "),
}


def installed(args: list[str], target: str, **how: object) -> subprocess.CompletedProcess[bytes]:
    command = [str(INSTALLED), "--data", str(DATA), *(target if a == "{}" else a for a in args)]
    return subprocess.run(command, capture_output=True, timeout=120, **how)  # type: ignore[call-overload]


@pytest.mark.parametrize("writer", WRITERS)
def test_dev_stdout_on_a_pipe_is_written_to(writer: str, tmp_path: Path) -> None:
    """`--out /dev/stdout | …`: /dev/stdout leads to a pipe, which has no name to replace."""
    args, start = WRITERS[writer]
    result = installed(args, "/dev/stdout", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout.startswith(start) and len(result.stdout) > 1000
    assert list(tmp_path.iterdir()) == [] and not list(Path(tempfile.gettempdir()).glob(".pipe:*"))


@pytest.mark.parametrize("writer", WRITERS)
def test_a_pipe_given_as_dev_fd_is_written_to(writer: str) -> None:
    args, start = WRITERS[writer]
    read, write = os.pipe()
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(os.fdopen(read, "rb").read()))
    reader.start()
    try:
        result = installed(args, f"/dev/fd/{write}", pass_fds=(write,))
    finally:
        os.close(write)
        reader.join(timeout=60)
    assert (result.returncode, result.stderr, result.stdout) == (0, b"", b"")
    assert received[0].startswith(start)


@pytest.mark.skipif(not shutil.which("bash"), reason="bash is not installed (process substitution)")
def test_process_substitution_is_written_to(tmp_path: Path) -> None:
    """`spnet export json --out >(wc -c)`, as bash runs it."""
    script = '"$0" --data "$1" export json --out >(wc -c > "$2"); code=$?; wait; exit $code'
    count = tmp_path / "count"
    result = subprocess.run(["bash", "-c", script, str(INSTALLED), str(DATA), str(count)], capture_output=True)
    assert (result.returncode, result.stderr) == (0, b"")
    expected = len(installed(["export", "json", "--out", "-"], "").stdout)
    assert int(count.read_text()) == expected > 1000


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A directory on a file system with no space left: a small tmpfs, filled up (root only)."""
    where = tmp_path / "full"
    where.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root and mount(8)")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(where)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)


def fill(directory: Path) -> None:
    with contextlib.suppress(OSError), open(directory / "filler", "wb") as fh:
        while True:
            fh.write(b"\0" * 4096)
            fh.flush()


@pytest.mark.slow
@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("existing", [False, True])
def test_a_full_disk_is_exit_4_for_every_writer(full_disk: Path, writer: str, existing: bool) -> None:
    args, _start = WRITERS[writer]
    target = full_disk / f"out.{writer}"
    if existing:  # written once, while there was room
        assert installed(args, str(target)).returncode == 0
    old = target.read_bytes() if existing else None
    fill(full_disk)
    before = sorted(p.name for p in full_disk.iterdir())
    result = installed(args, str(target))
    assert result.returncode == 4, result.stderr
    err = result.stderr.decode()
    assert err.startswith(f"spnet: error: cannot write the output: {target}: ") and err.count("\n") == 1, err
    assert "No space left on device" in err or "database or disk is full" in err, err
    assert sorted(p.name for p in full_disk.iterdir()) == before  # no temporary file left
    if existing:  # and the old output as it was
        assert target.read_bytes() == old


def test_a_full_disk_under_the_csv_export_is_exit_4(full_disk: Path) -> None:
    fill(full_disk)
    result = installed(["export", "csv", "--out", "{}"], str(full_disk / "csv"))
    assert result.returncode == 4
    assert "No space left on device" in result.stderr.decode() and result.stderr.count(b"\n") == 1
    assert [p.name for p in (full_disk / "csv").iterdir()] == []


@pytest.mark.parametrize("command", ["add", "fmt"])
def test_a_full_disk_under_the_archive_is_exit_4_and_changes_nothing(full_disk: Path, command: str) -> None:
    data = full_disk / "data"
    copy_data(data)
    if command == "fmt":  # a file out of canonical form, for fmt to rewrite
        kyoto = data / "universities" / "kyoto.toml"
        kyoto.write_text(kyoto.read_text(encoding="utf-8").replace(" = ", "=", 1), encoding="utf-8")
    before = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    fill(full_disk)
    args = (
        ["fmt"]
        if command == "fmt"
        else ["add", "person", "--id", "someone", "--name-en", "Someone", "--source", "x", "--lines", "1"]
    )
    result = subprocess.run(
        [str(INSTALLED), "--data", str(data), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 4, result.stderr
    assert "No space left on device" in result.stderr and result.stderr.count("\n") == 1, result.stderr
    after = {p: p.read_bytes() for p in data.rglob("*") if p.is_file() and p.name != ".spnet.lock"}
    assert after == before


@pytest.fixture
def unwritable(tmp_path: Path) -> Iterator[Path]:
    """A directory where nothing can be made, even by root (chattr +i)."""
    where = tmp_path / "immutable"
    where.mkdir()
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(where)], capture_output=True).returncode:
        pytest.skip("chattr +i is not available here (needs root and a file system that has it)")
    try:
        yield where
    finally:
        subprocess.run(["chattr", "-i", str(where)], check=False)


@pytest.mark.parametrize("writer", WRITERS)
def test_a_target_that_cannot_be_made_is_named_not_the_temporary_file(writer: str, unwritable: Path) -> None:
    target = unwritable / f"out.{writer}"
    result = installed(WRITERS[writer][0], str(target))
    assert result.returncode == 4
    assert result.stderr.decode() == f"spnet: error: cannot write the output: {target}: Operation not permitted\n"
    assert not list(unwritable.iterdir())


def _archive_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    "args",
    [
        ["export", "json", "--out", "{data}/universities/kyoto.toml"],
        ["export", "ics", "--out", "{data}/project.toml"],
        ["export", "csv", "--out", "{data}/tables"],
        ["export", "sqlite", "--out", "{tmp}/spnet.db", "--metadata", "{data}/project.toml"],
        ["graph", "--format", "svg", "--out", "{data}/universities/keio.toml"],
        ["timeline", "--svg", "{data}/universities/keio.toml"],
        ["timeline", "--svg", "{link}/project.toml"],  # through a link to the data directory
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_no_output_replaces_a_file_of_the_archive(tmp_path: Path, args: list[str]) -> None:
    data = tmp_path / "data"
    copy_data(data)
    (tmp_path / "link").symlink_to(data)
    before = _archive_bytes(data)
    where = {"data": str(data), "tmp": str(tmp_path), "link": str(tmp_path / "link")}
    result = subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(data), *(a.format(**where) for a in args)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "inside the archive's data directory" in result.stderr
    assert _archive_bytes(data) == before  # every record as it was, nothing added beside them


# ------------------------------------------------------------------ a name that ends in a slash
# Every option that names a file spnet writes, `{}` its value.
FILE_OPTIONS = {
    "export json --out": ["export", "json", "--out", "{}"],
    "export ics --out": ["export", "ics", "--out", "{}"],
    "export sqlite --out": ["export", "sqlite", "--out", "{}"],
    "export sqlite --metadata": ["export", "sqlite", "--out", "spnet.db", "--metadata", "{}"],
    "graph --out": ["graph", "--out", "{}"],
    "graph --format svg --out": ["graph", "--format", "svg", "--out", "{}"],
    "timeline --svg": ["timeline", "--svg", "{}"],
}


def _files(root: Path) -> dict[str, object]:
    """Every entry under root: a link by where it points, a directory as such, a file by its content."""

    def seen(p: Path) -> object:
        return ("link", os.readlink(p)) if p.is_symlink() else "dir" if p.is_dir() else p.read_bytes()

    return {str(p.relative_to(root)): seen(p) for p in sorted(root.rglob("*"))}


@pytest.mark.slow
@pytest.mark.parametrize(
    "target,message",
    [
        ("newdir/", "newdir/: No such file or directory"),  # a directory that is not there
        ("newdir/.", "newdir/.: No such file or directory"),
        ("mine.txt/", "mine.txt/: Not a directory"),  # a file's name with a slash: the file kept
        ("here/", "here/: Is a directory"),  # a directory that is there: refused, as without the slash
        ("here/.", "here/.: Is a directory"),
        ("here/..", "here/..: Is a directory"),
        ("link-to-mine/", "link-to-mine/: Not a directory"),
        ("link-to-nothing/", "link-to-nothing/: No such file or directory"),
    ],
)
@pytest.mark.parametrize("option", FILE_OPTIONS)
def test_a_name_ending_in_a_slash_names_a_directory(tmp_path: Path, option: str, target: str, message: str) -> None:
    """`--out newdir/` is what the system reads it as, a directory's name: never a file made
    as `newdir`, nor an existing file written over; one line and exit 4, as writing any
    path that cannot be opened."""
    (tmp_path / "here").mkdir()
    (tmp_path / "mine.txt").write_text("my notes")
    (tmp_path / "link-to-mine").symlink_to("mine.txt")
    (tmp_path / "link-to-nothing").symlink_to("nothing")
    before = _files(tmp_path)
    args = [target if a == "{}" else a for a in FILE_OPTIONS[option]]
    result = installed(args, "", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (4, b""), result.stderr
    assert result.stderr.decode() == f"spnet: error: cannot write the output: {message}\n"
    assert _files(tmp_path) == before  # nothing made, nothing replaced, no temporary file left


@pytest.mark.parametrize("target", ["tables/", "tables/.", "tables"])
@pytest.mark.parametrize("exists", [False, True])
def test_the_csv_export_is_a_directory_with_or_without_the_slash(tmp_path: Path, target: str, exists: bool) -> None:
    """CSV writes a directory: its name may end in a slash, and it is made if it is not there."""
    if exists:
        (tmp_path / "tables").mkdir()
    result = installed(["export", "csv", "--out", target], "", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, b"")
    assert [p.name for p in tmp_path.iterdir()] == ["tables"]
    assert (tmp_path / "tables" / "partners.csv").read_text(encoding="utf-8").startswith("id,")


def test_a_csv_export_over_a_file_keeps_the_file(tmp_path: Path) -> None:
    (tmp_path / "tables").write_text("my notes")
    for target in ("tables", "tables/"):
        result = installed(["export", "csv", "--out", target], "", cwd=tmp_path)
        assert result.returncode in (2, 4) and result.stderr.count(b"\n") == 1, result.stderr
        assert b"not a directory" in result.stderr.lower()
    assert (tmp_path / "tables").read_text() == "my notes" and len(list(tmp_path.iterdir())) == 1


# ------------------------------------------------------------------ two outputs, one file
@pytest.mark.parametrize(
    "args,message",
    [
        (
            ["export", "sqlite", "--out", "same.db", "--metadata", "same.db"],
            "--out same.db and --metadata same.db name",
        ),
        (["export", "sqlite", "--out", "same.db", "--metadata", "./same.db"], "--out same.db and --metadata ./same.db"),
        (["export", "sqlite", "--out", "a/../same.db", "--metadata", "same.db"], "--out a/../same.db and --metadata"),
        (["export", "sqlite", "--out", "-", "--metadata", "/dev/stdout"], "--out - and --metadata /dev/stdout both"),
        (["export", "sqlite", "--out", "/dev/fd/1", "--metadata", "-"], "--out /dev/fd/1 and --metadata - both write"),
        (["export", "sqlite", "--out", "/dev/stdout", "--metadata", "/dev/fd/1"], "--out /dev/stdout and --metadata"),
        (["timeline", "--svg", "-", "--format", "csv"], "--svg - and --format csv both write to standard output"),
        (["timeline", "--svg", "/dev/stdout", "--format", "json"], "--svg /dev/stdout and --format json both write"),
        (["timeline", "--svg", "/dev/fd/1", "--format", "table"], "--svg /dev/fd/1 and --format table both write"),
    ],
)
def test_outputs_that_would_overwrite_each_other_are_refused(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "a").mkdir()
    result = installed(args, "", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, b""), result.stderr
    assert result.stderr.decode().startswith(f"spnet: error: {message}") and result.stderr.count(b"\n") == 1
    assert [p.name for p in tmp_path.iterdir()] == ["a"]  # no file named - and no database written


def test_a_link_to_the_other_output_is_the_same_file(tmp_path: Path) -> None:
    """Named through a symbolic link, or a hard one, the file is still the one: both exist,
    and neither is written."""
    ours = tmp_path / "spnet.db"
    assert installed(["export", "sqlite", "--out", str(ours)], "").returncode == 0
    (tmp_path / "soft").symlink_to(ours)
    os.link(ours, tmp_path / "hard")
    (tmp_path / "dangling").symlink_to(tmp_path / "new.json")
    before = _files(tmp_path)
    for out, metadata in [(ours, tmp_path / "soft"), (tmp_path / "hard", ours), (tmp_path / "new.json", "dangling")]:
        result = installed(["export", "sqlite", "--out", str(out), "--metadata", str(metadata)], "", cwd=tmp_path)
        assert result.returncode == 2 and result.stderr.count(b"\n") == 1, result.stderr
        assert b"name the same file" in result.stderr
    assert _files(tmp_path) == before


def test_standard_output_sent_to_the_named_file_is_the_same_file(tmp_path: Path) -> None:
    """`spnet timeline --svg t.svg --format json > t.svg`: the listing and the picture would
    land in one file."""
    picture = tmp_path / "t.svg"
    command = [str(INSTALLED), "--data", str(DATA), "timeline", "--svg", str(picture), "--format", "json"]
    with open(picture, "wb") as stdout:
        result = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, timeout=120)
    assert result.returncode == 2 and b"both write to standard output" in result.stderr
    assert picture.read_bytes() == b""


@pytest.mark.parametrize(
    "args",
    [
        ["export", "sqlite", "--out", "-", "--metadata", "/dev/null"],
        ["export", "sqlite", "--out", "/dev/null", "--metadata", "/dev/null"],
        ["timeline", "--svg", "/dev/null", "--format", "json"],
    ],
)
def test_dev_null_takes_any_number_of_outputs(tmp_path: Path, args: list[str]) -> None:
    result = installed(args, "", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, b"")
    assert list(tmp_path.iterdir()) == []


def test_two_outputs_to_two_files_are_both_written(tmp_path: Path) -> None:
    result = installed(["export", "sqlite", "--out", "-", "--metadata", "meta.json"], "", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout.startswith(b"SQLite format 3\x00")
    assert (tmp_path / "meta.json").read_text(encoding="utf-8").startswith("{")


def test_the_refusals_speak_japanese(tmp_path: Path) -> None:
    args = ["export", "sqlite", "--out", "-", "--metadata", "/dev/stdout"]
    result = installed(args, "", cwd=tmp_path, env={**os.environ, "SPNET_LANG": "ja"})
    assert result.returncode == 2
    assert result.stderr.decode() == (
        "spnet: エラー: --out - と --metadata /dev/stdout はどちらも標準出力に書き出します。"
        "どちらか一方にはファイルを指定してください\n"
    )


@pytest.mark.parametrize(
    "args,message",
    [
        (["export", "json", "--bom"], "--bom goes with csv"),
        (["export", "json", "--force"], "--metadata and --force go with sqlite"),
        (["export", "csv", "--out", "tables", "--no-vague-dates"], "--kind and --vague-dates/--no-vague-dates go"),
        (["export", "sqlite", "--out", "x.db", "--no-vague-dates"], "a SQLite export holds the whole archive"),
    ],
)
def test_an_export_option_for_another_format_is_refused(tmp_path: Path, args: list[str], message: str) -> None:
    result = spnet(*args, cwd=tmp_path)
    assert result.returncode == 2 and not result.stdout and result.stderr.count(b"\n") == 1
    assert result.stderr.decode().startswith(f"spnet: error: {message}")
    assert list(tmp_path.iterdir()) == []
