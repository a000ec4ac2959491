"""Help, completion and the rules of the command line, as the installed spnet answers them
(a subprocess: what a shell or a script sees, exit codes and streams apart)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from spnet import topics
from tests.conftest import DATA, copy_data


def spnet(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("_SPNET")}
    return subprocess.run(
        [sys.executable, "-m", "spnet", *args],
        capture_output=True,
        text=True,
        env={**base, "SPNET_DATA": str(DATA), **(env or {})},
        timeout=60,
    )


@pytest.mark.parametrize("args", [[], ["add"], ["help"], ["-h"], ["--help"]])
def test_bare_commands_print_their_formatted_help(args: list[str]) -> None:
    result = spnet(*args)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("Usage: spnet")
    assert "\\n" not in result.stdout  # formatted, not an escaped error line
    assert "Commands:" in result.stdout


@pytest.mark.parametrize(
    "command",
    ["partners", "timeline", "meetings", "symposia", "contacts", "show", "search", "export", "graph", "source"],
)
def test_dash_h_works_wherever_help_does(command: str) -> None:
    short, long = spnet(command, "-h"), spnet(command, "--help")
    assert short.returncode == 0 and short.stdout == long.stdout
    assert "Example: spnet" in short.stdout
    assert "TEXT" not in short.stdout.split("Options:")[1]  # metavars say what they take


def test_add_subcommands_take_dash_h() -> None:
    result = spnet("add", "partner", "-h")
    assert result.returncode == 0 and "--university UNIVERSITY" in result.stdout


def test_metavars_say_what_an_option_takes() -> None:
    text = spnet("timeline", "-h").stdout
    for metavar in ("--university UNIVERSITY", "--from DATE", "--format FORMAT", "--kind KIND", "--fields FIELDS"):
        assert metavar in text


@pytest.mark.parametrize("topic", list(topics.TOPICS))
def test_help_topics(topic: str) -> None:
    result = spnet("help", topic)
    assert result.returncode == 0 and result.stderr == ""
    assert "".join(result.stdout.split()) == "".join(topics.TOPICS[topic].split())  # wrapped to the terminal


def test_the_environment_topic_names_every_variable_spnet_reads() -> None:
    text = spnet("help", "environment").stdout
    for name in ("SPNET_DATA", "SPNET_CACHE_DIR", "SPNET_TODAY", "SPNET_PAGER", "PAGER", "NO_COLOR", "TERM"):
        assert name in text
    source = "".join(
        p.read_text(encoding="utf-8") for p in (DATA.parent / "src" / "spnet").glob("*.py") if p.name != "topics.py"
    )
    import re

    for name in set(re.findall(r'"(SPNET_[A-Z_]+)"', source)):
        assert name in text, name


def test_help_on_a_command_and_on_nothing_known() -> None:
    assert spnet("help", "partners").stdout == spnet("partners", "--help").stdout
    unknown = spnet("help", "colours")
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert unknown.stderr.startswith("spnet: error: no help on 'colours'")


def test_a_missing_argument_is_one_line_with_the_usage() -> None:
    result = spnet("export")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "Missing argument 'FORMAT'" in result.stderr and "usage: spnet export" in result.stderr


def test_a_mistyped_command_is_suggested() -> None:
    result = spnet("meetngs")
    assert result.returncode == 2
    assert "did you mean 'meetings'?" in result.stderr


def test_archive_options_after_the_command(tmp_path) -> None:
    before = spnet("--data", str(DATA), "--no-cache", "meetings", "--format", "tsv")
    after = spnet("meetings", "--format", "tsv", "--data", str(DATA), "--no-cache")
    assert before.returncode == after.returncode == 0 and before.stdout == after.stdout
    missing = spnet("meetings", "--data", str(tmp_path / "nowhere"))
    assert missing.returncode == 3 and "nowhere" in missing.stderr
    twice = spnet("--data", str(DATA), "meetings", "--data", str(DATA))
    assert twice.returncode == 2 and "--data was given more than once" in twice.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["meetings", "--year", "2022", "--year", "2023"],
        ["timeline", "--from", "2020", "--from", "2021"],
        ["partners", "--since", "2019", "--since", "2020"],
        ["search", "UCL", "--fields", "id", "--fields", "kind"],
    ],
)
def test_an_option_that_takes_one_value_is_refused_twice(args: list[str]) -> None:
    result = spnet(*args)
    assert result.returncode == 2 and result.stdout == ""
    assert "was given more than once" in result.stderr


def test_check_quiet_prints_only_errors(tmp_path) -> None:

    assert spnet("check", "-q").stdout == "" and spnet("check", "-q").stderr == ""
    loud = spnet("check")
    assert "warning: " in loud.stderr and loud.stdout.startswith("ok: ")
    broken = tmp_path / "data"
    copy_data(broken)
    path = broken / "universities" / "kyoto.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('designated = "2019"', 'designated = "2019-13"', 1))
    result = spnet("--data", str(broken), "check", "-q")
    assert result.returncode == 1
    assert all(line.startswith(("error: ", "spnet: error: ")) for line in result.stderr.splitlines())
    assert "2019-13" in result.stderr and "warning: " not in result.stderr


def complete(shell: str, words: str) -> list[str]:
    """Ask spnet for completions the way the shell's completion script does."""
    env = {"_SPNET_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        env |= {"COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))}
    else:
        env |= {"_TYPER_COMPLETE_ARGS": words}
        if shell == "fish":
            env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    result = spnet(env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_completion_of_commands_and_options() -> None:
    assert "timeline" in complete("bash", "spnet tim")
    assert "--university" in complete("bash", "spnet partners --u")


def test_completion_of_names_kinds_fields_and_ids() -> None:
    universities = complete("bash", "spnet partners -u ")
    assert {"kyoto", "tokyo", "京大", "東大"} <= set(universities)
    assert complete("bash", "spnet partners --country g") == ["gb"]
    assert complete("bash", "spnet timeline --kind sym") == ["symposium"]
    assert complete("bash", "spnet partners --kind cons") == ["consortium", "consortium-member"]
    assert "id,name_en" in complete("bash", "spnet partners --fields id,name_")
    assert "meeting-03" in complete("bash", "spnet show meeting-0")
    assert complete("bash", "spnet show --source kyoto-zu") == ["kyoto-zurich", "kyoto-zurich-symposium-2023"]
    assert complete("bash", "spnet timeline --format j") == ["json"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_completion_in_other_shells(shell: str) -> None:
    out = "\n".join(complete(shell, "spnet partners -u kyo"))
    assert "kyoto" in out


@pytest.mark.parametrize(
    ("shell", "line"),
    [
        ("bash", "complete -o default -F _spnet_completion spnet"),
        ("zsh", "#compdef spnet"),
        ("fish", "complete --command spnet"),
    ],
)
def test_show_completion_gives_the_script_of_the_shell_it_is_run_from(shell: str, line: str) -> None:
    """`spnet --show-completion` finds the shell it is started from by its processes (as
    Typer does), and prints that shell's script."""
    found = shutil.which(shell)
    if found is None:
        pytest.skip(f"{shell} is not installed")
    spnet = Path(sys.executable).with_name("spnet")
    # `; true`: the shell stays spnet's parent instead of replacing itself with it.
    result = subprocess.run(
        [found, "-c", f"{shlex.quote(str(spnet))} --show-completion; true"], capture_output=True, text=True, check=False
    )
    assert result.stderr == "" and line in result.stdout and "_SPNET_COMPLETE" in result.stdout


def _examples(help_text: str) -> list[tuple[str, str]]:
    """The (command, what it shows) pairs of the Examples block that spnet's help ends with."""
    block = help_text.split("\nExamples:\n" if "\nExamples:\n" in help_text else "\n例:\n")[1].split("\n\n")[0]
    return [tuple(line.strip().split("  ", 1)) for line in block.splitlines()]  # type: ignore[misc]


def _documentation(help_text: str) -> str:
    """The path the help's last line names. A path too long for the line comes alone on the
    next one, whole: a path is never broken."""
    found = re.search(r"\n\n(?:Documentation|ドキュメント):[ \n]\s*(\S+)\n$", help_text)
    assert found, help_text[-300:]
    return found[1]


def test_spnet_help_ends_with_examples_and_the_documentation() -> None:
    text = spnet("--help").stdout
    examples = _examples(text)
    assert 2 <= len(examples) <= 3 and all(what.strip() for _command, what in examples)
    assert _documentation(text) == str(topics.docs_dir() / "README.md")
    # Installed editable, the checkout's own pages; from a wheel, the copy installed with spnet.
    installed = Path(topics.__file__).resolve().parent / "docs"
    assert topics.docs_dir() in (DATA.parent / "docs", installed)
    assert spnet().stdout == spnet("help").stdout == text


def test_every_example_in_the_help_runs_and_answers() -> None:
    for command, _what in _examples(spnet("--help").stdout):
        program, *args = command.split()
        assert program == "spnet"
        result = spnet(*args, "--format", "tsv")
        assert result.returncode == 0 and result.stderr == "", command
        assert len(result.stdout.splitlines()) >= 3, command


def test_the_examples_and_the_documentation_line_speak_japanese() -> None:
    english, japanese = spnet("--help").stdout, spnet("--help", env={"SPNET_LANG": "ja"}).stdout
    assert "\n例:\n" in japanese and "\nドキュメント:" in japanese
    pairs = zip(_examples(english), _examples(japanese), strict=True)
    for (command_en, what_en), (command_ja, what_ja) in pairs:
        assert command_en == command_ja and what_en != what_ja
        assert any("\u3040" <= ch <= "\u9fff" for ch in what_ja.replace("年度", ""))
    assert _documentation(japanese) == _documentation(english)


DOC_PAGES = {"README.md", "dates.md", "output.md", "export.md", "database.md", "reliability.md", "development.md"}
DOC_PAGES |= {"provenance.md", "against-report.md", "curators.md", "disagreements.md"}


def _named_pages() -> dict[str, str]:
    """Each command's help (and spnet's own) with the page its last line names."""
    from spnet.cli import LAZY

    found = {}
    for command in ["", *LAZY]:
        found[command or "spnet"] = _documentation(spnet(*([command] if command else []), "--help").stdout)
    return found


def test_every_help_ends_with_its_documentation_page() -> None:
    named = _named_pages()
    for command, path in named.items():
        assert Path(path).parent == topics.docs_dir() and Path(path).name in DOC_PAGES, command
    assert named["export"].endswith("/export.md") and named["timeline"].endswith("/dates.md")
    assert _documentation(spnet("add", "partner", "--help").stdout) == named["add"]


def test_every_page_the_help_names_is_in_docs() -> None:
    missing = sorted({path for path in _named_pages().values() if not Path(path).is_file()})
    assert missing == []


def test_help_completes_its_topics_and_the_commands() -> None:
    from spnet.cli import LAZY

    offered = complete("bash", "spnet help ")
    assert offered == [*topics.TOPICS, *LAZY]
    assert complete("bash", "spnet help ex") == ["exit-codes", "export"]
    assert [word for word in complete("bash", "spnet help zzz") if word] == []


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_help_completion_describes_each_topic(shell: str) -> None:
    out = "\n".join(complete(shell, "spnet help e"))
    assert "environment" in out and "Environment variables" in out and "exit-codes" in out and "export" in out
