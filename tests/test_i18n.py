"""spnet's own words in Japanese: the catalogue is complete, and the locale chooses it."""

from __future__ import annotations

import gettext
import os
import re
import subprocess
import sys

import pytest

from spnet.i18n import DOMAIN, LOCALEDIR
from tests.cache_files import built as built_in
from tests.conftest import DATA, copy_data
from tests.messages import all_messages, help_messages, source_messages

FIELD = re.compile(r"\{[^{}]*\}")


@pytest.fixture(scope="module")
def japanese() -> gettext.NullTranslations:
    """The catalogue as installed (compiled from the .po when spnet was built)."""
    return gettext.translation(DOMAIN, LOCALEDIR, languages=["ja"])


def test_every_message_and_help_text_has_japanese(japanese: gettext.NullTranslations) -> None:
    missing = sorted(m for m in all_messages() if japanese.gettext(m) == m)
    assert not missing, f"{len(missing)} message(s) with no Japanese in spnet.po: {missing[:5]}"


def test_the_messages_found_are_the_real_ones() -> None:
    """The collectors find what they should: a message raised in code, and a command's help."""
    assert "--upcoming and --past exclude each other" in source_messages()
    assert "Only events from today on." in help_messages()
    assert len(all_messages()) > 150


def test_a_translation_keeps_every_field_of_its_message(japanese: gettext.NullTranslations) -> None:
    """A `{field}` lost or misspelt in Japanese would fail only when the message is shown."""
    for message in all_messages():
        assert sorted(FIELD.findall(japanese.gettext(message))) == sorted(FIELD.findall(message)), message


def _spnet(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    clean.pop("SPNET_LANG", None)
    return subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(DATA), *args],
        capture_output=True,
        text=True,
        env={**clean, "COLUMNS": "100", **env},
    )


@pytest.mark.parametrize(
    "env",
    [{"LANG": "ja_JP.UTF-8"}, {"LC_ALL": "ja_JP.UTF-8"}, {"LC_MESSAGES": "ja_JP"}, {"SPNET_LANG": "ja"}],
    ids=["LANG", "LC_ALL", "LC_MESSAGES", "SPNET_LANG"],
)
def test_a_japanese_locale_gives_japanese_help_and_errors(env: dict[str, str]) -> None:
    shown = _spnet("timeline", "-h", **env)
    assert shown.returncode == 0
    assert shown.stdout.startswith("使い方: spnet timeline")
    assert "オプション:" in shown.stdout  # Typer's own heading, from the catalogue too
    assert "[既定: both]" in shown.stdout
    assert "今日以降の行事のみ。" in shown.stdout
    refused = _spnet("partners", "-u", "東京大額", **env)
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert refused.stderr == "spnet: エラー: 大学 '東京大額' は見つかりません。もしかして: 東京大学 (tokyo)?\n"


@pytest.mark.parametrize(
    "env", [{}, {"LANG": "C.UTF-8"}, {"LANG": "en_GB.UTF-8"}, {"LANG": "ja_JP", "SPNET_LANG": "en"}]
)
def test_otherwise_english(env: dict[str, str]) -> None:
    shown = _spnet("timeline", "-h", **env)
    assert shown.stdout.startswith("Usage: spnet timeline")
    assert "Options:" in shown.stdout
    refused = _spnet("partners", "-u", "東京大額", **env)
    assert (
        refused.stderr == "spnet: error: unknown university '東京大額'; did you mean tokyo (The University of Tokyo)?\n"
    )


def test_click_errors_are_japanese_too() -> None:
    no_option = _spnet("partners", "--nope", SPNET_LANG="ja")
    assert no_option.returncode == 2
    assert no_option.stderr.startswith("spnet: エラー: オプション --nope はありません。もしかして:")
    missing = _spnet("show", SPNET_LANG="ja")
    assert missing.returncode == 2
    assert missing.stderr.startswith("spnet: エラー: 引数 'ID' がありません（使い方: spnet show")
    no_command = _spnet("timelin", SPNET_LANG="ja")
    assert "コマンド 'timelin' はありません。もしかして: 'timeline'?" in no_command.stderr


def test_the_topics_are_japanese() -> None:
    shown = _spnet("help", "dates", SPNET_LANG="ja")
    assert shown.stdout.startswith("日付\n")
    assert "令和元年: 2019-05-01 から" in " ".join(shown.stdout.split())  # (wrapped to the terminal)


def test_japanese_help_leaves_nothing_behind(cli) -> None:
    """Typer's words are looked up in spnet's domain only while help is written."""
    before = (gettext.textdomain(), os.environ.get("LANGUAGE"))
    result = cli("timeline", "-h", env={"SPNET_LANG": "ja"})
    assert result.exception is None
    assert "オプション:" in result.stdout
    assert (gettext.textdomain(), os.environ.get("LANGUAGE")) == before
    assert "Options:" in cli("timeline", "-h").stdout


def test_check_speaks_the_readers_language_from_one_index(tmp_path) -> None:
    """The index keeps each problem as its English message and values: the same index
    answers an English and a Japanese reader, each in their language."""
    cache = {"SPNET_CACHE_DIR": str(tmp_path / "cache")}
    english = _spnet("check", **cache)
    assert english.returncode == 0
    assert "the Japanese text prints the weekday 金, but 2023-09-09 is a Saturday" in english.stderr
    built = built_in(tmp_path / "cache")
    japanese = _spnet("check", SPNET_LANG="ja", **cache)
    assert built_in(tmp_path / "cache") == built  # not rebuilt for another language
    assert "日本語の記述では曜日が 金 ですが、2023-09-09 は土曜日です" in japanese.stderr
    assert "「日付」について日本語と英語が異なります" in japanese.stderr
    assert japanese.stdout.startswith("完了: ") and "相手校 39" in japanese.stdout


def test_a_broken_archive_is_one_japanese_line(tmp_path) -> None:

    data = tmp_path / "data"
    copy_data(data)
    kyoto = data / "universities" / "kyoto.toml"
    kyoto.write_text(kyoto.read_text(encoding="utf-8").replace('designated = "2019"', "designated = 2019", 1), "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "spnet", "--data", str(data), "partners"],
        capture_output=True,
        text=True,
        env={**os.environ, "SPNET_LANG": "ja"},
    )
    assert done.returncode == 3
    assert done.stderr.count("\n") == 1
    assert "'designated' は date string です（an integer ではなく）" in done.stderr
