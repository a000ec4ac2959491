"""spnet add: validated before anything is written, atomic, canonical, safe under
concurrency and failure at every step."""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import tomli_w

from spnet.archive import edit as archive
from tests.conftest import json_rows

KYOTO = "universities/kyoto.toml"
PARTNER = ["add", "partner", "-u", "京都", "--id", "kyoto-new", "--name-en", "New University", "--kind", "strategic"]
SOURCE = ["--source", "Minutes of 2025", "--lines", "3,4"]


def snapshot(data: Path) -> dict[str, bytes]:
    """Every file of the archive but the writers' lock file."""
    files = (p for p in sorted(data.rglob("*")) if p.is_file() and p.name != archive.LOCK_NAME)
    return {str(p.relative_to(data)): p.read_bytes() for p in files}


def test_add_partner_lands_canonically_and_touches_nothing_else(cli, data_copy: Path) -> None:
    before = (data_copy / KYOTO).read_text(encoding="utf-8")
    # A country is "stated" when the cited lines of the report name it: UK and 英国 (2653, 2597).
    stated = ["--source", "Minutes of 2025", "--lines", "2597,2653"]
    result = cli("--data", str(data_copy), *PARTNER, "--since", "March 2025", "--country", "UK", *stated)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("added partner kyoto-new to ")
    after = (data_copy / KYOTO).read_text(encoding="utf-8")
    assert tomli_w.dumps(tomllib.loads(after)) == after  # canonical
    ops = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines()).get_opcodes()
    assert [op[0] for op in ops if op[0] != "equal"] == ["insert"]  # every other line byte-identical
    new = tomllib.loads(after)["partners"][-1]
    assert new == {
        "id": "kyoto-new",
        "name_en": "New University",
        "kind": "strategic-partner",
        "country": "gb",
        "country_basis": "stated",
        "since": "2025-03",
        "source": "Minutes of 2025",
        "lines": [2597, 2653],
    }
    listed = cli("--data", str(data_copy), "partners", "-u", "kyoto", "--format", "tsv", "--fields", "id,since")
    assert listed.stdout.splitlines()[-1] == "kyoto-new\t2025-03"
    assert cli("--data", str(data_copy), "check").exit_code == 0


def test_add_partner_with_both_dates_is_found_by_each(cli, data_copy: Path) -> None:
    dates = ["--since", "2001", "--designated", "2025年4月"]
    assert cli("--data", str(data_copy), *PARTNER, *dates, *SOURCE).exit_code == 0
    new = tomllib.loads((data_copy / KYOTO).read_text(encoding="utf-8"))["partners"][-1]
    assert (new["since"], new["designated"]) == ("2001", "2025-04")
    by_designation = cli("--data", str(data_copy), "partners", "--designated-since", "2025", "--format", "tsv")
    assert [line.split("\t")[0] for line in by_designation.stdout.splitlines()[1:]] == ["kyoto-new"]
    by_beginning = cli("--data", str(data_copy), "partners", "-u", "kyoto", "--since", "2001", "--format", "tsv")
    assert [line.split("\t")[0] for line in by_beginning.stdout.splitlines()[1:]] == ["kyoto-new"]


def test_add_event_and_person(cli, data_copy: Path) -> None:
    event = [
        "add", "event", "--id", "kyoto-vienna-2025", "--kind", "milestone", "--date", "2025-06", "-u", "kyoto",
        "--title-ja", "ウィーン大学とのシンポジウム", "--partner", "kyoto-vienna", "--tentative", *SOURCE,
    ]  # fmt: skip
    assert cli("--data", str(data_copy), *event).exit_code == 0
    rows = cli("--data", str(data_copy), "timeline", "--from", "2025", "--format", "tsv", "--no-header").stdout
    # FY2024 (Soka's plan from 2024年度 on) runs to March 2025; the new event comes after it.
    assert rows.splitlines()[-1] == (
        "2025-06\ttrue\tmilestone\t\t\tウィーン大学とのシンポジウム\tkyoto\tkyoto-vienna-2025\tfalse\tfalse\t\t\t"
        "	3, 4		"  # the lines it cites, none of its own; no field disputed
        "	2025-06-01	2025-06-30"  # the first and last day of June 2025
    )
    person = ["add", "person", "--id", "new-person", "--name-ja", "山田 花子", "--role-ja", "教授", *SOURCE]
    assert cli("--data", str(data_copy), *person).exit_code == 0
    people = cli("--data", str(data_copy), "contacts", "--format", "tsv", "--fields", "id,name_ja,name_en")
    assert "new-person\t山田 花子\t\n" in people.stdout


@pytest.mark.parametrize("typed", ["1990年代", "1990s", "199X", "１９９０年代"])
def test_a_decade_is_added_as_the_archive_stores_it_and_found_by_it(cli, data_copy: Path, typed: str) -> None:
    """A date the report knows only to the decade (1990年代) is written as the archive keeps
    its other one (199X), in canonical form, and answers as that decade everywhere."""
    since = [*PARTNER, "--since", typed, "--designated", typed, *SOURCE]
    event = [
        "add", "event", "--id", "kyoto-new-office", "--kind", "milestone", "--date", typed, "-u", "kyoto",
        "--title-en", "An office opened", "--partner", "kyoto-new", *SOURCE,
    ]  # fmt: skip
    for args in (since, event):
        added = cli("--data", str(data_copy), *args)
        assert added.exception is None and added.exit_code == 0, added.stderr
    doc = tomllib.loads((data_copy / KYOTO).read_text(encoding="utf-8"))
    assert (doc["partners"][-1]["since"], doc["partners"][-1]["designated"]) == ("199X", "199X")
    assert doc["events"][-1]["date"] == "199X"
    assert cli("--data", str(data_copy), "fmt", "--check").exit_code == 0
    assert cli("--data", str(data_copy), "check").exit_code == 0
    (shown,) = json_rows(cli, "--data", str(data_copy), "show", "kyoto-new-office")
    assert shown["date"] == "199X"
    in_the_1990s = json_rows(cli, "--data", str(data_copy), "timeline", "--from", "1990年代", "--to", "1999")
    assert "kyoto-new-office" in {e["id"] for e in in_the_1990s}
    assert [e["id"] for e in json_rows(cli, "--data", str(data_copy), "timeline", "--from", "2000")].count(
        "kyoto-new-office"
    ) == 0
    begun = json_rows(cli, "--data", str(data_copy), "partners", "-u", "kyoto", "--since", "1990s")
    assert [(p["id"], p["since"]) for p in begun if p["id"] == "kyoto-new"] == [("kyoto-new", "199X")]


def test_a_decade_out_of_range_is_refused_by_the_installed_command_in_japanese(data_copy: Path) -> None:
    """The same refusal as for any other date, in the reader's language: one line, exit 2."""
    before = snapshot(data_copy)
    spnet = Path(sys.executable).with_name("spnet")  # the console script, as a user runs it
    result = subprocess.run(
        [spnet, "--data", str(data_copy), *PARTNER, "--since", "3000年代", *SOURCE],
        capture_output=True,
        text=True,
        env={**os.environ, "SPNET_LANG": "ja"},
        timeout=60,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("spnet: エラー: 日付 '3000年代' は使えません: 3000年は範囲外です。")
    assert result.stderr.count("\n") == 1
    assert snapshot(data_copy) == before


# A partner and the country the report names only inside its name need each other: without
# the partner, countries.toml's Switzerland (basis "name") is an error.
ETH = ["--id", "tokyo-eth-zurich", "--name-ja", "スイス連邦工科大学チューリッヒ校", "--kind", "strategic-partner"]
ETH += ["--country-basis", "name", "--country-lines", "2534", "--source", "Chapter 4", "--lines", "2534"]


def _without_eth(data: Path) -> tuple[Path, str]:
    """The archive with ETH Zurich taken out of its file: not valid, and the error every
    command that reads it gives."""
    tokyo = data / "universities" / "tokyo.toml"
    doc = tomllib.loads(tokyo.read_text(encoding="utf-8"))
    doc["partners"] = [p for p in doc["partners"] if p["id"] != "tokyo-eth-zurich"]
    tokyo.write_text(tomli_w.dumps(doc), encoding="utf-8")
    checked = subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(data), "partners"], capture_output=True, text=True, timeout=120
    )
    assert checked.returncode == 3 and checked.stderr.count("\n") == 1
    error = checked.stderr.rstrip("\n")
    assert 'countries[10] (ch): basis = "name", but no partner of this country' in error, error
    return tokyo, error


def test_a_record_that_makes_the_archive_valid_is_added(cli, data_copy: Path) -> None:
    """The one order in which `add` can write such a pair: the country first (by hand), then
    the partner that makes the archive valid again; its country typed as a user names it."""
    tokyo, _error = _without_eth(data_copy)
    added = cli("--data", str(data_copy), "add", "partner", "-u", "tokyo", *ETH, "--country", "スイス")
    assert added.exception is None and added.exit_code == 0, added.stderr
    (new,) = [p for p in tomllib.loads(tokyo.read_text(encoding="utf-8"))["partners"] if p["id"] == "tokyo-eth-zurich"]
    assert (new["country"], new["country_basis"], new["country_lines"]) == ("ch", "name", [2534])
    assert cli("--data", str(data_copy), "check").exit_code == 0
    assert cli("--data", str(data_copy), "fmt", "--check").exit_code == 0
    swiss = json_rows(cli, "--data", str(data_copy), "partners", "--country", "Switzerland")
    assert "tokyo-eth-zurich" in {p["id"] for p in swiss}


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["person", "--id", "new-person", "--name-en", "N", "--source", "s", "--lines", "1"], id="other"),
        pytest.param(
            ["partner", "-u", "tokyo", *[("1" if a == "2534" else a) for a in ETH], "--country", "ch"],
            id="lines-without-the-name",
        ),
        pytest.param(["partner", "-u", "東京大学", *ETH, "--country", "ch"], id="by-name"),
        pytest.param(["partner", "-u", "../universities/tokyo", *ETH, "--country", "ch"], id="a-path"),
    ],
)
def test_an_archive_a_record_leaves_invalid_is_refused_as_before(data_copy: Path, args: list[str]) -> None:
    """A record that does not make the archive valid (another record; the partner citing
    lines without the name; a university by a name, which only a valid archive resolves;
    a path) is refused by the installed command with the archive's own error, exit 3."""
    _tokyo, error = _without_eth(data_copy)
    before = snapshot(data_copy)
    result = subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(data_copy), "add", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode, result.stdout, result.stderr.splitlines()) == (3, "", [error])
    assert snapshot(data_copy) == before


@pytest.mark.parametrize(
    "extra,message",
    [
        (["--id", "kyoto-vienna"], "duplicate id 'kyoto-vienna'"),
        (["--id", "Not An Id"], "must be lower-case letters"),
        (["--since", "2025-02-30"], "bad date '2025-02-30'"),
        (["--since", "3000年代"], "bad date '3000年代': year 3000 is out of range"),
        (["--since", "1995年代"], "bad date '1995年代'; use "),  # a decade begins in a year ending 0
        (["--designated", "2025-13"], "bad date '2025-13'"),
        (["--country", "Atlantis"], "unknown country 'Atlantis'"),
        (["--kind", "friend"], "unknown partner kind 'friend'"),
        (["-u", "nagoya"], "unknown university 'nagoya'"),
        (["--lines", "x"], "--lines 'x'"),
        # "stated", and the lines cited (3, 4) do not name the country
        (["--country", "UK"], "country_basis = \"stated\", but no name of 'gb' (UK / 英国) stands on lines 3, 4"),
    ],
)
def test_refused_additions_change_nothing(cli, data_copy: Path, extra: list[str], message: str) -> None:
    before = snapshot(data_copy)
    args = ["--data", str(data_copy), *PARTNER, *SOURCE]
    option, value = extra
    if option in args:  # an option given twice is refused: replace its value instead
        args[args.index(option) + 1] = value
    else:
        args += extra
    result = cli(*args)
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr and len(result.stderr.splitlines()) == 1
    assert snapshot(data_copy) == before


def test_an_option_given_twice_is_refused_not_replaced(cli, data_copy: Path) -> None:
    before = snapshot(data_copy)
    result = cli("--data", str(data_copy), *PARTNER, *SOURCE, "--id", "kyoto-other")
    assert result.exit_code == 2
    assert result.stderr == "spnet: error: --id was given more than once; give it once\n"
    assert snapshot(data_copy) == before


def test_dry_run_shows_the_record_and_diff_and_writes_nothing(cli, data_copy: Path) -> None:
    before = snapshot(data_copy)
    result = cli("--data", str(data_copy), *PARTNER, *SOURCE, "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.startswith('[[partners]]\nid = "kyoto-new"\n')
    assert '+id = "kyoto-new"' in result.stdout and "--- a/data/universities/kyoto.toml" in result.stdout
    assert snapshot(data_copy) == before


@pytest.mark.parametrize("step", ["fsync", "chmod", "replace"])
def test_a_failure_at_any_step_leaves_the_old_file(cli, data_copy: Path, monkeypatch, step: str) -> None:
    before = snapshot(data_copy)

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, step, fail)  # the operating system's own call fails
    result = cli("--data", str(data_copy), *PARTNER, *SOURCE)
    assert result.exit_code == 4
    assert (
        result.stderr
        == "spnet: error: data/universities/kyoto.toml: cannot write, nothing changed: No space left on device\n"
    )
    assert snapshot(data_copy) == before  # no temporary file left either


def test_a_disk_that_fills_while_writing_leaves_the_old_file(data_copy: Path) -> None:
    """A real failure in mid-write: the file-size limit lets only 4 KiB be written."""
    import resource
    import signal

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, not kills
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    before = snapshot(data_copy)
    result = subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(data_copy), "--no-cache", *PARTNER, *SOURCE],
        capture_output=True,
        text=True,
        preexec_fn=small_disk,
        timeout=60,
    )
    assert result.returncode == 4
    assert (
        result.stderr == "spnet: error: data/universities/kyoto.toml: cannot write, nothing changed: File too large\n"
    )
    assert snapshot(data_copy) == before  # no temporary file left either


def test_a_held_lock_is_a_clear_error(cli, data_copy: Path, monkeypatch) -> None:
    import fcntl

    before = snapshot(data_copy)
    with open(data_copy / archive.LOCK_NAME, "w") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        result = cli("--data", str(data_copy), *PARTNER, *SOURCE, env={"SPNET_LOCK_WAIT": "0.2"})
    assert result.exit_code == 3 and "another spnet is writing" in result.stderr
    assert snapshot(data_copy) == before


def test_concurrent_adds_both_land(data_copy: Path) -> None:
    def start(n: int) -> subprocess.Popen[str]:
        args = [*PARTNER, *SOURCE]
        args[args.index("kyoto-new")] = f"kyoto-new-{n}"
        return subprocess.Popen(
            [sys.executable, "-m", "spnet", "--data", str(data_copy), "--no-cache", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    procs = [start(n) for n in range(4)]
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    ids = [p["id"] for p in tomllib.loads((data_copy / KYOTO).read_text(encoding="utf-8"))["partners"]]
    assert sorted(i for i in ids if i.startswith("kyoto-new-")) == [f"kyoto-new-{n}" for n in range(4)]


@pytest.mark.slow
def test_killed_at_random_moments_the_archive_holds_the_old_or_the_new_records(data_copy: Path) -> None:
    """SIGKILL `spnet add` at random points, many times: every time the archive loads, with
    every earlier record, and the new one either fully there or not there at all."""
    import random
    import signal
    import time

    from spnet.archive import load_archive

    rng = random.Random(20240331)
    original = {p.id for p in load_archive(data_copy, cache=False).partners}
    landed: set[str] = set()
    for attempt in range(25):
        rid = f"kyoto-kill-{attempt}"
        args = [*PARTNER, *SOURCE]
        args[args.index("kyoto-new")] = rid
        proc = subprocess.Popen(
            [sys.executable, "-m", "spnet", "--data", str(data_copy), "--no-cache", *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.0, 0.6))  # a run takes ~0.3-0.5 s: kill before, during or after
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        ids = {p.id for p in load_archive(data_copy, cache=False).partners}
        assert original | landed <= ids  # nothing lost
        assert ids - original - landed <= {rid}  # at most the one being added
        landed |= ids & {rid}
    # Some kills must have interrupted a run (a sleep can be ~0 s); on a slow machine none
    # may land, which leaves the invariants above still checked.
    assert len(landed) < 25
    # A killed writer may leave its temporary file (never a partial .toml); the next add removes it.
    result = subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(data_copy), *PARTNER, *SOURCE], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert [p.name for p in (data_copy / "universities").iterdir() if p.suffix == ".tmp"] == []


def test_a_read_only_data_directory_is_a_clear_error(cli, data_copy: Path, monkeypatch) -> None:
    """As root every directory is writable, so the refusal the OS gives a user is simulated."""
    before = snapshot(data_copy)
    real_open = os.open

    def read_only(path: object, flags: int, *args: object) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and str(path).startswith(str(data_copy)):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", read_only)
    result = cli("--data", str(data_copy), *PARTNER, *SOURCE)
    assert result.exit_code == 3
    assert result.stderr == f"spnet: error: {data_copy}: cannot write here: Permission denied\n"
    assert snapshot(data_copy) == before
