"""Where every error becomes one line and an exit code, and where help speaks the reader's
language: spnet's Click command and group classes.

Every error becomes its exit code (errors.EXIT_CODES, the one table of them) and one
line on stderr, translated here, in SpnetGroup.main.

Click's own objects (a context, a help formatter, a usage error) are `Any` here: Typer
vendors Click in a private module (typer._click, which spnet does not import), and its
public typer.Context is a subclass, which the methods overridden here cannot narrow to.
"""

import contextlib
import errno
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any  # Click's Context, HelpFormatter and exceptions: see below

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

from spnet import interrupts, render, stderr
from spnet.errors import BUG, DataError, Interrupted, OutputError, SpnetError, UsageError
from spnet.i18n import N_, _, command_language, is_utf8, language, speak, typer_words


class LocalisedContext(typer.Context):
    """Help wrapped by display width (terminal.HelpFormatter): English help shows Japanese
    examples (京都大学, 令和5年度) too."""

    def make_formatter(self) -> Any:
        from spnet import terminal  # the width of Japanese characters

        return terminal.HelpFormatter(super().make_formatter())


class Localised:
    """Help in the reader's language (spnet.i18n): a command's help and its options' are
    looked up in the catalogue, by their English text, when help is shown; Typer's own
    words ("Options", "[default: …]") come through gettext's domain, which i18n.setup
    makes spnet's. English readers pay nothing: nothing is looked up."""

    help: str | None
    context_class: type[Any] = LocalisedContext

    def localise(self, ctx: Any) -> None:
        if language() != "ja" or getattr(self, "_localised", False):
            return
        self.help = _(self.help) if self.help else self.help
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            if getattr(param, "help", None):
                param.help = _(param.help)
        self._localised = True

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.localise(ctx)
        with typer_words():
            super().format_help(ctx, formatter)  # type: ignore[misc]

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        """After the options: under spnet's own help, a few examples; under every help, the
        path of the documentation page that says more (installed with spnet)."""
        super().format_epilog(ctx, formatter)  # type: ignore[misc]
        from spnet import topics

        top = ctx  # the command under spnet itself that this help is about (`add`, not `add partner`)
        while top.parent is not None and top.parent.parent is not None:
            top = top.parent
        if top.parent is None:
            with formatter.section(_("Examples")):
                formatter.write_dl([(command, _(what)) for command, what in topics.EXAMPLES])
        page = topics.page_of(top.info_name if top.parent else None)
        formatter.write_paragraph()
        formatter.write_text(_("Documentation: {path}").format(path=page))

    def get_short_help_str(self, limit: int = 45) -> str:
        if language() == "ja" and self.help:
            return _(self.help).split("\n")[0].split("。")[0]
        return super().get_short_help_str(limit)  # type: ignore[misc, no-any-return]

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_("Usage: "))


class LocalisedGroup(Localised, TyperGroup):
    """A group of commands whose help is in the reader's language, and that names the
    commands closest to a mistyped one."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except Exception as exc:
            if not is_click_error(exc):
                raise
            import difflib  # only a mistyped command needs it

            if args and hasattr(exc, "message") and exc.message.startswith("No such command"):
                close = difflib.get_close_matches(args[0], self.list_commands(ctx))
                hint = _("; did you mean {some}?").format(some=", ".join(map(repr, close))) if close else ""
                exc.message = _("no such command {name!r}").format(name=args[0]) + hint
            raise


class SpnetGroup(LocalisedGroup):
    """Turns every error into one line on stderr and its exit code, in one place; and
    builds a command only when it is asked for.

    Typer builds every command's options before it runs one: for spnet's commands that
    was an eighth of a JSON query (bench/run.py), paid by every script that calls
    spnet. Commands are kept aside as Typer registered them (`LAZY`) and built by name,
    so one command costs what it declares; help and completion list them all.
    """

    # The commands, as Typer registered them, built by name (set by spnet.cli).
    lazy: dict[str, Callable[[], Any]] = {}

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        rest: list[str] = super().parse_args(ctx, args)
        utf8_only(ctx, self.get_params(ctx))
        return rest

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.commands[cmd_name] = self.lazy[cmd_name]()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(dict.fromkeys([*self.lazy, *self.commands]))

    def make_context(self, *args: Any, **extra: Any) -> Any:
        """The command line read; `--help`, `--version` and `--show-completion` answer here."""
        with _passed_on():
            return super().make_context(*args, **extra)

    def invoke(self, ctx: Any) -> Any:
        """The command, run."""
        with _passed_on():
            return super().invoke(ctx)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        with command_language():  # --lang ja lasts as long as its command
            try:
                rv = super().main(
                    args=args,
                    prog_name=prog_name or "spnet",
                    complete_var=complete_var,
                    standalone_mode=False,
                    windows_expand_args=windows_expand_args,
                    **extra,
                )
                sys.stdout.flush()  # a full disk shows here, not in the interpreter's last words
            except (Exception, Interrupted) as exc:
                code = _said(exc, sys.argv[1:] if args is None else args)
            else:
                code = rv if isinstance(rv, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


def _said(exc: Exception | Interrupted, args: Sequence[str]) -> int:
    """An error's one line on stderr, and its exit code (errors.EXIT_CODES)."""
    if isinstance(exc, SpnetError):
        return _fail(str(exc), exc.exit_code)
    if isinstance(exc, typer.Abort):
        return _fail(_("aborted"), Interrupted.exit_code)
    if isinstance(exc, Interrupted):
        return interrupts.report()
    if isinstance(exc, BrokenPipeError | _ReaderGone):
        return _reader_gone()
    if isinstance(exc, OSError):  # what spnet writes: stdout, --out, --svg (reading raises DataError)
        return _fail(_cannot_write(exc), OutputError.exit_code)
    if isinstance(exc, MemoryError):
        return _fail(_("out of memory: the archive is too large to read here"), DataError.exit_code)
    if not is_click_error(exc):  # bad command-line input, as click found it; anything else is a bug
        return _bug(exc)
    _speak_as_asked(args)
    return _fail(_usage_line(exc), exc.exit_code)  # type: ignore[attr-defined]


def _speak_as_asked(args: Sequence[str]) -> None:
    """A command line click refused before it read its --lang (`--lang ja --kind`, the
    value missing) is answered in the language that --lang asks for all the same."""
    for i, arg in enumerate(args):
        typed = arg.removeprefix("--lang=") if arg.startswith("--lang=") else None
        if arg == "--lang" and i + 1 < len(args):
            typed = args[i + 1]
        if typed is not None:
            with contextlib.suppress(SpnetError):  # a bad --lang says so itself, once read
                speak(render.parse_lang(typed).value)


def is_click_error(exc: BaseException) -> bool:
    """One of click's errors (bad usage, a bad value, a missing argument): Typer vendors
    click, whose classes are private, so they are known by what every one of them carries."""
    return (
        isinstance(getattr(exc, "exit_code", None), int)
        and callable(getattr(exc, "format_message", None))
        and callable(getattr(exc, "show", None))
    )


def _bug(exc: Exception) -> int:
    """A bug: say so in one line, and how to see it in full (SPNET_DEBUG=1 re-raises it)."""
    if os.environ.get("SPNET_DEBUG"):
        raise exc
    from importlib.metadata import version

    message = _("a bug in spnet {version}: {error} (SPNET_DEBUG=1 shows the traceback; please report it)")
    return _fail(message.format(version=version("spnet"), error=f"{type(exc).__name__}: {exc}"), BUG)


class SpnetCommand(Localised, TyperCommand):
    """A command that refuses an option given twice where a second value would silently
    replace the first (`--year 2022 --year 2023`). Filters that take several values
    (`--university`, `--country`, `--kind`) are declared as lists and mean any of them."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not ctx.resilient_parsing:
            _args, _rest, order = self.make_parser(ctx).parse_args(args=list(args))
            seen: set[str] = set()
            for param in order:
                if getattr(param, "multiple", True) or getattr(param, "is_flag", True):
                    continue
                if param.name in seen:
                    raise UsageError(_("{option} was given more than once; give it once").format(option=param.opts[0]))
                seen.add(param.name or "")
        rest: list[str] = super().parse_args(ctx, args)
        utf8_only(ctx, self.get_params(ctx))
        return rest


# Options that name a file or directory: a name that is not UTF-8 is a name all the same
# (the file system takes bytes), used as given and shown escaped (render.visible).
_PATH_METAVARS = frozenset({"DIR", "FILE", "PATH"})


def utf8_only(ctx: Any, params: Sequence[Any]) -> None:
    """A text option or argument that is not UTF-8 (typed in a Latin-1 terminal, or given
    as bytes by a script; Python keeps such bytes as lone surrogates) is refused, named."""
    for param in params:
        if param.metavar in _PATH_METAVARS:
            continue
        value = ctx.params.get(param.name)
        for text in value if isinstance(value, list | tuple) else [value]:
            if isinstance(text, str) and not text.isascii() and not is_utf8(text):
                why = _("{value} is not UTF-8 text").format(value=text)
                raise UsageError(_("invalid value for {hint}: {why}").format(hint=param.get_error_hint(ctx), why=why))


def _usage_line(exc: Any) -> str:
    """Click's message, with the usage of the command it is about when it has one."""
    message = " ".join(_click_message(exc).split())  # one line: click lists choices on several
    ctx = getattr(exc, "ctx", None)
    if ctx is not None and getattr(exc, "exit_code", 0) == 2:
        usage = ctx.get_usage().removeprefix(_("Usage: "))
        return _("{message} (usage: {usage}; see {command} -h)").format(
            message=message, usage=usage, command=ctx.command_path
        )
    return message


# Click's own messages, which it words in English only (Typer vendors click without its
# catalogue): each form click words one in, and the catalogue's message that says it.
_CLICK_FORMS: tuple[tuple[str, str], ...] = (
    (r"No such option: (?P<option>.*)", N_("no such option: {option}")),
    (r"Option (?P<option>'.*') requires an argument\.", N_("option {option} needs a value")),
    (r"Option (?P<option>'.*') requires (?P<n>\d+) arguments\.", N_("option {option} needs {n} values")),
    (r"Option (?P<option>'.*') does not take a value\.", N_("option {option} takes no value")),
    (r"Got unexpected extra argument\(s\) \((?P<extra>.*)\)", N_("unexpected extra argument(s): {extra}")),
    (r"Argument (?P<argument>'.*') takes (?P<n>\d+) values\.", N_("argument {argument} takes {n} values")),
    (r"Takes (?P<n>\d+) values but (?P<given>\d+) given\.", N_("{given} value(s) given where {n} are needed")),
    (r"(?P<n>\d+) values are required, but (?P<given>\d+) given\.", N_("{given} value(s) given where {n} are needed")),
    (r"(?P<value>.*) is not one of (?P<choices>.*)\.", N_("{value} is not one of {choices}")),
    (r"(?P<value>.*) is not a valid int(?:eger)?\.", N_("{value} is not a whole number")),
    (r"(?P<value>.*) is not a valid float\.", N_("{value} is not a number")),
    (
        r"(?P<value>.*) is not a valid boolean\. Recognized values: (?P<choices>.*)",
        N_("{value} is not yes or no: give one of {choices}"),
    ),
    (r"(?P<value>.*) is not in the range (?P<range>.*)\.", N_("{value} is not in the range {range}")),
)


def _click_message(exc: Any) -> str:
    """Click's message; for a Japanese reader, in Japanese (click has no catalogue of its
    own). Told apart by what they carry, not by click's private classes."""
    if language() != "ja":
        return str(exc.format_message())
    param, ctx = getattr(exc, "param", None), getattr(exc, "ctx", None)
    hint = param.get_error_hint(ctx) if param is not None and ctx is not None else None
    if getattr(exc, "possibilities", None) and getattr(exc, "option_name", None):
        close = ", ".join(sorted(exc.possibilities))
        return _("no such option: {option}").format(option=exc.option_name) + _("; did you mean {some}?").format(
            some=close
        )
    if hasattr(exc, "param_type") and hint:
        kind = exc.param_type or getattr(param, "param_type_name", "")
        return (_("missing argument {hint}") if kind == "argument" else _("missing option {hint}")).format(hint=hint)
    why = _click_words(str(getattr(exc, "message", None) or exc.format_message()))
    if isinstance(exc, typer.BadParameter) and hint:
        return _("invalid value for {hint}: {why}").format(hint=hint, why=why)
    return why


def _click_words(message: str) -> str:
    """One of click's messages in the reader's language, its values as the user typed them."""
    import re

    for form, words in _CLICK_FORMS:
        found = re.fullmatch(form, message, re.DOTALL)
        if found:
            return _(words).format(**found.groupdict())
    return message


def _fail(message: str, code: int) -> int:
    stderr.error(_shortened(render.visible(message)))
    return code


# A word of a message longer than this (a value typed or read: 5,000 digits given to --fy)
# keeps its start and end, so the one line stays one a reader takes in.
_LONGEST_WORD = 200


def _shortened(message: str) -> str:
    import re

    if len(message) <= _LONGEST_WORD:
        return message
    return re.sub(
        rf"[^\s'\"‘’“”「」『』()（）]{{{_LONGEST_WORD},}}",  # a value, without the marks that quote it
        lambda m: m[0][:80] + _("…({n} characters)…").format(n=len(m[0])) + m[0][-40:],
        message,
    )


@contextlib.contextmanager
def _passed_on() -> Iterator[None]:
    """Typer's own main takes a broken pipe for exit 1 and Ctrl-C for a silent 130 before
    SpnetGroup.main sees them: they are passed on past it, for main to say."""
    try:
        yield
    except KeyboardInterrupt as exc:
        raise Interrupted from exc
    except BrokenPipeError as exc:
        raise _ReaderGone from exc


class _ReaderGone(Exception):
    """The reader of standard output has gone (a BrokenPipeError), carried past Typer."""


def _cannot_write(exc: OSError) -> str:
    if exc.errno == errno.EBADF and not exc.filename:  # held read-only by spnet.entry: closed by the caller
        return _("cannot write the output: standard output is closed")
    where = f"{exc.filename}: " if exc.filename else ""
    return _("cannot write the output: {where}{why}").format(where=where, why=exc.strerror or exc)


def _reader_gone() -> int:
    """The reader stopped reading (`spnet timeline | head`): it has what it wanted. Nothing
    more is written, and Python's own flush at exit must not complain either."""
    with contextlib.suppress(OSError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
