"""Ctrl-C, from the first import to the last write: one line on stderr, exit 130, no
traceback, no worker process left, no temporary file left.

The console script installs `interrupt` before it imports anything heavy (spnet.entry).
It raises Interrupted once and then ignores Ctrl-C, so that what is undone on the way out
(a temporary file removed, worker processes ended) is not cut short by a second one.
Only the standard library is imported here: this runs before everything else.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType

from spnet.errors import Interrupted


def interrupt(signum: int, frame: FrameType | None) -> None:
    """The SIGINT handler of the spnet command."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise Interrupted


def install() -> None:
    """Ctrl-C is spnet's from here on; unless it was ignored when spnet started, as a shell
    ignores it for a job started in the background (`spnet export … &` in a script), which
    the terminal's Ctrl-C must not end."""
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, interrupt)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Ctrl-C held back while the body runs, and taken when it ends: for what must not be
    cut in two (a temporary file made and noted for removal, worker processes started)."""
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


@contextlib.contextmanager
def ignored() -> Iterator[None]:
    """Ctrl-C ignored while the body runs: a pager, which handles Ctrl-C itself, is waited for."""
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def ignore_in_worker() -> None:
    """A worker process ignores Ctrl-C, which the terminal sends its whole process group:
    the command drops the work not yet begun and ends its workers (archive.unit)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def report() -> int:
    """Say so, in one line; the exit code of an interrupted command."""
    from spnet import stderr
    from spnet.i18n import _

    with contextlib.suppress(OSError, ValueError):  # stderr gone: the exit code says it
        stderr.line(_("spnet: interrupted"))
    return Interrupted.exit_code
