"""One broken archive per kind of error: one line on stderr naming the file, exit 3 for
listing commands, every error listed and exit 1 for `spnet check`; never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import replace_text

PROJECT = "project.toml"
KYOTO = "universities/kyoto.toml"


CASES: list[tuple[str, Callable[[Path], None], str]] = [
    (
        "toml syntax error",
        lambda d: replace_text(d / KYOTO, 'name_en = "Kyoto University"', 'name_en = "Kyoto University'),
        "universities/kyoto.toml: line 3, column 28: Illegal character",
    ),
    (
        "wrong type",
        lambda d: replace_text(d / KYOTO, 'designated = "2019"', "designated = 2019"),
        "'designated' must be a date string, not an integer",
    ),
    (
        "missing required key",
        lambda d: replace_text(d / KYOTO, 'kind = "strategic-partner"\n', "", 1),
        "missing required key 'kind'",
    ),
    (
        "unknown key",
        lambda d: replace_text(d / KYOTO, 'designated = "2019"', 'designate = "2019"'),
        "unknown key 'designate'",
    ),
    (
        "the words of a date without the date",
        lambda d: replace_text(d / KYOTO, 'designated = "2019"\n', ""),
        "'designated_what' goes with a date in 'designated'",
    ),
    (
        "duplicate id across files",
        lambda d: replace_text(d / KYOTO, 'id = "kyoto-vienna"', 'id = "osaka-ucl"'),
        "duplicate id 'osaka-ucl'",
    ),
    (
        "unknown partner reference",
        lambda d: replace_text(d / KYOTO, 'partners = [\n    "kyoto-vienna",', 'partners = [\n    "kyoto-nowhere",'),
        "partner 'kyoto-nowhere' is not a known partner",
    ),
    (
        "unknown university reference",
        lambda d: replace_text(d / PROJECT, '    "tokyo",\n    "kyoto",', '    "tokio",\n    "kyoto",'),
        "university 'tokio' is not a known university",
    ),
    (
        "impossible date",
        lambda d: replace_text(d / PROJECT, 'date = "2022-03-15"', 'date = "2023-02-30"'),
        "day is out of range for month",
    ),
    (
        "month out of range",
        lambda d: replace_text(d / PROJECT, 'date = "2022-03-15"', 'date = "2023-13"'),
        "month 13 out of range",
    ),
    (
        "weekday on a partial date",
        lambda d: replace_text(d / PROJECT, 'date = "2022-03-15"', 'date = "2022-03"'),
        "a weekday is given but the date has no day",
    ),
    (
        "not UTF-8",
        lambda d: (d / KYOTO).write_bytes(
            (d / KYOTO).read_bytes().replace("京都大学".encode(), "京都大学".encode("shift_jis"), 1)
        ),
        "universities/kyoto.toml: line 4: not UTF-8 (byte 0x8b)",
    ),
    (
        "empty file",
        lambda d: (d / KYOTO).write_text("", encoding="utf-8"),
        "universities/kyoto.toml: the file is empty",
    ),
    (
        "file is a directory",
        lambda d: ((d / KYOTO).unlink(), (d / KYOTO).mkdir()),
        "universities/kyoto.toml: is a directory",
    ),
    (
        "university file missing",
        lambda d: (d / KYOTO).unlink(),
        "university 'kyoto' has no file universities/kyoto.toml",
    ),
    (
        "file name and id differ",
        lambda d: (d / KYOTO).rename(d / "universities/kyōto.toml"),
        "does not match the file name",
    ),
    (
        "unknown kind",
        lambda d: replace_text(d / KYOTO, 'kind = "strategic-partner"', 'kind = "best-friend"'),
        "unknown partner kind 'best-friend'",
    ),
    (
        "unknown top-level table",
        lambda d: replace_text(d / KYOTO, "[university]", "[universty]"),
        "unknown table 'universty'",
    ),
    (
        "empty string",
        lambda d: replace_text(d / KYOTO, 'name_ja = "京都大学"', 'name_ja = ""'),
        "'name_ja' is empty",
    ),
]


@pytest.mark.parametrize("case,breaker,message", CASES, ids=[c[0] for c in CASES])
def test_check_lists_the_error_and_exits_1(cli, data_copy: Path, case: str, breaker, message: str) -> None:
    breaker(data_copy)
    result = cli("--data", str(data_copy), "check")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert any(message in line for line in errors), result.stderr
    assert result.stderr.splitlines()[-1].startswith("spnet: error: ")


def test_environment_variable_chooses_the_archive(cli, data_copy: Path) -> None:
    replace_text(data_copy / KYOTO, 'name_en = "Kyoto University"', 'name_en = "Kyoto University [strategic]"')
    result = cli("universities", "--format", "tsv", "--fields", "id,name_en", env={"SPNET_DATA": str(data_copy)})
    assert result.exit_code == 0
    assert "kyoto\tKyoto University [strategic]\n" in result.stdout


def test_non_canonical_file_is_a_warning(cli, data_copy: Path) -> None:
    replace_text(data_copy / KYOTO, 'id = "kyoto"\n', 'id = "kyoto"   \n')
    result = cli("--data", str(data_copy), "check")
    assert result.exit_code == 0
    assert "universities/kyoto.toml: not in canonical form" in result.stderr
