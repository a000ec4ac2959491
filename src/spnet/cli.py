"""The command line: one small function per command, each a query plus a call to render.

Exit codes: errors.EXIT_CODES; boundary.SpnetGroup.main turns every error into one.
"""

import functools
import os
import sys
from collections.abc import Callable
from typing import Any

import typer
import typer.main

from spnet import adding, commands  # noqa: F401 - registering the commands on the app
from spnet.app import app
from spnet.boundary import SpnetGroup

# The commands and groups registered above, built by name when asked for (see SpnetGroup):
# Click objects, which Typer keeps in a private module (boundary.py says more).
LAZY: dict[str, Callable[[], Any]] = {
    **{
        info.name or typer.main.get_command_name(info.callback.__name__): functools.partial(
            typer.main.get_command_from_info, info, pretty_exceptions_short=True, rich_markup_mode=None
        )
        for info in app.registered_commands
        if info.callback is not None
    },
    **{
        info.name: functools.partial(
            typer.main.get_group_from_info,
            info,
            pretty_exceptions_short=True,
            suggest_commands=True,
            rich_markup_mode=None,
        )
        for info in app.registered_groups
        if info.name
    },
}
app.registered_commands, app.registered_groups = [], []
SpnetGroup.lazy = LAZY


def main() -> None:
    """Console-script entry point.

    The command has ended (SpnetGroup.main) with everything it wrote flushed and every
    file it wrote closed and moved into place, so the process ends at once, with its
    exit code. Python's own shutdown, which frees every module and object one by one,
    was a seventh of a JSON query on the real archive (bench/README.md). An exit that is
    not a code (a message)
    or an error that reached this far leaves the usual way.
    """
    try:
        app()
    except SystemExit as done:
        if done.code is not None and not isinstance(done.code, int):
            raise
        code = done.code or 0
    threads = sys.modules.get("threading")
    if threads is not None and threads.active_count() > 1:
        sys.exit(code)  # a thread still at work ends the usual way, joined by Python's shutdown
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:
            code = code or 4  # the output could not be written (SpnetGroup.main says so for a command's)
    os._exit(code)
