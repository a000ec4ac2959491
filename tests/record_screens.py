"""Record the golden screens of tests/screens/ again, after a deliberate change to what a
person sees; read `git diff tests/screens` before committing it. The tests only compare.

    python -m tests.record_screens                 # every golden screen
    python -m tests.record_screens NAME ...        # those named (tests/screens/NAME.txt)
    python -m tests.record_screens --into DIR ...  # written to DIR instead

Each screen is made by the function its test compares with (`golden_text` in
test_screens.py and test_ja_wrapping.py). Exit 2 for a name no golden screen has.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from pathlib import Path

from tests import test_ja_wrapping, test_screens


def screens() -> dict[str, Callable[[], str]]:
    """Every golden screen by name: what makes its text."""
    made = {name: functools.partial(test_screens.golden_text, args, cols) for name, args, cols in test_screens.GOLDEN}
    for name, args, cols, env in test_ja_wrapping.GOLDEN:
        made[name] = functools.partial(test_ja_wrapping.golden_text, args, cols, env)
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.record_screens", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="golden screens to record (all when none)")
    parser.add_argument("--into", type=Path, default=test_screens.SCREENS, help="where to write them")
    args = parser.parse_args(argv)
    every = screens()
    unknown = [name for name in args.names if name not in every]
    if unknown:
        print(f"record_screens: no golden screen named {', '.join(unknown)}", file=sys.stderr)
        return 2
    for name in args.names or sorted(every):
        path = args.into / f"{name}.txt"
        text = every[name]()
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"rewrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
