"""Bad input of any kind, in one table: a broken archive or a bad command line. Each
gives one line on stderr, its documented exit code (3: the archive; 2: the command
line), nothing on stdout, and never a traceback."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.test_loader_errors import CASES as BROKEN_ARCHIVES

# (case, breaks the archive copy or None, arguments, exit code, message)
Case = tuple[str, Callable[[Path], object] | None, list[str], int, str]

COMMAND_LINE = [
    (["partners", "--university", "nagoya"], "unknown university 'nagoya'"),
    (["partners", "--university", "kyouto"], "unknown university 'kyouto'; did you mean kyoto (Kyoto University)?"),
    (
        ["partners", "--university", "東"],
        "ambiguous university '東': it could be tokyo (The University of Tokyo), tohoku",
    ),
    (["partners", "--university", "University"], "ambiguous university"),
    (["partners", "--country", "Atlantis"], "unknown country 'Atlantis'"),
    (["partners", "--kind", "friend"], "unknown partner kind 'friend'"),
    (["timeline", "--kind", "party"], "unknown event kind 'party'"),
    (["partners", "--fields", "id,colour"], "unknown field 'colour'; available: id, university"),
    (["timeline", "--from", "2024", "--to", "2023"], "--from 2024 is after --to 2023"),
    (["meetings", "--year", "abc"], "bad date 'abc'"),
    (["meetings", "--year", "99999"], "bad date '99999'"),
    (["timeline", "--from", "1 Apr"], "no year given"),
    (["timeline", "--to", "March 32 2023"], "bad date 'March 32 2023'"),
    (["timeline", "--upcoming", "--past"], "exclude each other"),
    (["show", "meeting-99"], "unknown record 'meeting-99'; did you mean meeting-09"),
    (["search", "   "], "empty search text"),
    (["partners", "--format", "yaml"], "Invalid value for '--format'"),
    (["partners", "--lang", "fr"], "unknown --lang 'fr': give one of en, ja, both"),
    (["nonsense"], "no such command 'nonsense'"),
    (["meetings", "--fy", "2023-03"], "bad fiscal year '2023-03'"),
    (["partners", "--since", "yesterday"], "bad date 'yesterday'"),
    (["partners", "--designated-since", "2023-13"], "bad date '2023-13'"),
    (["partners", "--fields", ""], "--fields needs at least one field name"),
    (["meetings", "--year", "2022", "--year", "2023"], "--year was given more than once"),
    (["partners", "--format", "json", "-f", "csv"], "--format was given more than once"),
    (["export"], "Missing argument 'FORMAT'. Choose from: json, csv, ics, sqlite (usage:"),
    (["partners", "--data", "/elsewhere"], "--data was given more than once"),
]


def _empty(data: Path) -> None:
    shutil.rmtree(data)
    data.mkdir()


def _unreadable(data: Path) -> None:
    """As root any file is readable: the permission a user would meet is simulated."""
    target = str(data / "universities" / "kyoto.toml")
    real = os.open

    def refusing_open(path: object, flags: int, *args: object) -> int:
        if str(path) == target:
            raise PermissionError(13, "Permission denied", target)
        return real(path, flags, *args)  # type: ignore[arg-type]

    _PATCHES.append((os, "open", refusing_open))  # the operating system's own call refuses


_PATCHES: list[tuple[object, str, object]] = []

MORE_ARCHIVES = [
    ("empty data directory", _empty, "data/project.toml: missing file"),
    ("data directory does not exist", lambda d: shutil.rmtree(d), "data: data directory does not exist"),
    ("unreadable file", _unreadable, "universities/kyoto.toml: cannot be read: permission denied"),
]

TABLE: list[Case] = [
    *(
        (name, breaker, ["partners", "--format", "json"], 3, message)
        for name, breaker, message in [*BROKEN_ARCHIVES, *MORE_ARCHIVES]
    ),
    *((" ".join(args), None, args, 2, message) for args, message in COMMAND_LINE),
]


def test_the_table_is_large() -> None:
    assert len(TABLE) >= 30


@pytest.mark.parametrize("case,breaker,args,code,message", TABLE, ids=[c[0] for c in TABLE])
def test_bad_input(cli, data_copy: Path, case: str, breaker, args: list[str], code: int, message: str) -> None:
    _PATCHES.clear()
    if breaker is not None:
        breaker(data_copy)
    with pytest.MonkeyPatch.context() as patch:
        for target, attribute, replacement in _PATCHES:
            patch.setattr(target, attribute, replacement)
        result = cli("--data", str(data_copy), *args)
    assert result.exit_code == code, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("spnet: error: "), result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.stderr
    if code == 3:  # names the file, or the directory, that is wrong
        assert lines[0].startswith(("spnet: error: data/", f"spnet: error: {data_copy}"))
