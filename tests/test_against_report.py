"""`spnet check --against-report`, on the installed command: the real archive agrees with
what a rule reads off the report (its figures counted again here, by other means, on the
report's raw text), and an archive with one fact planted wrong is caught, exit 1, in one
line naming what the report prints, where, and what the archive holds."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from spnet import provenance, reportcheck
from tests.conftest import DATA, copy_data, replace_text

INSTALLED = str(Path(sys.executable).with_name("spnet"))
WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


def spnet(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    return subprocess.run(
        [INSTALLED, "--data", str(data), *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def expected_summary(report_text: str) -> str:
    """The summary's figures, counted on the raw text: whitespace squeezed or removed, no
    normalisation, no joining rule of spnet's."""
    squeezed = " ".join(report_text.split())
    bare = "".join(report_text.split())
    english = re.findall(rf"\b({WEEKDAYS}), (\d{{1,2}}) ({MONTHS}),? (\d{{4}})", squeezed)
    japanese = re.findall(r"(\d{4})年(\d{1,2})月(\d{1,2})日（([月火水木金土日])）", bare)
    dates = len(english) + len(japanese)
    months = MONTHS.split("|")
    wrong = sum(
        WEEKDAYS.split("|")[dt.date(int(y), months.index(m) + 1, int(d)).weekday()] != w for w, d, m, y in english
    ) + sum("月火水木金土日"[dt.date(int(y), int(m), int(d)).weekday()] != w for y, m, d, w in japanese)
    urls = bare.count("https://")
    emails = report_text.count("@")
    counts = len(re.findall(r"\d+か国\d+(?:校|大学)", bare))
    counts += len(re.findall(r"\d+ universities in \d+ countries", squeezed))
    lines = report_text.splitlines()
    numbers = {int(m[1]) for line in lines if (m := re.match(r"第(\d+)回　\d{4}年", line))}
    numbers |= {int(m[1]) for line in lines if (m := re.match(r"(\d+)(?:st|nd|rd|th) Meeting: ", line))}
    return (
        f"against the report: {dates} dates ({wrong} with a weekday the calendar contradicts), {urls} URLs, "
        f"{emails} e-mail addresses, {counts} counts, "
        f"{len(numbers)} meetings, VALUES values on their cited lines compared; 0 difference(s)\n"
    )


def with_values(summary: str, stdout: str) -> str:
    """The summary with the number of values the records' references were checked for (the
    line test counts and checks those on its own), taken from spnet's output when plausible."""
    values = re.findall(r"(\d+)(?: values on their cited lines|件を照合)", stdout)
    assert values and int(values[0]) > 800, stdout  # every record's names, texts, dates, counts
    return summary.replace("VALUES", values[0])


def test_the_archive_agrees_with_the_report(report_text: str) -> None:
    done = spnet(DATA, "check", "--against-report")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == with_values(expected_summary(report_text), done.stdout)
    assert "16 meetings" in done.stdout


def test_no_weekday_printed_is_left_out(report_text: str) -> None:
    """Every weekday the report prints belongs to a date the summary counts: in English, all
    but the 13th meeting's, which repeats its weekday in brackets; in Japanese, every （金）."""
    squeezed, bare = " ".join(report_text.split()), "".join(report_text.split())
    english = re.findall(rf"\b(?:{WEEKDAYS}), \d{{1,2}} (?:{MONTHS}),? \d{{4}}", squeezed)
    japanese = re.findall(r"\d{4}年\d{1,2}月\d{1,2}日（[月火水木金土日]）", bare)
    assert len(re.findall(WEEKDAYS, report_text)) == len(english) + 1
    assert len(re.findall(r"（[月火水木金土日]）", bare)) == len(japanese)
    assert f"{len(english) + len(japanese)} dates" in spnet(DATA, "check", "--against-report").stdout


def test_in_japanese(report_text: str) -> None:
    done = spnet(DATA, "check", "--against-report", "--lang", "ja")
    assert done.returncode == 0, done.stderr
    figures = re.findall(r"\d+", with_values(expected_summary(report_text), done.stdout))
    assert done.stdout == (
        "報告書との照合: 日付 {}件（うち暦と合わない曜日 {}件）、URL {}件、メールアドレス {}件、数の記載 {}件、"
        "会議 {}回、引用行にある値 {}件を照合、相違 {}件\n".format(*figures)
    )


# Each: the file, the text replaced, its replacement, and the words one line of stderr
# must hold (where the report prints it, what it prints, what the archive holds).
PLANTED = {
    "a meeting's date": (
        "project.toml",
        'number = 5\ndate = "2022-05-24"',
        'number = 5\ndate = "2022-05-25"',
        ["line 2196", "第05回　2022年05月24日（火）", "meeting-05 is on 2022-05-25"],
    ),
    "a symposium's date": (
        "project.toml",
        'date = "2023-03-03"',
        'date = "2023-03-04"',
        ["line 1245", "2023年3月3日（金）", "no event on that day"],
    ),
    "a weekday put right silently": (
        "project.toml",
        'date = "2023-09-09"\nweekday_en = "Friday"\nweekday_ja = "金"',
        'date = "2023-09-09"\nweekday_en = "Friday"\nweekday_ja = "土"',
        ["line 2170", "2023年9月9日（金）", "workshop", "weekday 土"],
    ),
    "a disagreement taken away": (
        "project.toml",
        'en = "Thursday, 20 February 2022"',
        'en = "Thursday, 10 February 2022"',
        ["line 2243", "3rd Meeting: Thursday, 20 February 2022", "meeting-03 is on 2022-02-10"],
    ),
    "a misprinted weekday no longer warned of": (
        "project.toml",
        'ja = "2022年02月10日（木）"\nheld = "ja"',
        'ja = "2022年02月10日（木）"\nheld = "en"',
        ["line 2243", "Thursday, 20 February 2022", "that day is a Sunday", "does not warn"],
    ),
    "a meeting no longer planned": (
        "project.toml",
        'number = 16\ndate = "2024-03"\ntentative = true',
        'number = 16\ndate = "2024-03"',
        ["line 2257", "16th Meeting: March 2024 (TBC)", "meeting-16 is not tentative"],
    ),
    "a meeting held made tentative": (
        "project.toml",
        'number = 15\ndate = "2024-02-02"',
        'number = 15\ndate = "2024-02-02"\ntentative = true',
        ["meeting-15 is tentative", "meeting 15 is planned"],
    ),
    "a meeting the report does not list": (
        "project.toml",
        'id = "meeting-16"\nkind = "meeting"\nnumber = 16',
        'id = "meeting-16"\nkind = "meeting"\nnumber = 17',
        ["meeting 17 (meeting-16) is not in the report's list"],
    ),
    "a link's URL": (
        "project.toml",
        'url = "https://www.u-tokyo.ac.jp/content/400235424.pdf"',
        'url = "https://www.u-tokyo.ac.jp/content/400235425.pdf"',
        ["line 2297", "https://www.u-tokyo.ac.jp/content/400235424.pdf", "the English text", "no link"],
    ),
    "a link's language": (
        "project.toml",
        'url = "https://form.qooker.jp/Q/auto/en/0303TokyoSPS/Reg/"\nevent = "symposium-2"\ncited_in = "both"',
        'url = "https://form.qooker.jp/Q/auto/en/0303TokyoSPS/Reg/"\nevent = "symposium-2"\ncited_in = "en"',
        [
            "line 725",
            "https://form.qooker.jp/Q/auto/en/0303TokyoSPS/Reg/",
            "the Japanese text",
            "symposium-2-registration",
        ],
    ),
    "an e-mail address": (
        "project.toml",
        'id = "symposium-organizer"\nuniversity = "tokyo"\nname_en = "Division of Global Campus Initiatives, UTokyo"\n'
        'name_ja = "東京大学グローバルキャンパス推進本部"\nemail = "intl-project.adm@gs.mail.u-tokyo.ac.jp"',
        'id = "symposium-organizer"\nuniversity = "tokyo"\nname_en = "Division of Global Campus Initiatives, UTokyo"\n'
        'name_ja = "東京大学グローバルキャンパス推進本部"\nemail = "intl-project@u-tokyo.ac.jp"',
        ["symposium-organizer", "intl-project@u-tokyo.ac.jp", "does not print"],
    ),
    "a line reference": (
        "project.toml",
        "    606,\n    610,\n]",
        "    606,\n    611,\n]",
        ["shimagami-motoko", "affiliation_en", "(606, 611)", "it begins on 602, 610"],
    ),
    "a count": (
        "universities/osaka.toml",
        "value = 14\n",
        "value = 15\n",
        ["line 2591", "8か国14校", "a count of 8 countries and one of 14 universities"],
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("planted", PLANTED.values(), ids=list(PLANTED))
def test_a_fact_planted_wrong_is_caught(tmp_path: Path, planted: tuple[str, str, str, list[str]]) -> None:
    name, old, new, words = planted
    data = tmp_path / "data"
    copy_data(data)
    path = data / name
    assert path.read_text(encoding="utf-8").count(old) == 1, f"the planted text is not in {name} once"
    replace_text(path, old, new)
    done = spnet(data, "check", "--against-report")
    assert done.returncode == 1 and done.stdout == "", done.stderr
    lines = done.stderr.splitlines()
    assert any(line.startswith("difference: ") and all(w in line for w in words) for line in lines), done.stderr
    assert re.fullmatch(r"spnet: error: against the report: .* compared; [1-9]\d* difference\(s\)", lines[-1])


def test_every_address_when_a_link_and_a_contact_go(tmp_path: Path) -> None:
    """Both ways: what the report prints and the archive lost, and what the archive holds
    that the report does not print; each a line of its own, in Japanese too."""
    data = tmp_path / "data"
    copy_data(data)
    project = data / "project.toml"
    text = project.read_text(encoding="utf-8")
    cut = text.index('[[links]]\nid = "workshop-details-ja"')
    end = text.index("[[links]]", cut + 1)
    text = text[:cut] + text[end:]
    text = text.replace('    "workshop-details-ja",\n', "", 1)
    project.write_text(text.replace("intl-project.adm@gs.mail", "intl-projects.adm@gs.mail"), encoding="utf-8")
    assert spnet(data, "check", "-q").returncode == 0  # a valid archive: only the report tells
    done = spnet(data, "check", "--against-report", "--lang", "ja")
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert any("2182行目" in line and "400235427.pdf" in line and "日本語版" in line for line in lines)
    for line in (652, 1791, 3451, 3460):
        assert any(f"{line}行目" in ln and "intl-project.adm@gs.mail.u-tokyo.ac.jp" in ln for ln in lines)
    assert any("project-contact" in line and "intl-projects.adm@" in line for line in lines)
    assert lines[-1].startswith("spnet: エラー: 報告書との照合: ")


def test_what_the_rules_read_where_the_pdf_broke_the_text() -> None:
    """A URL and an address typeset vertically, one to three characters a line, and one
    broken mid-word over two lines of a flyer are read whole, with their labels' language."""
    urls, emails = reportcheck.printed_addresses(provenance.report())
    url = "https://form.qooker.jp/Q/auto/en/0303TokyoSPS/Reg/"
    assert [(p.line, p.lang) for p in urls if p.value == url] == [(725, "ja"), (1800, "en")]
    assert {p.value for p in emails} == {"intl-project.adm@gs.mail.u-tokyo.ac.jp"}
    dates = reportcheck.printed_dates(provenance.report())
    vertical = [p for p in dates if p.line == 1245]
    assert [p.text for p in vertical] == ["2023年3月3日（金）"]


def test_provenance_reads_a_pattern_back_as_printed() -> None:
    report = provenance.report()
    found = [(span.first, report.printed(span)) for _m, span in report.matches(re.compile(r"\d+universitiesin\d+"))]
    assert found == [(2649, "14 universities in 8"), (3258, "45 universities in 13")]


def test_archive_text_in_a_difference_is_shown_not_obeyed(tmp_path: Path) -> None:
    """A link's URL and a contact's address, from the archive, are data: an escape sequence
    comes out escaped and Rich's markup as the characters it is."""
    data = tmp_path / "data"
    copy_data(data)
    project = data / "project.toml"
    text = project.read_text(encoding="utf-8")
    text = text.replace(
        'url = "https://www.u-tokyo.ac.jp/content/400235424.pdf"', 'url = "https://e.example/\\u001b[31m[bold]x[/bold]"'
    )
    project.write_text(text.replace('email = "intl-project.adm@', 'email = "\\u001b]8;;http://e/\\u0007', 1), "utf-8")
    done = spnet(data, "check", "--against-report")
    assert done.returncode == 1 and "\x1b" not in done.stderr and "\x07" not in done.stderr
    assert "prints https://e.example/\\x1b[31m[bold]x[/bold]; it does not" in done.stderr
    assert "address \\x1b]8;;http://e/\\x07gs.mail.u-tokyo.ac.jp, which" in done.stderr


def test_an_invalid_archive_is_not_compared(tmp_path: Path) -> None:
    """An archive `check` finds errors in stops there, as `check` does: its errors, exit 1."""
    data = tmp_path / "data"
    copy_data(data)
    project = data / "project.toml"
    text = project.read_text(encoding="utf-8")
    project.write_text(text.replace('event = "workshop"', 'event = "no-such-event"', 1), encoding="utf-8")
    done = spnet(data, "check", "--against-report")
    assert done.returncode == 1 and done.stdout == ""
    assert (
        "no-such-event" in done.stderr and "difference" not in done.stderr and "against the report" not in done.stderr
    )
