"""The progress of a long reading of the archive, as the commands show it: after a second
of work, a progress bar on stderr when it is a terminal (terminal.py draws it); nothing
otherwise, and nothing for the short work of a small archive. The loader is handed this
class (archive.load.Progress) and makes one for each reading of the files."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spnet.terminal import ProgressBar


class TerminalProgress:
    def __init__(self) -> None:
        self.start = time.monotonic()
        self.bar: ProgressBar | None = None

    def __call__(self, what: str, done: int, total: int) -> None:
        if self.bar is None:
            if time.monotonic() - self.start < 1 or not sys.stderr.isatty():
                return
            from spnet import terminal  # Rich, imported only when a bar is drawn

            self.bar = terminal.ProgressBar()
        self.bar.update(what, done, total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
