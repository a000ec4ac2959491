"""The archive cache: used while nothing changed, never stale, rebuilt when corrupt."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from spnet import store
from spnet.errors import DataError
from spnet.store import cache_path, load_archive

KYOTO = "universities/kyoto.toml"


def _fail_scan(*args: object, **kwargs: object) -> None:
    raise AssertionError("the files were read although the cache was valid")


def test_second_load_comes_from_the_cache(data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_archive(data_copy)
    assert cache_path(data_copy).is_file()
    monkeypatch.setattr(store, "scan", _fail_scan)
    assert load_archive(data_copy) == first


def test_an_edit_within_the_same_second_is_seen(cli, data_copy: Path) -> None:
    args = ("--data", str(data_copy), "partners", "-u", "kyoto", "--format", "json")
    assert json.loads(cli(*args).stdout)[0]["since"] == "2019"
    path = data_copy / KYOTO
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('since = "2019"', 'since = "2018"', 1), encoding="utf-8")
    # Same size, and the modification time put back to the nanosecond.
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    assert json.loads(cli(*args).stdout)[0]["since"] == "2018"


def test_a_new_or_removed_file_is_seen(cli, data_copy: Path) -> None:
    assert cli("--data", str(data_copy), "check").exit_code == 0
    assert cli("--data", str(data_copy), "universities").exit_code == 0
    (data_copy / "extra.toml").write_text("[x]\n", encoding="utf-8")
    result = cli("--data", str(data_copy), "universities")
    assert result.exit_code == 3 and "extra.toml: unknown file" in result.stderr


@pytest.mark.parametrize("garbage", [b"", b"not a pickle", b"\x80\x05\x95garbage"])
def test_a_corrupt_cache_is_ignored_and_rebuilt(cli, data_copy: Path, garbage: bytes) -> None:
    load_archive(data_copy)
    cache_path(data_copy).write_bytes(garbage)
    result = cli("--data", str(data_copy), "meetings", "--year", "2023", "--format", "json")
    assert result.exit_code == 0 and len(json.loads(result.stdout)) == 6
    assert cache_path(data_copy).read_bytes() != garbage


def test_no_cache_neither_reads_nor_writes(cli, data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = cli("--data", str(data_copy), "--no-cache", "universities", "--format", "json")
    assert result.exit_code == 0
    assert not cache_path(data_copy).exists() and not cache_path(data_copy, "parsed").exists()
    load_archive(data_copy)  # fills both caches
    parsed = _count_parses(monkeypatch)
    assert cli("--data", str(data_copy), "--no-cache", "universities").exit_code == 0
    assert len(parsed) == 11  # every file read afresh


def test_an_unwritable_cache_directory_is_not_an_error(cli, data_copy: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("", encoding="utf-8")
    result = cli("--data", str(data_copy), "universities", env={"SPNET_CACHE_DIR": str(blocked / "cache")})
    assert result.exit_code == 0 and result.stderr == ""


def test_an_invalid_archive_is_never_cached(cli, data_copy: Path) -> None:
    path = data_copy / KYOTO
    path.write_text(path.read_text(encoding="utf-8").replace('since = "2019"', "since = 2019", 1), encoding="utf-8")
    assert cli("--data", str(data_copy), "partners").exit_code == 3
    assert not cache_path(data_copy).exists()


def test_check_answers_from_the_cache_and_sees_an_edit(cli, data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = cli("--data", str(data_copy), "check")
    assert first.exit_code == 0 and "meeting-03" in first.stderr
    with monkeypatch.context() as m:
        m.setattr(store, "scan", _fail_scan)
        again = cli("--data", str(data_copy), "check")
    assert (again.exit_code, again.stdout, again.stderr) == (0, first.stdout, first.stderr)
    path = data_copy / KYOTO
    path.write_text(path.read_text(encoding="utf-8").replace('id = "kyoto"\n', 'id  = "kyoto"\n', 1), encoding="utf-8")
    edited = cli("--data", str(data_copy), "check")
    assert edited.exit_code == 0 and "universities/kyoto.toml: not in canonical form" in edited.stderr


def test_a_query_cache_does_not_answer_check(cli, data_copy: Path) -> None:
    """A cache written by a query was not checked for canonical form: check reads the files."""
    path = data_copy / KYOTO
    path.write_text(path.read_text(encoding="utf-8").replace('id = "kyoto"\n', 'id  = "kyoto"\n', 1), encoding="utf-8")
    assert cli("--data", str(data_copy), "universities").exit_code == 0
    result = cli("--data", str(data_copy), "check")
    assert "not in canonical form" in result.stderr


def _piece_span(root: Path, name: str) -> tuple[int, int]:
    """Where one piece lies in the cache file: (offset, length)."""
    archive = load_archive(root)
    return archive._load.offsets[name]  # type: ignore[attr-defined]


def test_a_query_reads_only_the_pieces_it_needs(cli, data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ehime's partners are spoiled in the cache: Kyoto's come from the cache without reading
    any file; asking for Ehime's reads the files again and still answers right."""
    expected = {
        u: cli("--data", str(data_copy), "partners", "-u", u, "--format", "json").stdout for u in ("kyoto", "ehime")
    }
    start, length = _piece_span(data_copy, "partners/ehime")
    with cache_path(data_copy).open("r+b") as fh:
        fh.seek(start)
        fh.write(b"\0" * length)
    with monkeypatch.context() as m:
        m.setattr(store, "scan", _fail_scan)
        assert cli("--data", str(data_copy), "partners", "-u", "kyoto", "--format", "json").stdout == expected["kyoto"]
    result = cli("--data", str(data_copy), "partners", "-u", "ehime", "--format", "json")
    assert (result.exit_code, result.stdout, result.stderr) == (0, expected["ehime"], "")


def test_a_cache_cut_short_is_ignored_and_rebuilt(cli, data_copy: Path) -> None:
    args = ("--data", str(data_copy), "timeline", "--format", "json")
    expected = cli(*args).stdout
    size = cache_path(data_copy).stat().st_size
    with cache_path(data_copy).open("r+b") as fh:
        fh.truncate(size - 100)
    assert cli(*args).stdout == expected
    assert cache_path(data_copy).stat().st_size == size


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    parsed: list[str] = []
    real = store.read_toml

    def counting(path: Path, shown: str) -> tuple[str, dict[str, object]]:
        parsed.append(Path(path).name)
        return real(path, shown)

    monkeypatch.setattr(store, "read_toml", counting)
    return parsed


def test_after_an_edit_only_the_edited_file_is_parsed(data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = _count_parses(monkeypatch)
    load_archive(data_copy)
    assert len(parsed) == 11  # project, countries and the nine universities
    path = data_copy / KYOTO
    path.write_text(path.read_text(encoding="utf-8").replace('since = "2019"', 'since = "2018"', 1), encoding="utf-8")
    parsed.clear()
    archive = load_archive(data_copy)
    assert parsed == ["kyoto.toml"]
    assert [p.since.iso() for p in archive.partners_of("kyoto") if p.since][0] == "2018"


def test_check_keeps_its_verdict_on_unchanged_files(cli, data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kyoto = data_copy / KYOTO
    kyoto.write_text(kyoto.read_text(encoding="utf-8").replace('id = "kyoto"\n', 'id  = "kyoto"\n', 1), "utf-8")
    assert "universities/kyoto.toml: not in canonical form" in cli("--data", str(data_copy), "check").stderr
    osaka = data_copy / "universities/osaka.toml"
    osaka.write_bytes(osaka.read_bytes())  # touched: the archive cache is stale, osaka is parsed again
    parsed = _count_parses(monkeypatch)
    result = cli("--data", str(data_copy), "check")
    assert parsed == ["osaka.toml"]
    assert "universities/kyoto.toml: not in canonical form" in result.stderr
    assert "osaka.toml: not in canonical form" not in result.stderr


@pytest.mark.parametrize("garbage", [b"", b"not a pickle", b"\x80\x05\x95garbage"])
def test_a_corrupt_parsed_files_cache_is_ignored(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch, garbage: bytes
) -> None:
    first = load_archive(data_copy)
    cache_path(data_copy, "parsed").write_bytes(garbage)
    cache_path(data_copy).unlink()
    parsed = _count_parses(monkeypatch)
    assert load_archive(data_copy) == first
    assert len(parsed) == 11


def test_add_parses_only_the_file_it_writes(cli, data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("--data", str(data_copy), "check").exit_code == 0  # parses every file once
    parsed = _count_parses(monkeypatch)
    args = ("--id", "kyoto-cached", "--name-en", "Cached University", "--kind", "exchange-partner")
    result = cli("--data", str(data_copy), "add", "partner", "-u", "kyoto", *args, "--source", "S", "--lines", "1")
    assert result.exit_code == 0, result.stderr
    assert parsed == ["kyoto.toml"]  # read to be rewritten; the others came from the cache
    parsed.clear()
    shown = cli("--data", str(data_copy), "partners", "-u", "kyoto", "--format", "json").stdout
    assert parsed == ["kyoto.toml"] and "kyoto-cached" in shown


def test_a_spoiled_piece_after_an_edit_is_one_clear_error(data_copy: Path) -> None:
    """The index was read, then a file changed and a piece proved unreadable: the files no
    longer match what was read, so spnet says so rather than mixing two archives."""
    load_archive(data_copy)
    archive = load_archive(data_copy)  # from the cache: the index only
    start, length = archive._load.offsets["partners/ehime"]  # type: ignore[attr-defined]
    with cache_path(data_copy).open("r+b") as fh:
        fh.seek(start)
        fh.write(b"\0" * length)
    path = data_copy / KYOTO
    path.write_text(path.read_text(encoding="utf-8").replace('"Kyoto University"', '"Kyoto Univ."', 1), "utf-8")
    assert len(archive.partners_of("kyoto")) > 0  # read before the spoil: still answers
    with pytest.raises(DataError, match="changed while spnet was reading it"):
        archive.partners_of("ehime")
