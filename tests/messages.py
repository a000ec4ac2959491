"""The English text spnet shows that its catalogue must translate: every `_("...")` in
the source, every command's and option's help, and Typer's own words spnet shows."""

from __future__ import annotations

import ast
from pathlib import Path

import spnet

SOURCE = Path(spnet.__file__).parent
# Typer's words in spnet's help and errors (typer.core looks them up through gettext).
TYPER_WORDS = ("Options", "Arguments", "Commands", "default: {default}", "required")


def source_messages() -> set[str]:
    found = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            # _("message"), and problems.error(where, "message", ...) / .warn(...): a
            # problem's message is translated when it is shown (models.Problem).
            if isinstance(node.func, ast.Name) and node.func.id in ("_", "N_"):
                message = node.args[0] if node.args else None
            elif isinstance(node.func, ast.Attribute) and node.func.attr in ("error", "warn") and len(node.args) >= 2:
                message = node.args[1]
            else:
                continue
            if isinstance(message, ast.Constant) and isinstance(message.value, str):
                found.add(message.value)
    return found


def help_messages() -> set[str]:
    """The help of every command, group and option, as Typer builds them."""
    from typer.main import get_command

    from spnet import cli, topics

    root = get_command(cli.app)
    found = set(topics.TOPICS.values())
    todo = [(root, root.make_context("spnet", [], resilient_parsing=True))]
    while todo:
        command, ctx = todo.pop()
        if command.help:
            found.add(command.help)
        found |= {p.help for p in command.get_params(ctx) if getattr(p, "help", None)}
        for name in getattr(command, "list_commands", lambda ctx: [])(ctx):
            sub = command.get_command(ctx, name)
            todo.append((sub, sub.make_context(name, [], parent=ctx, resilient_parsing=True)))
    return found


def all_messages() -> set[str]:
    return source_messages() | help_messages() | set(TYPER_WORDS)


if __name__ == "__main__":  # print them, for writing the catalogue
    for message in sorted(all_messages()):
        print(repr(message))
