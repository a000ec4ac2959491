"""The options every command shares, declared once, with their completion, and how a
command takes them: `listing` gives a listing the output options as one `out` value,
`archive_options` gives every command --data and --no-cache after its name. What a
command may call once it runs is in context.py."""

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Annotated, Any

import typer
import typer.main

from spnet import columns, i18n, names, records, render
from spnet.archive import EVENT_KINDS, PARTNER_KINDS, load_archive
from spnet.archive.kinds import kind_of
from spnet.collection import Archive
from spnet.dates import DateStyle
from spnet.errors import SpnetError, UsageError
from spnet.i18n import _
from spnet.render import Format, Output

# Listing commands declare `out`; `listing` replaces it with the shared options.
DEFAULT_OUTPUT = Output()


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
    """A completer offering `values` (value, description) that start with what is typed.
    Archive text reaches a shell's menu as data: a value with a character the shell would
    act on or hide is not offered (it could not be typed back), and a description is shown
    escaped, as Typer will render it."""

    def complete(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
        from spnet import terminal  # Rich's markup rules, and only when completing

        archive = _completion_archive(ctx)
        if archive is None:
            return []
        key = names.fold(incomplete, numbers=False)
        return [
            (v, terminal.completion_help(h))
            for v, h in values(archive)
            if render.visible(v) == v and names.fold(v, numbers=False).startswith(key)
        ]

    return complete


def _university_choices(archive: Archive) -> Iterable[tuple[str, str]]:
    for u in archive.index.university_names:
        yield u.id, u.name.en or ""
        yield from ((s, u.name.en or "") for s in u.short_names)


complete_university = _complete(_university_choices)
complete_country = _complete(lambda a: ((c.id, c.name.en or "") for c in a.countries))
complete_partner_kind = _complete(lambda a: ((k, "") for k in PARTNER_KINDS))
complete_event_kind = _complete(lambda a: ((k, "") for k in EVENT_KINDS))
complete_record = _complete(lambda a: ((r.id, kind_of(r)) for r in records.all_records(a)))


def complete_fields(ctx: typer.Context, incomplete: str) -> list[str]:
    """Field names of the command's listing, after the last comma of what is typed."""
    done, _comma, last = incomplete.rpartition(",")
    prefix = f"{done}," if done else ""
    keys = [c.key for c in columns.COLUMNS.get(ctx.command.name or "", [])]
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


def speak(typed: str | None) -> str | None:
    """--lang en or ja: the command's own messages are in that language too, whatever the
    locale; with both, in the locale's."""
    if typed is not None:
        i18n.speak(render.parse_lang(typed).value)
    return typed


def lang_option(help: str, choices: list[str] | None = None) -> Any:
    """--lang, which also sets the language of the command's own messages (`speak`)."""
    offered = choices or ["en", "ja", "both"]
    return typer.Option("--lang", metavar="LANG", callback=speak, autocompletion=lambda: offered, help=help)


LangOpt = Annotated[
    str,
    lang_option(
        "en, ja or both: which language of the archive to show; en or ja, of the messages too (jp, 日本語 ...)."
    ),
]
# --lang where no text of the archive is chosen (check): the language of the messages only.
MessagesLangOpt = Annotated[
    str | None, lang_option("en or ja: the language of the messages (default: the locale's).", ["en", "ja"])
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


def make_output(
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
    """`command` with the shared options in its signature, where Typer reads them.

    Typer makes a command's options from its function's signature only, so nine output
    options shared by ten listings are either written out ten times or added here once.
    What is added, in this order after the command's own parameters: `output` (the
    listing's --format, --lang ... as _OUTPUT_OPTIONS declares them, in place of its
    `out`) and --data and --no-cache. When the command runs, those values are taken out
    again: the output options become the one `out: Output` the command declared, and
    --data and --no-cache go to ctx.obj, where the root's own are (given twice: an error).
    """
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
            kwargs["out"] = make_output(**{p.name: kwargs.pop(p.name) for p in output})
        command(**kwargs)

    own = [p for p in signature.parameters.values() if not (output and p.name == "out")]
    run.__signature__ = signature.replace(parameters=own + output + _ARCHIVE_OPTIONS)  # type: ignore[attr-defined]
    return run


GroupOpt = Annotated[
    str | None,
    typer.Option(
        "--group",
        metavar="BY",
        autocompletion=lambda: ["year", "fy"],
        help="year, or fy: by 年度, April to March (the default with --fy).",
    ),
]
