"""The documentation shows what the installed spnet does: every example in README.md and
docs/*.md is run and its output compared (the convention is in tests/docs_examples.py;
`python tests/docs_examples.py --write` rewrites the outputs after a deliberate change).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.cells import cell_len

from tests import docs_examples
from tests.docs_examples import ROOT, Example, Outcome, blocks, check_page, matches, pages, rewritten

# The ```sh blocks of each page: commands shown but not run (set-up, edits of the archive).
# A page not named here has none. Changing a count is a deliberate act: an example that
# became an ```sh block is no longer checked.
NOT_RUN = {
    "README.md": 2,
    "docs/architecture.md": 1,  # the tests and the bench, as development.md runs them
    "docs/database.md": 1,  # sqlite-utils, sqlite3 and datasette on the export: test_export_search.py runs them
    "docs/development.md": 3,
    "docs/export.md": 5,
}


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.slow
@pytest.mark.parametrize("page", pages(), ids=_name)
def test_every_example_shows_what_spnet_prints(page: Path) -> None:
    outcomes = check_page(page)
    failing = [o.explain(_name(page)) for o in outcomes if not o.ok]
    assert not failing, "\n\n".join(failing) + "\n\n(python tests/docs_examples.py --write rewrites them)"


@pytest.mark.parametrize("page", pages(), ids=_name)
def test_blocks_that_are_not_run_are_counted(page: Path) -> None:
    found = blocks(page.read_text(encoding="utf-8").splitlines())
    assert all(b.lang in {"console", "sh", "text", "toml"} for b in found), [b.lang for b in found]
    assert sum(b.lang == "sh" for b in found) == NOT_RUN.get(_name(page), 0)


def test_the_readme_is_short_and_fits_a_terminal() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 150
    transcript = [e for b in blocks(lines) for e in b.examples]
    assert len(transcript) >= 4 and any("--lang ja" in e.command for e in transcript)
    in_block = False
    for line in lines:
        if line.startswith("```"):
            in_block = not in_block
        elif in_block:
            assert cell_len(line) <= 100, line


def test_the_readme_test_command_is_the_one_ci_runs() -> None:
    """A fresh clone passes the tests by the README's command: .ci/run runs the same."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ".venv/bin/python -m pytest" in readme
    assert ci.rstrip().splitlines()[-1] == ".venv/bin/python -m pytest"
    assert "pip install '.[test]'" in readme and "'.[test,dev]'" in ci


def test_the_map_names_every_page_and_every_link_leads_somewhere() -> None:
    docs = ROOT / "docs"
    index = (docs / "README.md").read_text(encoding="utf-8")
    for page in docs.glob("*.md"):
        if page.name != "README.md":
            assert f"]({page.name})" in index, page.name
    for page in pages():
        for target in re.findall(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).is_file(), (page.name, target)


# The convention itself: a wrong output, a failure not shown, a cut.


def _page(tmp_path: Path, body: str) -> Path:
    page = tmp_path / "page.md"
    page.write_text(f"# A page\n\n```console\n{body}```\n", encoding="utf-8")
    return page


def test_a_wrong_output_fails_and_rewriting_mends_it(tmp_path: Path) -> None:
    page = _page(tmp_path, "$ spnet meetings --year 2023 --lang en --format csv --fields number,date\nnumber,date\n")
    [outcome] = check_page(page)
    assert not outcome.ok and "+9,2023-01-31" in outcome.explain("page.md")
    docs_examples.write_page(page, [outcome])
    [again] = check_page(page)
    assert again.ok
    assert "number,date\n9,2023-01-31\n" in page.read_text(encoding="utf-8")


def test_a_failing_command_fails_unless_it_shows_its_status(tmp_path: Path) -> None:
    line = (
        "spnet: error: ambiguous partner kind 'cons': "
        "it could be consortium (consortium), consortium-member (consortium-member)"
    )
    hidden, shown = check_page(
        _page(tmp_path, f"$ spnet partners --kind cons\n{line}\n$ spnet partners --kind cons; echo $?\n{line}\n2\n")
    )
    assert hidden.code == 2 and not hidden.ok
    assert shown.ok


def test_an_example_must_run_spnet(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="runs spnet"):
        check_page(_page(tmp_path, "$ rm -rf nothing\n"))


def test_a_cut_stands_for_lines_left_out() -> None:
    actual = ["a", "b", "c", "d"]
    assert matches(["a", "...", "d"], actual)
    assert matches(["a", "..."], actual)
    assert not matches(["a", "b", "c", "d", "..."], actual)  # a cut leaves something out
    assert not matches(["b", "..."], actual)
    assert rewritten(["x", "...", "y"], ["1", "2", "3", "4"]) == ["1", "...", "4"]
    assert rewritten(["x", "..."], ["1", "2", "3"]) == ["1", "..."]


def test_an_outcome_without_a_cut_is_exact() -> None:
    outcome = Outcome(Example("spnet", ["a"], 1), ["a", ""], 0)
    assert not outcome.ok


# The fields every listing ends with, which output.md says in its text rather than its table.
TRAILING = {"lines", "cites", "disputed_fields", "date_start", "date_end", "since_start", "since_end"}
TRAILING |= {"designated_start", "designated_end", "country_basis"}


def test_the_field_table_is_the_columns() -> None:
    """output.md's table of fields names each listing's default columns (columns.COLUMNS), in
    their order: a column added without its line in the manual fails here."""
    from spnet.columns import COLUMNS

    page = (ROOT / "docs" / "output.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| (\w+) \| (.+) \|$", page, re.M))
    assert rows.pop("listing") == "fields"
    for listing, text in rows.items():
        outside = re.sub(r"\([^()]*\)", "", text)  # what a field holds, in brackets, is not a field
        named = []
        for token in re.findall(r"`([a-z_/]+)`", outside):
            stem, _, langs = token.rpartition("_")
            named += [f"{stem}_{lang}" for lang in langs.split("/")] if "/" in langs else [token]
        shown = [c.key for c in COLUMNS[listing] if c.default and c.key not in TRAILING]
        assert named == shown, listing


def test_every_column_has_a_header_in_both_languages() -> None:
    from spnet.columns import COLUMNS

    headerless = [(listing, c.key) for listing, cols in COLUMNS.items() for c in cols if not (c.en and c.ja)]
    assert headerless == []
