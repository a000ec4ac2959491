"""The Typer application the commands register on (commands/, adding.py)."""

from collections.abc import Callable
from typing import Any

import typer
import typer.main

from spnet.boundary import SpnetCommand, SpnetGroup

CONTEXT = {"help_option_names": ["-h", "--help"]}


app = typer.Typer(
    cls=SpnetGroup,
    help="Ask the archive of the 'Strategic Partnerships' network project (2021 to March 2024).",
    invoke_without_command=True,
    suggest_commands=False,  # SpnetGroup suggests from every command, built or not
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings=CONTEXT,
)


def command(**options: Any) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """`app.command` (whose options, typed Any by Typer, it passes on), with the class
    that refuses repeated options."""
    return app.command(cls=SpnetCommand, **options)
