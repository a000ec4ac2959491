"""The project record and the report's last facts, as a user reaches them: `spnet show`,
`spnet search`, `spnet export json|csv|sqlite`, in every --lang; each value on a line its
record cites in the shipped report."""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from spnet.provenance import fold, report
from tests.conftest import DATA, json_rows, replace_text

INSTALLED = Path(sys.executable).with_name("spnet")  # the console script, as a user runs it

# (record, field as `show` names it, the report's words). Each is one of the report's facts
# the archive holds in the field a user would look in.
FACTS = [
    (
        "project",
        "aim_ja",
        "戦略的パートナーシップの意義への理解や認知度を高め、我が国の高等教育の国際通用性と競争力の向上を図ること",
    ),
    ("project", "aim_en", "to increase understanding and awareness of the significance of strategic partnerships"),
    ("project", "meeting_frequency_ja", "定期（隔月）"),
    ("project", "meeting_frequency_en", "regularly (bimonthly)"),
    ("project", "meeting_agenda_ja", "戦略的パートナーシップワークショップの企画・準備と開催後振り返り"),
    ("project", "meeting_agenda_en", "Planning and review of Strategic Partnership Symposia"),
    ("project", "membership_ja", "戦略的パートナーシップまたはそれに類する国際大学連携をすでに実施している大学"),
    ("project", "membership_en", "universities that have already implemented strategic partnerships"),
    ("project", "forum_roles[0].role_ja", "代表幹事校"),
    ("project", "forum_roles[1].name_ja", "筑波大学"),
    ("project", "forum_roles[1].role_en", "Deputy Representative University"),
    ("project", "forum_roles[2].name_en", "Ritsumeikan University"),
    ("project", "forum_roles[2].role_ja", "事務局幹事校"),
    ("project", "forum_roles[3].role_en", "joined the board of the forum"),
    ("tokyo", "concept_ja", "東京大学グローバルキャンパスモデルの構築"),
    ("tokyo", "concept_en", "making our university a model of what a global campus can be"),
    ("jfiu-self-financed", "title_en", "The JFIU became self-financed"),
    ("workshop", "aim_ja", "戦略的パートナーシップに関心を持っているものの実施に至っていない国内大学に対して"),
    ("workshop", "aim_en", "to introduce examples of strategic partnership initiatives to Japanese universities"),
    ("symposium-2", "registration_ja", "要事前登録"),
    ("symposium-2", "registration_en", "Please register via the following link."),
    ("symposium-2", "participants[3].topic_ja", "「つながり」をキーワードとして"),
    ("symposium-2", "participants[3].topic_en", 'using "Tsunagari" as the keyword'),
    ("symposium-1", "participants[0].topic_ja", "日本人学生の海外派遣数および外国人留学生の受入数の推移"),
    ("symposium-1", "participants[1].topic_en", "the establishment and development of strategic partnerships"),
    (
        "symposium-2",
        "participants[2].topic_ja",
        "大学のグローバル・エンゲージメントと戦略的パートナーシップについての考察",
    ),
    ("symposium-3", "participants[0].topic_en", "the multi-layered global governance frameworks"),
    ("symposium-3", "participants[1].topic_ja", "「地政学と大学間協力」との観点から"),
    (
        "symposium-3",
        "participants[1].topic_en",
        'from the perspective of "geopolitics and cooperation between universities"',
    ),
]


def _card(cli, record: str, *args: str) -> dict[str, str]:
    (card,) = json_rows(cli, "show", record, *args)
    return card


def _cited(card: dict[str, str]) -> list[int]:
    return [int(n) for n in card["source.lines"].split(", ")]


@pytest.mark.parametrize("record,field,words", FACTS, ids=[f"{r}.{f}" for r, f, _w in FACTS])
def test_each_fact_is_shown_with_the_line_it_begins_on(cli, record: str, field: str, words: str) -> None:
    card = _card(cli, record)
    value = card[field]
    assert fold(words) in fold(value)
    # The whole value (each item of a list) begins on a line the record cites, in the text
    # of its language.
    for item in value.split("; ") if field.startswith("meeting_agenda") else [value]:
        span = report().locate(item, _cited(card))
        assert span is not None, (record, field, item, report().where(item))
        japanese = any("\u3040" <= ch <= "\u9fff" for ch in report().line(span.first))
        assert japanese == field.endswith("_ja"), report().line(span.first)


def test_show_project_names_one_record_not_an_ambiguity(cli) -> None:
    result = cli("show", "project", "--format", "tsv")
    assert result.exception is None and result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1:3] == ["record\tproject", "id\tproject"]


@pytest.mark.parametrize(
    "lang,present,absent",
    [
        ("en", ["regularly (bimonthly)", "forum_roles[3].role_en", "joined the board of the forum"], ["定期（隔月）"]),
        (
            "ja",
            ["定期（隔月）", "フォーラムでの役割", "会議の主な議題", "筑波大学", "joined the board of the forum"],
            [],
        ),
        ("both", ["regularly (bimonthly)", "定期（隔月）", "Tsukuba University", "筑波大学"], []),
    ],
)
def test_show_project_in_every_language_through_the_table(
    cli, lang: str, present: list[str], absent: list[str]
) -> None:
    """A table in each --lang: the reader's labels; a text the report prints only in English
    (UTokyo's seat on the board) stands in for the Japanese."""
    result = cli("show", "project", "--lang", lang, "--format", "table", env={"COLUMNS": "160"})
    assert result.exception is None and result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    for words in present:
        assert " ".join(words.split()) in text, (lang, words)
    for words in absent:
        assert words not in text, (lang, words)


def test_the_project_record_is_shown_by_the_installed_command() -> None:
    done = subprocess.run(
        [str(INSTALLED), "--data", str(DATA), "show", "project", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and done.stderr == ""
    card = json.loads(done.stdout)
    assert card["record"] == "project" and card["managing"] == "tokyo"
    assert card["forum_roles[0].university"] == "tohoku" and card["forum_roles[3].university"] == "tokyo"
    assert "forum_roles[3].name_ja" not in card  # the Japanese greeting does not say it


@pytest.mark.parametrize(
    "words,record,field",
    [
        ("隔月", "project", "meeting_frequency_ja"),
        ("bimonthly", "project", "meeting_frequency_en"),
        ("Ritsumeikan", "project", "forum_roles[2].name_en"),
        ("立命館", "project", "forum_roles[2].name_ja"),
        ("副代表幹事校", "project", "forum_roles[1].role_ja"),
        ("振り返り", "project", "meeting_agenda_ja"),
        ("自走化", "jfiu-self-financed", "title_ja"),
        ("self-financed", "jfiu-self-financed", "title_en"),
        ("要事前登録", "symposium-2", "registration_ja"),
        ("Tsunagari", "symposium-2", "participants[3].topic_en"),
        ("地政学", "symposium-3", "participants[1].topic_ja"),
        ("geopolitics", "symposium-3", "participants[1].topic_en"),
        ("グローバルキャンパスモデル", "tokyo", "concept_ja"),
        ("相談に対応", "workshop", "aim_ja"),
    ],
)
@pytest.mark.parametrize("cache", [True, False], ids=["index", "no-cache"])
def test_search_finds_each_fact(cli, words: str, record: str, field: str, cache: bool) -> None:
    """From the search index and by looking through every record: the same row."""
    rows = json_rows(cli, *([] if cache else ["--no-cache"]), "search", words)
    assert any(r["id"] == record and r["field"] == field for r in rows), [(r["id"], r["field"]) for r in rows]


def test_the_search_index_holds_the_project_after_an_edit(cli, data_copy: Path) -> None:
    """The project's rows come from project.toml's summary: an edit of that file is searched."""
    assert json_rows(cli, "--data", str(data_copy), "search", "隔月")[0]["id"] == "project"
    path = data_copy / "project.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("定期（隔月）", "定期（毎月）"), encoding="utf-8")
    result = cli("--data", str(data_copy), "search", "隔月", "--format", "json")
    assert result.exit_code == 0 and "meeting_frequency_ja" not in result.stdout
    assert json_rows(cli, "--data", str(data_copy), "search", "毎月")[0]["field"] == "meeting_frequency_ja"


def test_export_json_and_csv_carry_the_project(cli, tmp_path: Path) -> None:
    result = cli("export", "json")
    assert result.exception is None and result.exit_code == 0
    (row,) = json.loads(result.stdout)["project"]
    card = _card(cli, "project")
    assert row["id"] == "project" and row["lines"] == card["source.lines"]
    for key in ("title_ja", "aim_en", "definition_en", "meeting_frequency_ja", "meeting_agenda_en"):
        assert row[key] == card[key], key
    assert row["forum_roles_en"].split("; ")[1] == "Tsukuba University: Deputy Representative University"
    assert row["forum_roles_ja"].split("; ") == [
        "東北大学：代表幹事校",
        "筑波大学：副代表幹事校",
        "立命館大学：事務局幹事校",
    ]
    assert all(report().locate(v, _cited(card)) for v in row["meeting_agenda_ja"].split("; "))
    assert cli("export", "csv", "--out", str(tmp_path / "csv")).exit_code == 0
    with (tmp_path / "csv" / "project.csv").open(encoding="utf-8", newline="") as fh:
        (line,) = list(csv.DictReader(fh))
    assert line == {k: "" if v is None else str(v) for k, v in row.items()}
    tokyo = next(u for u in json.loads(result.stdout)["universities"] if u["id"] == "tokyo")
    assert tokyo["concept_ja"] == card_value(cli, "tokyo", "concept_ja")


def card_value(cli, record: str, field: str) -> str:
    return _card(cli, record)[field]


@pytest.mark.parametrize("cache", [True, False], ids=["index", "no-cache"])
def test_export_sqlite_has_the_project_and_the_new_fields(cli, tmp_path: Path, cache: bool) -> None:
    """The same rows from a copy of the index and from tables built afresh."""
    path = tmp_path / "spnet.db"
    result = cli(*([] if cache else ["--no-cache"]), "export", "sqlite", "--out", str(path))
    assert result.exception is None and result.exit_code == 0, result.stderr
    card = _card(cli, "project")
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        (project,) = db.execute("SELECT * FROM project").fetchall()
        roles = db.execute("SELECT * FROM forum_roles ORDER BY position").fetchall()
        events = {r["id"]: r for r in db.execute("SELECT * FROM events WHERE id IN ('workshop', 'symposium-2')")}
        topics = dict(db.execute("SELECT person, topic_ja FROM participants WHERE topic_ja IS NOT NULL").fetchall())
        (concept,) = db.execute("SELECT concept_en FROM universities WHERE id = 'tokyo'").fetchone()
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert project["id"] == "project" and project["meeting_frequency_en"] == "regularly (bimonthly)"
    assert project["source"].endswith(f"(lines {card['source.lines']})")
    assert [(r["university"], r["name_en"], r["role_ja"]) for r in roles] == [
        ("tohoku", "Tohoku University", "代表幹事校"),
        (None, "Tsukuba University", "副代表幹事校"),
        (None, "Ritsumeikan University", "事務局幹事校"),
        ("tokyo", "UTokyo", None),
    ]
    assert events["symposium-2"]["registration_ja"] == "要事前登録"
    assert events["workshop"]["aim_en"] == card_value(cli, "workshop", "aim_en")
    # Every keynote's topic, as the report's account of each symposium gives it.
    keynotes = {p for e in ("symposium-1", "symposium-2", "symposium-3") for p in _keynotes(cli, e)}
    assert set(topics) == keynotes and len(keynotes) == 6
    assert concept == card_value(cli, "tokyo", "concept_en")


def _keynotes(cli, event: str) -> list[str]:
    card = _card(cli, event)
    return [
        card[k[: -len("part_en")] + "person"]
        for k, v in card.items()
        if k.endswith(".part_en") and v.startswith("keynote")
    ]


@pytest.mark.parametrize(
    "old,new,message",
    [
        ('id = "sgu-launch"', 'id = "project"', "duplicate id 'project'"),
        ('university = "tohoku"', 'university = "tsukuba"', "'tsukuba' is not a known university"),
        ('role_ja = "代表幹事校"', "role_ja = 3", "'role_ja' must be a string"),
        ('name_en = "Tsukuba University"\nname_ja = "筑波大学"\n', "", "needs name_en or name_ja"),
        ('meeting_frequency_ja = "定期（隔月）"', 'meeting_frequency_ja = ["定期"]', "'meeting_frequency_ja' must be"),
    ],
)
def test_a_bad_project_record_is_one_line_and_exit_1(data_copy: Path, old: str, new: str, message: str) -> None:
    """`project` is the project's id, kept for it; its forum roles are checked as any record."""
    replace_text(data_copy / "project.toml", old, new)
    done = subprocess.run(
        [str(INSTALLED), "--data", str(data_copy), "check", "-q"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert message in done.stdout + done.stderr


@pytest.mark.parametrize("lang,words", [("ja", ["要事前登録"]), ("en", ["Please register via the following link."])])
def test_the_calendar_describes_an_events_aim_and_registration(cli, lang: str, words: list[str]) -> None:
    icalendar = pytest.importorskip("icalendar")
    result = cli("export", "ics", "--lang", lang)
    assert result.exception is None and result.exit_code == 0
    events = {str(c["UID"]).split("@")[0]: c for c in icalendar.Calendar.from_ical(result.stdout).walk("VEVENT")}
    symposium = str(events["symposium-2"]["DESCRIPTION"])
    assert all(w in symposium.split(" · ") for w in words)
    aim = card_value(cli, "workshop", f"aim_{lang}")
    assert aim in str(events["workshop"]["DESCRIPTION"]).split(" · ")
