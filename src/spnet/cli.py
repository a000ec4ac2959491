"""The command line: one small function per command, each a query plus a call to render.

Exit codes (`spnet help exit-codes`): 0 success; 1 `spnet check` found errors; 2 bad
command-line input (unknown name, bad date, unknown field or option); 3 the archive cannot
be read or is invalid; 4 the output could not be written; 70 a bug in spnet; 130
interrupted. Every error is one line on stderr, translated here, in SpnetGroup.main.
"""

import contextlib
import datetime as dt
import functools
import inspect
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

from spnet import dates, glossary, query, render, topics
from spnet.archive import EVENT_KINDS, PARTNER_KINDS, load_archive, resolve_data_dir, scan_cached
from spnet.dates import DateSpan, DateStyle, parse_fiscal_year, parse_span, parse_year, to_partial_date
from spnet.errors import CheckFailed, SpnetError, UsageError
from spnet.i18n import _, language, typer_words
from spnet.models import Archive
from spnet.render import Format, Lang, Output

TODAY_ENV = "SPNET_TODAY"
# Listing commands declare `out`; `listing` replaces it with the shared options.
DEFAULT_OUTPUT = Output()
CONTEXT = {"help_option_names": ["-h", "--help"]}


class LocalisedContext(typer.Context):
    """Help for a Japanese reader wrapped by display width (terminal.HelpFormatter)."""

    def make_formatter(self) -> Any:
        formatter = super().make_formatter()
        if language() != "ja":
            return formatter
        from spnet import terminal  # Japanese help only: the width of its characters

        return terminal.HelpFormatter(formatter)


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

    def get_short_help_str(self, limit: int = 45) -> str:
        if language() == "ja" and self.help:
            return _(self.help).split("\n")[0].split("。")[0]
        return super().get_short_help_str(limit)  # type: ignore[misc, no-any-return]

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_("Usage: "))


class LocalisedGroup(Localised, TyperGroup):
    """A group of commands whose help is in the reader's language."""


class SpnetGroup(LocalisedGroup):
    """Turns every error into one line on stderr and its exit code, in one place; and
    builds a command only when it is asked for.

    Typer builds every command's options before it runs one: for spnet's commands that
    was about 10 ms of a 80 ms JSON query (bench/run.py), paid by every script that calls
    spnet. Commands are kept aside as Typer registered them (`LAZY`) and built by name,
    so one command costs what it declares; help and completion list them all.
    """

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in LAZY:
            self.commands[cmd_name] = LAZY[cmd_name]()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(dict.fromkeys([*LAZY, *self.commands]))

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except Exception as exc:
            if not is_click_error(exc):
                raise
            import difflib  # only a mistyped command needs it (~5 ms to import)

            if args and hasattr(exc, "message") and exc.message.startswith("No such command"):
                close = difflib.get_close_matches(args[0], self.list_commands(ctx))
                hint = _("; did you mean {some}?").format(some=", ".join(map(repr, close))) if close else ""
                exc.message = _("no such command {name!r}").format(name=args[0]) + hint
            raise

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
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
        except SpnetError as exc:
            code = _fail(str(exc), exc.exit_code)
        except typer.Abort:
            code = _fail(_("aborted"), 130)
        except BrokenPipeError:
            code = _reader_gone()
        except OSError as exc:  # what spnet writes: stdout, --out, --svg (reading raises DataError)
            where = f"{exc.filename}: " if exc.filename else ""
            code = _fail(_("cannot write the output: {where}{why}").format(where=where, why=exc.strerror or exc), 4)
        except MemoryError:
            code = _fail(_("out of memory: the archive is too large to read here"), 3)
        except Exception as exc:
            # Bad command-line input, as click found it; anything else is a bug.
            code = _fail(_usage_line(exc), exc.exit_code) if is_click_error(exc) else _bug(exc)  # type: ignore[attr-defined]
        else:
            code = rv if isinstance(rv, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


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
    return _fail(message.format(version=version("spnet"), error=f"{type(exc).__name__}: {exc}"), 70)


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
        return super().parse_args(ctx, args)


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


def _click_message(exc: Any) -> str:
    """Click's message; for a Japanese reader, the common ones in Japanese (click has no
    catalogue of its own). Told apart by what they carry, not by click's private classes."""
    if language() != "ja":
        return str(exc.format_message())
    param, ctx = getattr(exc, "param", None), getattr(exc, "ctx", None)
    hint = param.get_error_hint(ctx) if param is not None and ctx is not None else None
    if getattr(exc, "possibilities", None) is not None and getattr(exc, "option_name", None):
        close = ", ".join(sorted(exc.possibilities))
        text = _("no such option: {option}").format(option=exc.option_name)
        return text + (_("; did you mean {some}?").format(some=close) if close else "")
    if hasattr(exc, "param_type") and hint:
        kind = exc.param_type or getattr(param, "param_type_name", "")
        return (_("missing argument {hint}") if kind == "argument" else _("missing option {hint}")).format(hint=hint)
    if isinstance(exc, typer.BadParameter) and hint:
        return _("invalid value for {hint}: {why}").format(hint=hint, why=exc.message)
    return str(exc.format_message())


def _fail(message: str, code: int) -> int:
    sys.stderr.write(f"spnet: error: {render.visible(message)}\n")
    return code


def _reader_gone() -> int:
    """The reader stopped reading (`spnet timeline | head`): it has what it wanted. Nothing
    more is written, and Python's own flush at exit must not complain either."""
    with contextlib.suppress(OSError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


app = typer.Typer(
    cls=SpnetGroup,
    help="Ask the archive of the 'Strategic Partnerships' network project (2021-2024).",
    invoke_without_command=True,
    suggest_commands=False,  # SpnetGroup suggests from every command, built or not
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings=CONTEXT,
)


def command(**options: Any) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """`app.command`, with the class that refuses repeated options."""
    return app.command(cls=SpnetCommand, **options)


# ------------------------------------------------------------------ completion
def _completion_archive(ctx: typer.Context) -> Archive | None:
    """The archive a completion request is about (--data wherever it was typed), or None."""
    data = None
    while ctx is not None:
        data = data or ctx.params.get("data")
        ctx = ctx.parent  # type: ignore[assignment]
    try:
        return load_archive(data)
    except (SpnetError, OSError):
        return None


def _complete(values: Callable[[Archive], Iterable[tuple[str, str]]]) -> Callable[..., list[tuple[str, str]]]:
    def complete(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
        archive = _completion_archive(ctx)
        if archive is None:
            return []
        key = query.fold(incomplete, numbers=False)
        return [(v, h) for v, h in values(archive) if query.fold(v, numbers=False).startswith(key)]

    return complete


def _university_choices(archive: Archive) -> Iterable[tuple[str, str]]:
    for u in archive.index.university_names:
        yield u.id, u.name.en or ""
        yield from ((s, u.name.en or "") for s in u.short_names)


complete_university = _complete(_university_choices)
complete_country = _complete(lambda a: ((c.id, c.name.en or "") for c in a.countries))
complete_partner_kind = _complete(lambda a: ((k, "") for k in PARTNER_KINDS))
complete_event_kind = _complete(lambda a: ((k, "") for k in EVENT_KINDS))
complete_record = _complete(lambda a: ((r.id, type(r).__name__.lower()) for r in query.all_records(a)))


def complete_fields(ctx: typer.Context, incomplete: str) -> list[str]:
    """Field names of the command's listing, after the last comma of what is typed."""
    done, _comma, last = incomplete.rpartition(",")
    prefix = f"{done}," if done else ""
    keys = [c.key for c in render.COLUMNS.get(ctx.command.name or "", [])]
    return [prefix + k for k in keys if k.startswith(last) and k not in done.split(",")]


# ------------------------------------------------------------------ shared options
FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        case_sensitive=False,
        metavar="FORMAT",
        help="table on a terminal, plain (tab-separated, no header) when piped; or json, csv, tsv, md.",
    ),
]
LangOpt = Annotated[
    str,
    typer.Option(
        "--lang",
        metavar="LANG",
        autocompletion=lambda: ["en", "ja", "both"],
        help="en, ja or both: which language of the archive to show (ja, jp, 日本語 ...).",
    ),
]
DateStyleOpt = Annotated[
    str | None,
    typer.Option(
        "--date-style",
        metavar="STYLE",
        autocompletion=lambda: list(DateStyle.ALL),
        help="Tables: iso (2023-03-03), ja (2023年3月3日（金）) or wareki (令和5年3月3日（金））; "
        "ja with --lang ja, else iso.",
    ),
]
FieldsOpt = Annotated[
    str | None,
    typer.Option(
        "--fields", metavar="FIELDS", autocompletion=complete_fields, help="Comma-separated fields, in that order."
    ),
]
NoHeaderOpt = Annotated[bool, typer.Option("--no-header", help="CSV/TSV/Markdown/table without the header.")]
BomOpt = Annotated[bool, typer.Option("--bom", help="Write a UTF-8 BOM before CSV (for Excel).")]
AsciiOpt = Annotated[bool, typer.Option("--ascii", help="Draw tables with ASCII characters only.")]
WideOpt = Annotated[bool, typer.Option("--wide", help="Tables: keep every column, however narrow the terminal.")]
NoPagerOpt = Annotated[bool, typer.Option("--no-pager", help="Tables: never page ($SPNET_PAGER, $PAGER, less).")]
DataOpt = Annotated[
    str | None,
    typer.Option("--data", metavar="DIR", help="Archive directory (default: $SPNET_DATA, else the shipped archive)."),
]
NoCacheOpt = Annotated[
    bool, typer.Option("--no-cache", help="Read every file, neither using nor writing the archive cache.")
]


def _any_of(flags: tuple[str, ...], metavar: str, complete: Callable[..., Any], help_: str) -> Any:
    """A filter option that may be repeated: any of its values (`-u kyoto -u osaka`)."""
    return typer.Option(*flags, metavar=metavar, autocompletion=complete, help=f"{help_} Repeat for any of several.")


UniversityOpt = Annotated[
    list[str] | None,
    _any_of(("--university", "-u"), "UNIVERSITY", complete_university, "kyoto, 'Kyoto University', 京都大学, 京大 ..."),
]
CountryOpt = Annotated[
    list[str] | None,
    _any_of(("--country",), "COUNTRY", complete_country, "gb, GBR, UK, United Kingdom, 英国 ... any ISO 3166 country."),
]
PartnerKindOpt = Annotated[
    list[str] | None, _any_of(("--kind",), "KIND", complete_partner_kind, "strategic-partner, consortium, ...")
]
EventKindOpt = Annotated[
    list[str] | None,
    _any_of(("--kind",), "KIND", complete_event_kind, "meeting, symposium, workshop, survey, milestone."),
]
OneUniversityOpt = Annotated[
    str | None,
    typer.Option(
        "--university", "-u", metavar="UNIVERSITY", autocompletion=complete_university, help="kyoto, 京都大学, 京大 ..."
    ),
]
YearOpt = Annotated[str | None, typer.Option("--year", metavar="YEAR", help="Calendar year: 2023, 令和5年, R5.")]
FyOpt = Annotated[
    str | None, typer.Option("--fy", metavar="YEAR", help="Fiscal year, April to March: 2022, FY2022, 2022年度.")
]
FromOpt = Annotated[
    str | None, typer.Option("--from", metavar="DATE", help="From this date (a partial date from its start).")
]
ToOpt = Annotated[str | None, typer.Option("--to", metavar="DATE", help="To this date (a partial date to its end).")]


SharedOpt = Annotated[
    bool, typer.Option("--shared", help="Only institutions that are partners of two or more member universities.")
]


def _output(
    fmt: Format | None,
    lang: str,
    fields: str | None,
    no_header: bool,
    bom: bool,
    ascii_: bool,
    wide: bool = False,
    no_pager: bool = False,
    date_style: str | None = None,
) -> Output:
    chosen = tuple(f.strip() for f in fields.split(",") if f.strip()) if fields else None
    if fields is not None and not chosen:
        raise UsageError(_("--fields needs at least one field name"))
    language = render.parse_lang(lang)
    return Output(
        format=fmt,
        lang=language,
        date_style=render.parse_date_style(date_style, language),
        fields=chosen,
        header=not no_header,
        bom=bom,
        ascii=ascii_,
        wide=wide,
        pager=not no_pager,
    )


def _params(*spec: tuple[str, Any, Any]) -> list[inspect.Parameter]:
    return [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=d, annotation=a) for n, a, d in spec]


_OUTPUT_OPTIONS = _params(
    ("fmt", FormatOpt, None),
    ("lang", LangOpt, "both"),
    ("date_style", DateStyleOpt, None),
    ("fields", FieldsOpt, None),
    ("no_header", NoHeaderOpt, False),
    ("bom", BomOpt, False),
    ("ascii_", AsciiOpt, False),
    ("wide", WideOpt, False),
    ("no_pager", NoPagerOpt, False),
)
# The root's --data and --no-cache, accepted after the command too.
_ARCHIVE_OPTIONS = _params(("data", DataOpt, None), ("no_cache", NoCacheOpt, False))


def archive_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give a command the archive options (--data, --no-cache), also after its name."""
    return _with_options(command, [])


def listing(command: Callable[..., None]) -> Callable[..., None]:
    """Give a listing command the shared output options, declared once, as one `out` value."""
    return _with_options(command, _OUTPUT_OPTIONS)


def _with_options(command: Callable[..., None], output: list[inspect.Parameter]) -> Callable[..., None]:
    signature = inspect.signature(command)

    @functools.wraps(command)
    def run(**kwargs: Any) -> None:
        ctx = kwargs["ctx"]
        obj = ctx.ensure_object(dict)
        data, no_cache = kwargs.pop("data"), kwargs.pop("no_cache")
        if data is not None and obj.get("data") is not None:
            raise UsageError(_("{option} was given more than once; give it once").format(option="--data"))
        obj["data"] = data if data is not None else obj.get("data")
        obj["cache"] = obj.get("cache", True) and not no_cache
        if output:
            kwargs["out"] = _output(**{p.name: kwargs.pop(p.name) for p in output})
        command(**kwargs)

    own = [p for p in signature.parameters.values() if not (output and p.name == "out")]
    run.__signature__ = signature.replace(parameters=own + output + _ARCHIVE_OPTIONS)  # type: ignore[attr-defined]
    return run


def _editable_root(ctx: typer.Context) -> Path:
    """The data directory a command may write to: never the archive installed with spnet."""
    root = resolve_data_dir((ctx.obj or {}).get("data"))
    if root.resolve().is_relative_to(Path(__file__).resolve().parent):
        raise UsageError(_("the archive installed with spnet is not for editing: give --data DIR (or SPNET_DATA)"))
    return root


def _archive(ctx: typer.Context) -> Archive:
    obj = ctx.ensure_object(dict)
    if "archive" not in obj:
        obj["archive"] = load_archive(obj.get("data"), cache=obj.get("cache", True))
    return obj["archive"]  # type: ignore[no-any-return]


def _emit(ctx: typer.Context, rows: Sequence[dict[str, Any]], listing: str, out: Output, **options: Any) -> None:
    """render.emit for a listing command; under --lang ja a university is shown by its name."""
    if out.lang is Lang.ja:
        heads = _archive(ctx).index.university_names
        names = {u.id: glossary.Term(u.name.en or u.id, u.name.ja or u.name.en or u.id) for u in heads}
        out = out._replace(names=names)
    render.emit(rows, render.COLUMNS[listing], out, **options)


def _span(
    year: str | None = None, fy: str | None = None, start: str | None = None, end: str | None = None
) -> DateSpan | None:
    """One span from --year, --fy, --from and --to (their intersection)."""
    spans = []
    if year is not None:
        y = parse_year(year)
        spans.append(DateSpan(dt.date(y, 1, 1), dt.date(y, 12, 31)))
    if fy is not None:
        spans.append(parse_fiscal_year(fy))
    lo = parse_span(start).start if start is not None else dt.date.min
    hi = parse_span(end).end if end is not None else dt.date.max
    if start is not None and end is not None and lo > hi:
        raise UsageError(_("--from {start} is after --to {end}").format(start=start, end=end))
    if start is not None or end is not None:
        spans.append(DateSpan(lo, hi))
    if not spans:
        return None
    return DateSpan(max(s.start for s in spans), min(s.end for s in spans))


def _today(value: str | None) -> dt.date:
    pinned = value or os.environ.get(TODAY_ENV)
    if not pinned:
        return dt.date.today()
    span = parse_span(pinned)
    if span.start != span.end:
        raise UsageError(_("--today needs a full date, not {date!r}").format(date=pinned))
    return span.start


def _grouping(by: str, out: Output) -> Callable[[dict[str, Any]], str]:
    """The heading a terminal table groups an event under: its year (2023, 2023年), or its
    年度 (FY2022, 2022年度（令和4年度）); an event known only to the year or the decade is
    under that year or decade, which a 年度 cannot say."""
    kind = _choose_group(by)

    def heading(row: dict[str, Any]) -> str:
        date = row.get("date") or ""
        fiscal = dates.fiscal_year_of(date) if kind == "fy" else None
        if fiscal is not None:
            return dates.fiscal_year_label(fiscal, out.lang.value)
        return dates.format_date(date[:4], out.date_style)

    return heading


def _choose_group(by: str) -> str:
    key = by.strip().casefold()
    for choice, spellings in {"year": ("year", "年", "暦年"), "fy": ("fy", "fiscal", "年度")}.items():
        if key in spellings:
            return choice
    raise UsageError(_("unknown grouping {by!r}: give year or fy (年度)").format(by=by))


GroupOpt = Annotated[
    str | None,
    typer.Option(
        "--group",
        metavar="BY",
        autocompletion=lambda: ["year", "fy"],
        help="year, or fy: by 年度, April to March (the default with --fy).",
    ),
]


def _one_university(archive: Archive, typed: Sequence[str] | None) -> tuple[str, ...]:
    """("university",) when the filter names one university: every row would repeat it."""
    return ("university",) if typed and len(query.resolve_universities(archive, typed)) == 1 else ()


# ------------------------------------------------------------------ commands
def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version  # costs ~25 ms: only --version needs it

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
    """Ask the archive of the 'Strategic Partnerships' network project (2021-2024).

    Example: spnet partners --university kyoto

    More: spnet help environment | exit-codes | formats | dates
    """
    ctx.obj = {"data": data, "cache": not no_cache}
    if ctx.invoked_subcommand is None and not ctx.resilient_parsing:
        sys.stdout.write(ctx.get_help() + "\n")


@command(name="help")
def help_(
    ctx: typer.Context,
    topic: Annotated[
        str | None,
        typer.Argument(metavar="TOPIC", help=f"A command, or one of: {', '.join(topics.TOPICS)}."),
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
        sys.stdout.write(_(topics.TOPICS[topic]))
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


@command()
@archive_options
def check(
    ctx: typer.Context,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
) -> None:
    """Validate the archive: errors (exit 1) and warnings, among them every JA/EN disagreement.

    Example: spnet check -q
    """
    from spnet import terminal

    obj = ctx.obj or {}
    root_dir = resolve_data_dir(obj.get("data"))
    archive, problems = scan_cached(root_dir, canonical=True, cache=obj.get("cache", True))
    messages = [] if quiet else [(f"warning: {render.visible(str(w))}", "yellow") for w in problems.warnings]
    messages += [(f"error: {render.visible(str(e))}", "bold red") for e in problems.errors]
    terminal.write_messages(messages)
    if problems.errors or archive is None:
        raise CheckFailed(
            _("{errors} error(s), {warnings} warning(s) in {root}").format(
                errors=len(problems.errors), warnings=len(problems.warnings), root=root_dir
            )
        )
    if quiet:
        return
    sizes = archive.index.sizes
    curated = query.curated(archive)
    text = _(
        "ok: {root}: {universities} universities, {partners} partners, {events} events, {people} people; "
        "{warnings} warning(s); added by the curators, not the report's: {countries_of_partners} partner "
        "countries, {countries} countries, {short_names} short names"
    )
    sys.stdout.write(
        text.format(
            root=root_dir,
            **{k: sizes[k] for k in ("universities", "partners", "events", "people")},
            warnings=len(problems.warnings),
            countries_of_partners=curated["partner countries"],
            countries=curated["countries"],
            short_names=curated["short names"],
        )
        + "\n"
    )


@command()
@archive_options
def fmt(
    ctx: typer.Context,
    check_only: Annotated[
        bool, typer.Option("--check", help="Change nothing: list the files not in canonical form (exit 1).")
    ] = False,
) -> None:
    """Rewrite the data files in canonical form (as spnet add writes them), after a hand edit.

    Example: spnet --data data fmt --check
    """
    from spnet.archive.edit import format_files

    root = resolve_data_dir((ctx.obj or {}).get("data")) if check_only else _editable_root(ctx)
    files = format_files(root, check=check_only)
    for name in files:
        sys.stdout.write(
            (_("not canonical: {file}") if check_only else _("rewrote: {file}")).format(file=render.visible(name))
            + "\n"
        )
    if check_only and files:
        raise CheckFailed(_("{n} file(s) not in canonical form; spnet fmt rewrites them").format(n=len(files)))


@command()
@listing
def universities(
    ctx: typer.Context,
    out: Output = DEFAULT_OUTPUT,
) -> None:
    """The managing university and the eight member universities.

    Example: spnet universities --format json
    """
    _emit(ctx, query.universities(_archive(ctx)), "universities", out, what=_("universities"))


@command()
@listing
def partners(
    ctx: typer.Context,
    university: UniversityOpt = None,
    country: CountryOpt = None,
    kind: PartnerKindOpt = None,
    since: Annotated[
        str | None, typer.Option("--since", metavar="DATE", help="Relations that began in or after this date.")
    ] = None,
    shared: SharedOpt = False,
    out: Output = DEFAULT_OUTPUT,
) -> None:
    """Overseas partners of the member universities (one row per relation).

    Example: spnet partners --university kyoto
    """
    archive = _archive(ctx)
    rows = query.partners(
        archive,
        universities=university or (),
        countries=country or (),
        kinds=kind or (),
        since=parse_span(since) if since is not None else None,
        shared=shared,
    )
    out = out._replace(implied=_one_university(archive, university))
    _emit(ctx, rows, "partners", out, what=_("partners"))


@command()
@listing
def institutions(ctx: typer.Context, shared: SharedOpt = False, out: Output = DEFAULT_OUTPUT) -> None:
    """Partner institutions, each once, with the member universities it is a partner of.

    Example: spnet institutions --shared
    """
    rows = query.institutions(_archive(ctx), shared=shared)
    _emit(ctx, rows, "institutions", out, what=_("institutions"))


@command()
@listing
def timeline(
    ctx: typer.Context,
    university: UniversityOpt = None,
    year: YearOpt = None,
    fy: FyOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    kind: EventKindOpt = None,
    group: GroupOpt = None,
    upcoming: Annotated[bool, typer.Option("--upcoming", help="Only events from today on.")] = False,
    past: Annotated[bool, typer.Option("--past", help="Only events before today.")] = False,
    today: Annotated[str | None, typer.Option("--today", hidden=True)] = None,
    svg: Annotated[
        Path | None,
        typer.Option(
            "--svg", metavar="FILE", help="Draw the timeline into this SVG file; with --format, also list it."
        ),
    ] = None,
    out: Output = DEFAULT_OUTPUT,
) -> None:
    """Project events and university milestones in date order, grouped by year (or 年度) on a terminal.

    Example: spnet timeline --university kyushu --from 2023
    """
    if upcoming and past:
        raise UsageError(_("--upcoming and --past exclude each other"))
    archive = _archive(ctx)
    chosen = query.events(
        archive,
        universities=university or (),
        span=_span(year, fy, start, end),
        kinds=kind or (),
        today=_today(today) if upcoming or past else None,
        upcoming=upcoming,
        past=past,
    )
    if svg is not None:
        from spnet.fsutil import write_atomically
        from spnet.picture import timeline_svg

        write_atomically(svg, timeline_svg(chosen).encode("utf-8"))
        if out.format is None:  # the picture was asked for; a listing too only with --format
            return
    out = out._replace(implied=_one_university(archive, university))
    rows = [query.event_row(e) for e in chosen]
    _emit(ctx, rows, "timeline", out, group=_grouping(group or ("fy" if fy else "year"), out), what=_("events"))


@command()
@listing
def meetings(
    ctx: typer.Context,
    year: YearOpt = None,
    fy: FyOpt = None,
    out: Output = DEFAULT_OUTPUT,
) -> None:
    """The sixteen member-university meetings: number, date, weekday, theme.

    Example: spnet meetings --year 2023
    """
    rows = query.meetings(_archive(ctx), span=_span(year, fy))
    _emit(ctx, rows, "meetings", out, what=_("meetings"))


@command()
@listing
def symposia(
    ctx: typer.Context,
    year: YearOpt = None,
    fy: FyOpt = None,
    out: Output = DEFAULT_OUTPUT,
) -> None:
    """The three Strategic Partnership Symposia: date, time (JST), theme, keynotes, report.

    Example: spnet symposia --fy 2022
    """
    rows = query.symposia(_archive(ctx), span=_span(year, fy))
    _emit(ctx, rows, "symposia", out, what=_("symposia"))


@command()
@listing
def contacts(
    ctx: typer.Context,
    university: UniversityOpt = None,
    out: Output = DEFAULT_OUTPUT,
) -> None:
    """The project's contact points and every named person, with affiliation and role.

    Example: spnet contacts --university tokyo
    """
    archive = _archive(ctx)
    rows = query.contacts(archive, universities=university or ())
    out = out._replace(implied=_one_university(archive, university))
    _emit(ctx, rows, "contacts", out, what=_("contacts"))


@command()
@archive_options
def show(
    ctx: typer.Context,
    record_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            autocompletion=complete_record,
            help="Any record's id or name, e.g. meeting-03, kyoto-zurich, 京都大学.",
        ),
    ],
    fmt: FormatOpt = None,
    lang: LangOpt = "both",
    date_style: DateStyleOpt = None,
    ascii_: AsciiOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """One record of any kind in full, with its source, any JA/EN disagreement, and the
    records it names or that name it.

    Example: spnet show meeting-03
    """
    archive = _archive(ctx)
    pairs = query.card(archive, query.find_record(archive, record_id))
    out = _output(fmt, lang, None, False, False, ascii_, no_pager=no_pager, date_style=date_style)
    if render.resolve_format(out, sys.stdout) is Format.json:
        render.emit_json(dict(pairs))
        return
    # One language, unless a field has a text in the other only: that text stands for it.
    keys = {k for k, _v in pairs}
    other = {Lang.en: ("_ja", "_en"), Lang.ja: ("_en", "_ja")}.get(out.lang)
    keep = [(k, v) for k, v in pairs if not (other and k.endswith(other[0]) and k[:-3] + other[1] in keys)]
    _emit(ctx, [{"field": k, "value": v} for k, v in keep], "card", out)


@command()
@listing
def search(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="Text to find, in English or Japanese.")],
    out: Output = DEFAULT_OUTPUT,
) -> None:
    """Every record holding each word of TEXT, however it is written: case, width, hiragana
    or katakana, common variants (慶応, 慶應), spaces in Japanese names, leading zeros
    (第1回, 第01回). A table shows the text around each match.

    Example: spnet search 京都
    """
    rows = query.search(_archive(ctx), text)
    _emit(ctx, rows, "search", out._replace(highlight=text), what=_("records"))


@command()
@listing
def stats(ctx: typer.Context, group: GroupOpt = None, out: Output = DEFAULT_OUTPUT) -> None:
    """Partners by country, kind and decade begun, and events per year (or 年度), as bars in a table.

    Example: spnet stats --group fy --lang ja
    """
    rows = query.stats(_archive(ctx), fiscal=_choose_group(group or "year") == "fy")
    ja = out.lang is Lang.ja
    _emit(ctx, rows, "stats", out, group=lambda row: row["_measure_ja"] if ja else row["measure"])


class ExportFormat(str, Enum):  # noqa: UP042 - Typer's documented form for choices
    json = "json"
    csv = "csv"
    ics = "ics"
    sqlite = "sqlite"


@command()
@archive_options
def export(
    ctx: typer.Context,
    fmt: Annotated[
        ExportFormat, typer.Argument(metavar="FORMAT", case_sensitive=False, help="json, csv, ics or sqlite.")
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", metavar="PATH", help="File (json, sqlite) or directory (csv); json to stdout if absent."
        ),
    ] = None,
    university: UniversityOpt = None,
    year: YearOpt = None,
    fy: FyOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    kind: EventKindOpt = None,
    vague_dates: Annotated[
        bool,
        typer.Option("--vague-dates", help="ics: also events known only to the year or decade, on their first day."),
    ] = False,
    bom: BomOpt = False,
    force: Annotated[
        bool, typer.Option("--force", help="sqlite: replace a file that is not a database spnet wrote.")
    ] = False,
    metadata: Annotated[
        Path | None,
        typer.Option("--metadata", metavar="FILE", help="sqlite: also write Datasette's metadata (titles, labels)."),
    ] = None,
) -> None:
    """The archive for other tools: every record type, with the listing commands' fields.
    An existing file keeps its mode, a symlink is written through, a device is written to;
    `--out -` is standard output.

    Example: spnet export sqlite --out spnet.db
    """
    from spnet import export as exporter

    if bom and fmt is not ExportFormat.csv:
        raise UsageError(_("--bom goes with --format csv"))
    if metadata is not None and fmt is not ExportFormat.sqlite:
        raise UsageError(_("--metadata goes with sqlite"))
    archive = _archive(ctx)
    if fmt is ExportFormat.sqlite:
        if university or year or fy or start or end or kind:
            raise UsageError(_("a SQLite export holds the whole archive: filter it with SQL"))
        from spnet.archive import index

        root = resolve_data_dir((ctx.obj or {}).get("data"))
        with index.current(root) as current:
            exporter.write_sqlite(archive, out, force=force, metadata=metadata, index=current)
        return
    span = _span(year, fy, start, end)
    if fmt is ExportFormat.ics:
        chosen = query.events(archive, universities=university or (), span=span, kinds=kind or ())
        exporter.write_ics(archive, chosen, out, vague_too=vague_dates)
        return
    if kind or vague_dates:
        raise UsageError(_("--kind and --vague-dates go with the ics calendar"))
    data = exporter.bundle(archive, universities=university or (), span=span)
    if fmt is ExportFormat.json:
        exporter.write_json(data, out)
    else:
        exporter.write_csv(data, out, bom=bom)


class GraphFormat(str, Enum):  # noqa: UP042
    dot = "dot"
    mermaid = "mermaid"
    svg = "svg"
    png = "png"


@command()
@archive_options
def graph(
    ctx: typer.Context,
    university: UniversityOpt = None,
    fmt: Annotated[
        GraphFormat,
        typer.Option(
            "--format", "-f", case_sensitive=False, metavar="FORMAT", help="dot, mermaid, or svg/png (Graphviz)."
        ),
    ] = GraphFormat.dot,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", metavar="FILE", help="svg/png: the file to write (- for stdout).")
    ] = None,
) -> None:
    """The partnership network as Graphviz DOT or Mermaid, or drawn by Graphviz as SVG or
    PNG in one font family with Japanese glyphs.

    Example: spnet graph --university ehime --format svg --out ehime.svg
    """
    from spnet import graph as network
    from spnet.fsutil import write_atomically

    archive = _archive(ctx)
    net = network.network(archive, query.resolve_universities(archive, university or ()))
    text = network.to_mermaid(net) if fmt is GraphFormat.mermaid else network.to_dot(net)
    if fmt in (GraphFormat.svg, GraphFormat.png):
        if out is None:
            raise UsageError(
                _("--format {fmt} writes a picture: give --out FILE (- for standard output)").format(fmt=fmt.value)
            )
        write_atomically(out, network.render(text, fmt.value))
    elif out is not None:
        write_atomically(out, text.encode("utf-8"))
    else:
        sys.stdout.write(text)


# ------------------------------------------------------------------ adding records
add_app = typer.Typer(
    cls=LocalisedGroup,
    help="Add a record to the archive: validated first, written atomically, the file kept canonical.",
    invoke_without_command=True,
    context_settings=CONTEXT,
)
app.add_typer(add_app, name="add")


@add_app.callback()
def add_group(ctx: typer.Context) -> None:
    """Add a record to the archive: validated first, written atomically, the file kept canonical.

    Example: spnet --data ./data add partner --help
    """
    if ctx.invoked_subcommand is None and not ctx.resilient_parsing:
        sys.stdout.write(ctx.get_help() + "\n")


IdOpt = Annotated[str, typer.Option("--id", metavar="ID", help="A new id: lower-case letters, digits, hyphens.")]
SourceOpt = Annotated[
    str, typer.Option("--source", metavar="TEXT", help="Where in the report (or elsewhere) it comes from.")
]
LinesOpt = Annotated[
    str, typer.Option("--lines", metavar="LINES", help="Line numbers of the source text, e.g. 2683,2762.")
]
NoteOpt = Annotated[str | None, typer.Option("--note", metavar="TEXT", help="A note, in the curator's own words.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Show the record and the diff; write nothing.")]


def _text(**fields: str | None) -> dict[str, str]:
    """The given text fields, with the empty ones left out (absent stays absent)."""
    return {k: v for k, v in fields.items() if v is not None and v.strip()}


def _lines(text: str) -> list[int]:
    try:
        numbers = [int(n) for n in text.split(",") if n.strip()]
    except ValueError:
        raise UsageError(_("--lines {text!r}: give line numbers separated by commas").format(text=text)) from None
    if not numbers:
        raise UsageError(_("--lines needs at least one line number"))
    return numbers


def _add(ctx: typer.Context, kind: str, record: dict[str, Any], university: str | None, dry_run: bool) -> None:
    from spnet.archive.edit import add_record

    root = _editable_root(ctx)
    done = add_record(
        root, kind, record, university=university, dry_run=dry_run, cache=(ctx.obj or {}).get("cache", True)
    )
    if dry_run:
        sys.stdout.write(done.record + "\n" + done.diff)
    else:
        sys.stdout.write(_("added {kind} {id} to {path}").format(kind=kind, id=record["id"], path=done.path) + "\n")


@add_app.command("partner", cls=SpnetCommand)
@archive_options
def add_partner(
    ctx: typer.Context,
    university: Annotated[
        str,
        typer.Option(
            "--university",
            "-u",
            metavar="UNIVERSITY",
            autocompletion=complete_university,
            help="The member university.",
        ),
    ],
    record_id: IdOpt,
    kind: Annotated[
        str,
        typer.Option(
            "--kind", metavar="KIND", autocompletion=complete_partner_kind, help="strategic-partner, consortium, ..."
        ),
    ],
    source: SourceOpt,
    lines: LinesOpt,
    name_en: Annotated[str | None, typer.Option("--name-en", metavar="TEXT")] = None,
    name_ja: Annotated[str | None, typer.Option("--name-ja", metavar="TEXT")] = None,
    country: Annotated[str | None, typer.Option("--country", metavar="COUNTRY", help="gb, UK, 英国 ...")] = None,
    since: Annotated[str | None, typer.Option("--since", metavar="DATE", help="2019, 2019-08 or 2019-08-01.")] = None,
    note: NoteOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Add an overseas partner of a member university.

    Example: spnet add partner -u kyoto --id kyoto-example --name-en "Example University"
    --kind strategic-partner --source "Minutes 2025" --lines 1
    """
    archive = _archive(ctx)
    uid = query.resolve_university(archive, university)
    record: dict[str, Any] = {"id": record_id, **_text(name_en=name_en, name_ja=name_ja)}
    record["kind"] = query.resolve_choice(_("partner kind"), kind, PARTNER_KINDS)
    if country:
        record["country"] = query.resolve_country(archive, country)
        record["country_basis"] = "stated"
    if since:
        record["since"] = to_partial_date(since)
    record.update(_text(note=note))
    record.update(source=source, lines=_lines(lines))
    _add(ctx, "partner", record, uid, dry_run)


@add_app.command("event", cls=SpnetCommand)
@archive_options
def add_event(
    ctx: typer.Context,
    record_id: IdOpt,
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            metavar="KIND",
            autocompletion=complete_event_kind,
            help="meeting, symposium, workshop, survey, milestone.",
        ),
    ],
    date: Annotated[
        str, typer.Option("--date", metavar="DATE", help="2025-03-03, 2025-03 or 2025 (a partial date stays partial).")
    ],
    source: SourceOpt,
    lines: LinesOpt,
    title_en: Annotated[str | None, typer.Option("--title-en", metavar="TEXT")] = None,
    title_ja: Annotated[str | None, typer.Option("--title-ja", metavar="TEXT")] = None,
    university: OneUniversityOpt = None,
    partner: Annotated[
        list[str] | None, typer.Option("--partner", metavar="PARTNER", help="A partner id; repeat for more.")
    ] = None,
    tentative: Annotated[bool, typer.Option("--tentative", help="Planned, not yet held.")] = False,
    number: Annotated[int | None, typer.Option("--number", metavar="N", help="A meeting's number.")] = None,
    note: NoteOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Add a dated event: a university's milestone, or a project event.

    Example: spnet add event --id kyoto-example-2025 --kind milestone --date 2025-06 -u kyoto
    --title-en "Joint symposium" --tentative --source "Minutes 2025" --lines 1
    """
    archive = _archive(ctx)
    uid = query.resolve_university(archive, university) if university else None
    record: dict[str, Any] = {"id": record_id, "kind": query.resolve_choice(_("event kind"), kind, EVENT_KINDS)}
    if number is not None:
        record["number"] = number
    record["date"] = to_partial_date(date)
    if tentative:
        record["tentative"] = True
    record.update(_text(title_en=title_en, title_ja=title_ja))
    if partner:
        record["partners"] = list(partner)
    record.update(_text(note=note))
    record.update(source=source, lines=_lines(lines))
    _add(ctx, "event", record, uid, dry_run)


@add_app.command("person", cls=SpnetCommand)
@archive_options
def add_person(
    ctx: typer.Context,
    record_id: IdOpt,
    source: SourceOpt,
    lines: LinesOpt,
    name_en: Annotated[str | None, typer.Option("--name-en", metavar="TEXT")] = None,
    name_ja: Annotated[str | None, typer.Option("--name-ja", metavar="TEXT")] = None,
    affiliation_en: Annotated[str | None, typer.Option("--affiliation-en", metavar="TEXT")] = None,
    affiliation_ja: Annotated[str | None, typer.Option("--affiliation-ja", metavar="TEXT")] = None,
    role_en: Annotated[str | None, typer.Option("--role-en", metavar="TEXT")] = None,
    role_ja: Annotated[str | None, typer.Option("--role-ja", metavar="TEXT")] = None,
    university: OneUniversityOpt = None,
    note: NoteOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Add a named person (to project.toml).

    Example: spnet add person --id example-person --name-ja 例 --source "Minutes 2025" --lines 1
    """
    archive = _archive(ctx)
    record: dict[str, Any] = {"id": record_id}
    record.update(
        _text(
            name_en=name_en,
            name_ja=name_ja,
            affiliation_en=affiliation_en,
            affiliation_ja=affiliation_ja,
            role_en=role_en,
            role_ja=role_ja,
        )
    )
    if university:
        record["university"] = query.resolve_university(archive, university)
    record.update(_text(note=note))
    record.update(source=source, lines=_lines(lines))
    _add(ctx, "person", record, None, dry_run)


# The commands and groups registered above, built by name when asked for (see SpnetGroup).
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


def main() -> None:
    """Console-script entry point."""
    app()
