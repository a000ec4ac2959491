"""The examples in README.md and docs/*.md, run against the installed spnet.

The convention (docs/development.md tells writers the same):

- A ```console block is run. Each line beginning `$ ` is a command; the lines after it, up
  to the next `$ ` or the end of the block, are exactly what a terminal shows (standard
  output and error together, trailing spaces dropped). Blank lines after an output only
  separate it from the next command.
- A line `...` alone in an output stands for one or more lines left out (once per output
  at most); rewriting keeps as many lines before and after it as the page shows.
- Every command must exit 0. To show a failure, end the command with `; echo $?`, so the
  exit status is part of the output.
- Commands run in bash, one page's in order in one fresh directory, on a pseudo-terminal
  of 80 columns, with the repository's data/, a private cache and HOME, `LANG=C.UTF-8`,
  `NO_COLOR=1`, `SPNET_TODAY=2024-05-01` and no pager. A command may set more variables
  before `spnet` (`LANG=ja_JP.UTF-8 spnet ...`).
- Other blocks are not run: ```sh for set-up and for commands whose output is not shown,
  ```text for layouts and samples, ```toml. tests/test_docs.py counts the ```sh blocks of
  each page, so that an example turned into one does not go unnoticed.

    python tests/docs_examples.py            # check every page, print the differences
    python tests/docs_examples.py --write    # rewrite the outputs in the pages
    python tests/docs_examples.py docs/dates.md --write
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shlex
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `tests` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.test_screens import STYLE, run_on_pty

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = 80
TODAY = "2024-05-01"
FENCE = re.compile(r"^```(\S*)")
COMMAND = re.compile(r"^(?:[A-Z_]+=\S*\s+)*spnet(?:\s|$)")
CUT = "..."


def pages() -> list[Path]:
    """Every page whose examples are run: the README and docs/*.md."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@dataclass
class Example:
    command: str
    expected: list[str]
    line: int  # of the command in the page, from 1
    gap: int = 0  # blank lines after the output, which separate it from the next command


@dataclass
class Block:
    lang: str
    start: int  # index of the line after the opening fence
    end: int  # index of the closing fence
    examples: list[Example] = field(default_factory=list)


def blocks(lines: list[str]) -> list[Block]:
    """The fenced blocks of a page; a console block's examples parsed."""
    found: list[Block] = []
    open_at: tuple[str, int] | None = None
    for i, line in enumerate(lines):
        fence = FENCE.match(line)
        if not fence:
            continue
        if open_at is None:
            open_at = (fence.group(1), i + 1)
        else:
            found.append(Block(open_at[0], open_at[1], i))
            open_at = None
    if open_at is not None:
        raise ValueError(f"a fence opened at line {open_at[1]} is never closed")
    for block in found:
        if block.lang == "console":
            block.examples = _examples(lines, block)
    return found


def _examples(lines: list[str], block: Block) -> list[Example]:
    examples: list[Example] = []
    for i in range(block.start, block.end):
        if lines[i].startswith("$ "):
            examples.append(Example(lines[i][2:], [], i + 1))
        elif not examples:
            raise ValueError(f"line {i + 1}: a console block begins with `$ ` and a command")
        else:
            examples[-1].expected.append(lines[i])
    for example in examples:
        while example.expected and not example.expected[-1]:
            example.expected.pop()
            example.gap += 1
    return examples


def environment(work: Path) -> dict[str, str]:
    """The fixed environment every example runs in; the installed spnet first on PATH."""
    bin_dir = Path(sys.executable).parent
    return {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(work),
        "LANG": "C.UTF-8",
        "TERM": "xterm-256color",
        "NO_COLOR": "1",
        "COLUMNS": str(COLUMNS),
        "SPNET_DATA": str(ROOT / "data"),
        "SPNET_CACHE_DIR": str(work / ".cache" / "spnet"),
        "SPNET_TODAY": TODAY,
        "SPNET_PAGER": "",
    }


def run(command: str, work: Path) -> tuple[list[str], int]:
    """What a terminal shows when the command runs in work, and bash's exit status."""
    argv = ["bash", "-c", f"cd {shlex.quote(str(work))} && exec 2>&1 && {command}"]
    shown, _, code = run_on_pty(argv, environment(work), columns=COLUMNS)
    lines = [line.rstrip() for line in STYLE.sub("", shown).replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines, code


def matches(expected: list[str], actual: list[str]) -> bool:
    """Exact, but for one `...` line standing for one or more lines."""
    if CUT not in expected:
        return expected == actual
    cut = expected.index(CUT)
    head, tail = expected[:cut], expected[cut + 1 :]
    if CUT in tail:
        raise ValueError("one `...` per output at most")
    return (
        len(actual) > len(head) + len(tail)
        and actual[: len(head)] == head
        and actual[len(actual) - len(tail) :] == tail
    )


def rewritten(expected: list[str], actual: list[str]) -> list[str]:
    """The output to write in a page: the actual one, cut where the page cuts it."""
    if CUT not in expected:
        return actual
    cut = expected.index(CUT)
    tail = len(expected) - cut - 1
    if len(actual) <= cut + tail:
        return actual
    return [*actual[:cut], CUT, *(actual[len(actual) - tail :] if tail else [])]


@dataclass
class Outcome:
    example: Example
    actual: list[str]
    code: int

    @property
    def ok(self) -> bool:
        return self.code == 0 and matches(self.example.expected, self.actual)

    def explain(self, page: str) -> str:
        where = f"{page}:{self.example.line}: $ {self.example.command}"
        if self.code != 0:
            return f"{where}\n  exited {self.code} (end the command with `; echo $?` to show a failure)"
        diff = difflib.unified_diff(self.example.expected, self.actual, "page", "spnet", lineterm="", n=2)
        return where + "\n" + "\n".join(diff)


def check_page(path: Path) -> list[Outcome]:
    """Run every example of the page, in order, in one fresh directory."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for block in blocks(lines):
        for example in block.examples:
            if not COMMAND.match(example.command):
                raise ValueError(f"{path.name}:{example.line}: an example runs spnet: {example.command}")
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="spnet-docs-") as tmp:
        work = Path(tmp)
        for block in blocks(lines):
            for example in block.examples:
                outcomes.append(Outcome(example, *run(example.command, work)))
    return outcomes


def write_page(path: Path, outcomes: list[Outcome]) -> bool:
    """Put each example's actual output in the page; whether anything changed."""
    lines = path.read_text(encoding="utf-8").splitlines()
    new: list[str] = []
    by_line = {o.example.line: o for o in outcomes}
    skip = 0
    for number, line in enumerate(lines, start=1):
        if skip:
            skip -= 1
            continue
        new.append(line)
        outcome = by_line.get(number)
        if outcome is not None:
            new.extend(rewritten(outcome.example.expected, outcome.actual))
            new.extend([""] * outcome.example.gap)
            skip = len(outcome.example.expected) + outcome.example.gap
    text = "\n".join(new) + "\n"
    changed = text != path.read_text(encoding="utf-8")
    if changed:
        path.write_text(text, encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check (or rewrite) the examples in the documentation.")
    parser.add_argument("pages", nargs="*", type=Path, help="pages to check (default: README.md and docs/*.md)")
    parser.add_argument("--write", action="store_true", help="rewrite each example's output with the actual one")
    args = parser.parse_args(argv)
    failed = 0
    for path in [p.resolve() for p in args.pages] or pages():
        outcomes = check_page(path)
        name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
        bad = [o for o in outcomes if not o.ok]
        if args.write:
            if write_page(path, outcomes):
                print(f"{name}: rewritten")
            bad = [o for o in bad if o.code != 0]
        for outcome in bad:
            print(outcome.explain(name), file=sys.stderr)
        print(f"{name}: {len(outcomes)} examples, {len(bad)} failing")
        failed += len(bad)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
