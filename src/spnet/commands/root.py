"""The root of the command line: the options before any command, --version, and `spnet help`."""

import sys
from typing import Annotated

import typer
from typer.core import TyperGroup

from spnet import topics
from spnet.app import app, command
from spnet.errors import UsageError
from spnet.i18n import _, check_environment
from spnet.options import DataOpt, NoCacheOpt


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version  # slow to import: only --version needs it

        sys.stdout.write(f"spnet {version('spnet')}\n")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    data: DataOpt = None,
    no_cache: NoCacheOpt = False,
    show_version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Ask the archive of the 'Strategic Partnerships' network project (2021 to March 2024).

    Example: spnet partners --university kyoto

    More: spnet help environment | exit-codes | formats | dates
    """
    check_environment()
    ctx.obj = {"data": data, "cache": not no_cache}
    if ctx.invoked_subcommand is None and not ctx.resilient_parsing:
        sys.stdout.write(ctx.get_help() + "\n")


def _complete_topic(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """`spnet help <Tab>`: the topics (each described by its title), then the commands."""
    root = ctx.find_root()
    group = root.command
    offered = [(name, _(text).split("\n", 1)[0]) for name, text in topics.TOPICS.items()]
    if isinstance(group, TyperGroup):
        built = ((name, group.get_command(root, name)) for name in group.list_commands(root))
        offered += [(name, sub.get_short_help_str()) for name, sub in built if sub is not None]
    return [(name, what) for name, what in offered if name.startswith(incomplete)]


@command(name="help")
def help_(
    ctx: typer.Context,
    topic: Annotated[
        str | None,
        typer.Argument(
            metavar="TOPIC",
            autocompletion=_complete_topic,
            help=f"A command, or one of: {', '.join(topics.TOPICS)}.",
        ),
    ] = None,
) -> None:
    """Help on a command or a topic: environment, exit-codes, formats, dates.

    Example: spnet help environment
    """
    root_ctx = ctx.find_root()
    if topic is None:
        sys.stdout.write(root_ctx.get_help() + "\n")
        return
    if topic in topics.TOPICS:
        from spnet import terminal  # display widths, Japanese phrases

        lines = terminal.topic_lines(_(topics.TOPICS[topic]), terminal.help_width(sys.stdout))
        sys.stdout.write("".join(f"{line}\n" for line in lines))
        return
    group = root_ctx.command
    sub = group.get_command(root_ctx, topic) if isinstance(group, TyperGroup) else None
    if sub is None:
        raise UsageError(
            _("no help on {topic!r}: try a command or one of {topics}").format(
                topic=topic, topics=", ".join(topics.TOPICS)
            )
        )
    with sub.make_context(topic, [], parent=root_ctx, resilient_parsing=True) as sub_ctx:
        sys.stdout.write(sub.get_help(sub_ctx) + "\n")
