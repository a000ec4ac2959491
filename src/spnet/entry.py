"""The `spnet` console script's first moments, before anything heavy is imported (Typer and
the commands, most of a query's time): Ctrl-C is spnet's from here on (spnet.interrupts), and a
standard stream the caller closed is held open on /dev/null.

Everything after is spnet.cli's; SpnetGroup.main turns a command's errors into exit codes.
What is caught here is only what happens outside a command: Ctrl-C while Python imports
spnet, or after the command has ended.
"""

import contextlib
import os
import sys
from typing import Any, TextIO

from spnet import interrupts
from spnet.errors import Interrupted


def main() -> None:
    interrupts.install()
    hold_closed_streams()
    sys.stderr = _Unfailing(sys.stderr)
    if (sys.stdout.encoding or "").lower().replace("-", "").replace("_", "") != "utf8":
        # A terminal or PYTHONIOENCODING in Latin-1, ASCII or Shift_JIS: what it cannot hold
        # is written as \u escapes, as archive text that cannot be shown is.
        sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    try:
        from spnet.cli import main as run

        run()
    except Interrupted:
        os._exit(interrupts.report())


def hold_closed_streams() -> None:
    """A standard stream the caller closed (`spnet universities >&-`) is opened on /dev/null,
    so that no file spnet opens takes its number: standard output read-only, so that writing
    it fails (exit 4, one line) rather than vanish; standard error write-only, so that a
    message is dropped and the exit code still says what happened; standard input empty."""
    streams = (("stdin", os.O_RDONLY, "r"), ("stdout", os.O_RDONLY, "w"), ("stderr", os.O_WRONLY, "w"))
    for fd, (name, flags, mode) in enumerate(streams):
        try:
            os.fstat(fd)
            continue
        except OSError:
            held = os.open(os.devnull, flags)
        if held != fd:
            os.dup2(held, fd)
            os.close(held)
        errors = "backslashreplace" if name == "stderr" else "strict"
        setattr(sys, name, open(fd, mode, encoding="utf-8", errors=errors, closefd=False))  # noqa: SIM115


class _Unfailing:
    """Standard error that cannot fail: a message it cannot take (`2>/dev/full`, a reader
    gone) is dropped, and the exit code still says what happened, where Python would end
    with exit 1 for a stream it lost."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return int(self._stream.write(text))
        except OSError:
            return len(text)

    def flush(self) -> None:
        with contextlib.suppress(OSError):
            self._stream.flush()

    def __getattr__(self, name: str) -> Any:  # whatever the stream has
        return getattr(self._stream, name)
