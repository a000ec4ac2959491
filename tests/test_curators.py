"""The curators' layer (docs/curators.md): a value is the report's when the report states
it, implies it or gives it inside a name, on lines it cites; otherwise the curators', with
a reason. `spnet check` applies the rule to every basis of the archive."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from tests.conftest import DATA, copy_data, json_rows, report_path

ISO_CODES = Path("/usr/share/iso-codes/json/iso_3166-1.json")


def _docs(data: Path = DATA) -> dict[str, dict[str, Any]]:
    return {
        str(p.relative_to(data)): tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(data.rglob("*.toml"))
    }


def _partners(data: Path = DATA) -> list[dict[str, Any]]:
    return [p for doc in _docs(data).values() for p in doc.get("partners", [])]


def _countries(data: Path = DATA) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in _docs(data)["countries.toml"]["countries"]}


def _spnet(data: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed spnet, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(data), "--no-cache", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "SPNET_LANG": "en", **env},
        timeout=120,
    )


# ------------------------------------------------------------------ the real archive
def test_check_counts_the_curators_additions_from_the_bases() -> None:
    """check's summary is the count of each basis "curator" in the files, read here apart
    from spnet; and the figures the rule gives for this archive."""
    docs = _docs()
    partners = _partners()
    countries = _countries()
    universities = [d["university"] for d in docs.values() if "university" in d]
    events = [e for d in docs.values() for e in d.get("events", [])]
    figures = {
        "partner countries": sum(p.get("country_basis") == "curator" for p in partners),
        "countries": sum(c["basis"] == "curator" for c in countries.values()),
        "short names": sum(len(u["short_names"]) for u in universities if u.get("short_names_basis") == "curator"),
        "titles in their words": sum(
            e.get(f"title_{lang}_basis") == "curator" for e in events for lang in ("en", "ja")
        ),
    }
    done = _spnet(DATA, "check")
    assert done.returncode == 0, done.stderr
    summary = done.stdout.strip().split("added by the curators, not the report's: ")[1]
    for what, n in figures.items():
        assert f"{n} {what}" in summary
    # Switzerland is known from スイス inside a name, as Australia is: six countries are the curators'.
    assert {cid for cid, c in countries.items() if c["basis"] == "curator"} == {"at", "de", "us", "kr", "cn", "be"}
    assert (countries["ch"]["basis"], countries["au"]["basis"]) == ("name", "name")


def test_the_issues_cases_carry_their_basis() -> None:
    by_id = {p["id"]: p for p in _partners()}
    assert by_id["keio-sciences-po"]["country_basis"] == "curator"  # neither name says France
    for pid in ("ehime-gadjah-mada", "ehime-bogor", "ehime-hasanuddin"):  # "with Indonesian universities"
        assert (by_id[pid]["country_basis"], by_id[pid]["country_lines"]) == ("implied", [2794, 2851])
    assert (by_id["tokyo-eth-zurich"]["country_basis"], by_id["tokyo-eth-zurich"]["country_lines"]) == ("name", [2534])
    ehime = _docs()["universities/ehime.toml"]["university"]
    assert "愛大" in ehime["short_names"] and "Aichi University" in ehime["short_names_reason"]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def test_every_basis_of_the_report_is_in_the_report() -> None:
    """Found again without spnet.provenance: a partner's country stated or implied on its
    lines; a country given by a name inside that name, the name on its lines."""
    lines = report_path().read_text(encoding="utf-8").split("\n")

    def near(n: int) -> str:  # a value begins on line n and may run over the next lines
        return _squash("".join(lines[n - 1 : n + 3]))

    countries = _countries()
    checked = 0
    for p in _partners():
        basis = p.get("country_basis")
        if basis in (None, "curator"):
            continue
        cited = p.get("country_lines") or p["lines"]
        names = [countries[p["country"]].get(f"name_{lang}") for lang in ("en", "ja")]
        if basis == "name":
            pairs = zip(names, (p.get("name_en"), p.get("name_ja")), strict=True)
            inside = [own for c, own in pairs if c and own and _squash(c) in _squash(own)]
            assert any(_squash(own) in near(n) for own in inside for n in cited), p["id"]
        else:
            assert any(_squash(c) in near(n) for c in names if c for n in cited), p["id"]
        checked += 1
    assert checked == sum(p.get("country_basis") not in (None, "curator") for p in _partners()) > 0


@pytest.mark.skipif(not ISO_CODES.exists(), reason="Debian's iso-codes is not installed (apt install iso-codes)")
def test_the_curators_country_names_are_iso_codes_as_their_source_says() -> None:
    import gettext

    iso = {c["alpha_2"].lower(): c["name"] for c in json.loads(ISO_CODES.read_text(encoding="utf-8"))["3166-1"]}
    ja = gettext.translation("iso_3166-1", localedir="/usr/share/locale", languages=["ja"], fallback=True)
    for cid, c in _countries().items():
        curated = [lang for lang in ("en", "ja") if c["basis"] == "curator" or c.get(f"name_{lang}_basis") == "curator"]
        if c["basis"] == "curator":
            assert "iso-codes" in c["source"], cid
        for lang in curated:
            if lang == "en":
                assert c["name_en"] == iso[cid], cid
            elif isinstance(ja, gettext.GNUTranslations):  # the Japanese catalogue is installed
                assert c["name_ja"] == ja.gettext(iso[cid]).split(" (")[0], cid


# ------------------------------------------------------------------ planted archives
def _plant(data: Path, file: str, rid: str, set_: dict[str, Any], drop: tuple[str, ...] = ()) -> str:
    """One record of a copy of the archive changed; returns where check names it."""
    path = data / file
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    for key, value in doc.items():
        tables = value if isinstance(value, list) else [value]
        for i, table in enumerate(tables):
            if table.get("id") == rid:
                for k in drop:
                    table.pop(k)
                table.update(set_)
                path.write_text(tomli_w.dumps(doc), encoding="utf-8")
                return (
                    f"data/{file}: {key}[{i}] ({rid})" if isinstance(value, list) else f"data/{file}: [{key}] ({rid})"
                )
    raise AssertionError(f"no record {rid} in {file}")


KYOTO, TOKYO, EHIME = "universities/kyoto.toml", "universities/tokyo.toml", "universities/ehime.toml"
PLANTED = [
    (
        "a name basis whose country is not in the name",
        (
            "universities/keio.toml",
            "keio-sciences-po",
            {"country_basis": "name", "country_lines": [3021, 3074]},
            ("country_reason",),
        ),
        "country_basis = \"name\", but no name of 'fr' (France / フランス) stands inside the partner's name on lines "
        "3021, 3074",
    ),
    (
        "implied without lines",
        (EHIME, "ehime-bogor", {}, ("country_lines",)),
        'country_basis = "implied" needs country_lines: the report\'s lines that give it',
    ),
    (
        "a curator without a reason",
        (KYOTO, "kyoto-vienna", {}, ("country_reason",)),
        'country_basis = "curator" needs country_reason: why the curators give it',
    ),
    (
        "the curators' though the name holds the country",
        (TOKYO, "tokyo-anu", {"country_basis": "curator", "country_reason": "x"}, ("country_lines",)),
        "the country 'au' is in the partner's name 'Australian National University': its country_basis is \"name\"",
    ),
    (
        "stated, on lines that do not name it",
        ("universities/tohoku.toml", "tohoku-ucl", {}, ("country_lines",)),
        "country_basis = \"stated\", but no name of 'gb' (UK / 英国) stands on lines 2314, 2315, 2317, 2364",
    ),
    (
        "a line the report does not have",
        (EHIME, "ehime-bogor", {"country_lines": [2794, 99999]}, ()),
        "country_lines: 99999 is not a line of the report (1-3465)",
    ),
    (
        "a reason for a basis of the report's",
        ("universities/osaka.toml", "osaka-ucl", {"country_reason": "x"}, ()),
        "'country_reason' goes with country_basis = \"curator\" only",
    ),
    (
        "a country of the curators' the report prints",
        ("countries.toml", "ch", {"basis": "curator", "reason": "x", "lines": []}, ()),
        "the report prints name_ja 'スイス' (line 2534): it is not the curators'",
    ),
    (
        "a country given by a name, on lines without that name",
        ("countries.toml", "vn", {"lines": [2436]}, ()),
        'basis = "name", but no partner of this country has a name with Vietnam / ベトナム in it on lines 2436',
    ),
    (
        "short names of the curators' without a reason",
        (EHIME, "ehime", {}, ("short_names_reason",)),
        'short_names_basis = "curator" needs short_names_reason: why the curators give it',
    ),
    (
        "a title of the curators' without a reason",
        ("universities/keio.toml", "keio-u7-launch-2019", {}, ("title_en_reason",)),
        'title_en_basis = "curator" needs title_en_reason: why the curators give it',
    ),
    (
        "a country with no basis",
        ("countries.toml", "gb", {}, ("basis",)),
        "country needs basis = one of stated, implied, name, curator",
    ),
]


@pytest.mark.parametrize("plant,message", [p[1:] for p in PLANTED], ids=[p[0] for p in PLANTED])
def test_check_refuses_a_basis_the_rule_does_not_allow(
    tmp_path: Path, plant: tuple[str, str, dict[str, Any], tuple[str, ...]], message: str
) -> None:
    data = tmp_path / "data"
    copy_data(data)
    where = _plant(data, *plant)
    done = _spnet(data, "check", "-q")
    assert done.returncode == 1, done.stderr
    lines = done.stderr.splitlines()
    errors = [line for line in lines if line.startswith("error: ")]
    assert any(e.startswith(f"error: {where}: {message}") for e in errors), errors  # file, record, field
    assert lines[-1].startswith(f"spnet: error: {len(errors)} error(s)")  # each error one line
    assert done.stdout == ""


def test_a_refused_basis_stops_every_command_and_speaks_japanese(tmp_path: Path) -> None:
    data = tmp_path / "data"
    copy_data(data)
    where = _plant(data, KYOTO, "kyoto-vienna", {}, ("country_reason",))
    listed = _spnet(data, "partners")
    assert listed.returncode == 3 and listed.stdout == ""
    assert listed.stderr == (
        f'spnet: error: {where}: country_basis = "curator" needs country_reason: why the curators give it\n'
    )
    ja = _spnet(data, "check", "-q", SPNET_LANG="ja")
    assert ja.returncode == 1
    assert f'{where}: country_basis = "curator" には country_reason（管理者が補った理由）が要ります' in ja.stderr


# ------------------------------------------------------------------ where users see it
def test_listings_show_and_export_carry_the_basis_as_the_files_give_it(cli, tmp_path: Path) -> None:
    partners = {p["id"]: p for p in _partners()}
    rows = json_rows(cli, "partners", "--fields", "id,country,country_basis,country_reason")
    assert len(rows) == len(partners)
    for row in rows:
        p = partners[row["id"]]
        assert (row["country"], row["country_basis"], row["country_reason"]) == (
            p.get("country"),
            p.get("country_basis"),
            p.get("country_reason"),
        )
    (card,) = json_rows(cli, "show", "tokyo-eth-zurich")
    assert (card["country_basis"], card["country_lines"]) == ("name", "2534")
    (card,) = json_rows(cli, "show", "ch")
    assert (card["basis"], card["name_en_basis"]) == ("name", "curator")
    assert "Swiss" in card["name_en_reason"]
    shown = cli("show", "keio-sciences-po", "--lang", "ja", "--format", "md")
    assert "| 国の根拠 | 管理者が追加 |" in shown.stdout.splitlines()
    assert any(
        line.startswith("| 国を管理者が補った理由（英語のみ） | The report gives no country")
        for line in shown.stdout.splitlines()
    )

    out = tmp_path / "a.db"
    assert cli("export", "sqlite", "--out", str(out)).exit_code == 0
    with sqlite3.connect(out) as db:
        exported = {
            r[0]: r[1:] for r in db.execute("SELECT id, country_basis, country_lines, country_reason FROM partners")
        }
        countries = {r[0]: r[1:] for r in db.execute("SELECT id, basis, reason FROM countries")}
    for pid, p in partners.items():
        lines = ", ".join(map(str, p.get("country_lines", []))) or None
        assert exported[pid] == (p.get("country_basis"), lines, p.get("country_reason")), pid
    assert countries == {cid: (c["basis"], c.get("reason")) for cid, c in _countries().items()}


# ------------------------------------------------------------------ spnet add
ADD = [
    "add",
    "partner",
    "-u",
    "kyoto",
    "--id",
    "kyoto-new",
    "--kind",
    "strategic",
    "--source",
    "Minutes",
    "--lines",
    "3",
]


def test_add_writes_a_country_with_the_basis_the_rule_asks(tmp_path: Path) -> None:
    data = tmp_path / "data"
    copy_data(data)
    why = "The minutes give no country for it."
    done = _spnet(data, *ADD, "--name-en", "New", "--country", "Germany", "--country-basis", "curator",
                  "--country-reason", why)  # fmt: skip
    assert done.returncode == 0, done.stderr
    (new,) = [p for p in _partners(data) if p["id"] == "kyoto-new"]
    assert (new["country"], new["country_basis"], new["country_reason"]) == ("de", "curator", why)
    named = _spnet(data, *ADD[:5], "kyoto-named", *ADD[6:], "--name-ja", "オーストラリア国立大学", "--country", "au",
                   "--country-basis", "name", "--country-lines", "2548")  # fmt: skip
    assert named.returncode == 0, named.stderr
    assert _spnet(data, "check", "-q").returncode == 0


@pytest.mark.parametrize(
    "extra,message",
    [
        (["--country", "au", "--country-basis", "name"], 'country_basis = "name" needs country_lines'),
        (["--country", "de", "--country-basis", "curator"], 'country_basis = "curator" needs country_reason'),
        (["--country", "de", "--country-basis", "guess"], "guess"),
        (["--country-reason", "x"], "--country-lines and --country-reason go with --country"),
    ],
)
def test_add_refuses_a_country_basis_the_rule_does_not_allow(tmp_path: Path, extra: list[str], message: str) -> None:
    data = tmp_path / "data"
    copy_data(data)
    before = (data / KYOTO).read_bytes()
    done = _spnet(data, *ADD, "--name-en", "New", *extra)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and len(done.stderr.splitlines()) == 1
    assert (data / KYOTO).read_bytes() == before
