"""Every line spnet writes on stderr about itself: an error (the boundary's, with its exit
code), a warning, a note (a listing that matched nothing, events a calendar left out), or
Ctrl-C's one line. Each is one line beginning `spnet:`, in the reader's language; the
text given is shown as it is, so the caller escapes what came from outside spnet
(visible.visible) before it is worded into a message. The rest of stderr is a progress
bar and `check`'s report of the archive's problems (terminal.write_messages), its output."""

from __future__ import annotations

import sys


def line(text: str) -> None:
    """One whole line on stderr, now: its prefix is the caller's (`spnet: interrupted`)."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def error(message: str) -> None:
    from spnet.i18n import _

    line(_("spnet: error: {message}").format(message=message))


def warning(message: str) -> None:
    from spnet.i18n import _

    line(_("spnet: warning: {message}").format(message=message))


def note(message: str) -> None:
    """What a reader should know beside the output, not a fault: `spnet: no partners match`."""
    line(f"spnet: {message}")
