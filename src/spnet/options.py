"""The options every command shares, declared once, their completion, and the small
helpers each command calls: open the archive, one date span from --year/--fy/--from/--to,
the output a listing asked for, and the call to the renderer."""

import datetime as dt
import errno
import functools
import inspect
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.main

from spnet import columns, dates, glossary, i18n, names, records, render
from spnet.archive import EVENT_KINDS, PARTNER_KINDS, load_archive, resolve_data_dir
from spnet.archive.kinds import kind_of
from spnet.collection import Archive
from spnet.dates import DateSpan, DateStyle, parse_fiscal_year, parse_span, parse_year
from spnet.errors import SpnetError, UsageError, bad_environment
from spnet.i18n import _
from spnet.models import Bilingual
from spnet.progress import TerminalProgress
from spnet.render import Format, Lang, Output

TODAY_ENV = "SPNET_TODAY"
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


def editable_root(ctx: typer.Context) -> Path:
    """The data directory a command may write to: never the archive installed with spnet."""
    root = resolve_data_dir((ctx.obj or {}).get("data"))
    if root.resolve().is_relative_to(Path(__file__).resolve().parent):
        raise UsageError(_("the archive installed with spnet is not for editing: give --data DIR (or SPNET_DATA)"))
    return root


def output_file(ctx: typer.Context, raw: str | None, option: str, *, directory: bool = False) -> Path | None:
    """A file (or, with `directory`, a directory) the user named for spnet to write, as
    typed: `-` is standard output. Refused (exit 2) where writing it would replace the
    archive's own files: inside the data directory, through a link too; only `add` and
    `fmt` write there, under the archive's lock. A file's name that ends in `/` (or in
    `/.`, `/..`) names a directory, as the system reads it, which pathlib forgets: it is
    refused as opening it would be (exit 4), never made a file of that name. An option for
    one is declared `str` with `path_type=str`: its value comes here as typed, and the
    shell still completes file names for it."""
    if raw is None or raw == "-":
        return None if raw is None else Path(raw)
    path = Path(raw)
    root = resolve_data_dir((ctx.obj or {}).get("data")).resolve()
    try:
        resolved = path.resolve()
    except RuntimeError:  # a loop of symbolic links: what open() would say of it (exit 4)
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), raw) from None
    if resolved.is_relative_to(root):
        raise UsageError(
            _("{option} {path}: inside the archive's data directory {root}; write elsewhere").format(
                option=option, path=render.visible(raw), root=render.visible(str(root))
            )
        )
    if not directory and (raw.endswith("/") or os.path.basename(raw) in (".", "..")):
        os.stat(raw)  # a directory's name with nothing there, or a file's: what the system says of it
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), raw)
    return path


def separate_outputs(*outputs: tuple[str, str | None]) -> None:
    """Refused (exit 2) before anything is written: two of the `outputs` (what names each,
    the path as typed; `-` is standard output) that are one file, whose contents would be
    written into each other. One file is the same path, a link to it, another link to it
    (`-`, /dev/stdout and /dev/fd/1), or standard output sent to a file that is named too;
    /dev/null takes any number."""
    seen: list[tuple[str, tuple[int, int] | str]] = []
    for what, raw in outputs:
        if raw is None:
            continue
        key = _file_identity(raw)
        if key == _file_identity(os.devnull):
            continue
        for earlier, known in seen:
            if known == key:
                stdout = key == _file_identity("-")
                message = (
                    _("{one} and {other} both write to standard output: give one of them a file")
                    if stdout
                    else _("{one} and {other} name the same file: give each a file of its own")
                )
                raise UsageError(message.format(one=render.visible(earlier), other=render.visible(what)))
        seen.append((what, key))


def _file_identity(raw: str) -> tuple[int, int] | str:
    """What a path written to lands in: an existing file (through links) by its device and
    inode; one not there yet by its absolute name, links resolved."""
    try:
        st = os.fstat(1) if raw == "-" else os.stat(raw)
    except OSError:
        return raw if raw == "-" else os.path.realpath(raw)  # "-": no standard output to share
    return (st.st_dev, st.st_ino)


def open_archive(ctx: typer.Context) -> Archive:
    obj = ctx.ensure_object(dict)
    if "archive" not in obj:
        obj["archive"] = load_archive(obj.get("data"), cache=obj.get("cache", True), progress=TerminalProgress)
    return obj["archive"]  # type: ignore[no-any-return]


def emit(ctx: typer.Context, rows: Sequence[dict[str, Any]], listing: str, out: Output, **options: Any) -> None:
    """render.emit for a listing command; under --lang ja a university, or a country, is
    shown by its name."""
    if out.lang is Lang.ja or out.words_ja:
        archive = open_archive(ctx)
        named: list[tuple[str, Bilingual]] = [(u.id, u.name) for u in archive.index.university_names]
        named += [(c.id, c.name) for c in archive.countries] if listing == "card" else []
        names = {rid: glossary.Term(name.en or rid, name.ja or name.en or rid) for rid, name in named}
        out = out._replace(names=names)
    shown = columns.COLUMNS[listing]
    if out.words_ja:  # the headers are spnet's words too
        shown = [c._replace(en=c.ja) for c in shown]
    render.emit(rows, shown, out, **options)


def date_span(
    year: str | None = None, fy: str | None = None, start: str | None = None, end: str | None = None
) -> DateSpan | None:
    """One span from --year, --fy, --from and --to (their intersection)."""
    spans = []
    if year is not None:
        spans.append(parse_year(year))
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


def today_of(value: str | None) -> dt.date:
    """--today, else $SPNET_TODAY, else the clock's date. A bad $SPNET_TODAY is named as such:
    nothing on the command line shows the date to blame."""
    if value:
        span = parse_span(value)
        if span.start != span.end:
            raise UsageError(_("--today needs a full date, not {date!r}").format(date=value))
        return span.start
    pinned = os.environ.get(TODAY_ENV)
    if not pinned:
        return dt.date.today()
    try:
        day = parse_span(pinned)
    except UsageError:
        day = None  # the parser's hint names partial dates too, which a day cannot be
    if day is None or day.start != day.end:
        raise bad_environment(TODAY_ENV, pinned, _("give a full date, such as 2023-03-03, 2023年3月3日 or R5.3.3"))
    return day.start


def grouping(by: str, out: Output) -> Callable[[dict[str, Any]], str]:
    """The heading a terminal table groups an event under: its year (2023, 2023年), or its
    年度 (FY2022, 2022年度（令和4年度）); an event known only to the year or the decade is
    under that year or decade, which a 年度 cannot say."""
    kind = choose_group(by)

    def heading(row: dict[str, Any]) -> str:
        date = row.get("date") or ""
        # A 年度 date (FY2019) is under its 年度 whichever the grouping: no calendar year holds it.
        fiscal = dates.fiscal_year_of(date) if kind == "fy" or date.startswith("FY") else None
        if fiscal is not None:
            return dates.fiscal_year_label(fiscal, out.lang.value)
        return dates.format_date(date[:4], out.date_style)

    return heading


_GROUPINGS = {"year": ("year", "年", "暦年"), "fy": ("fy", "fiscal", "年度")}


def choose_group(by: str) -> str:
    """year or fy (年度), however a user spells it."""
    return names.choose("--group", by, _GROUPINGS)


GroupOpt = Annotated[
    str | None,
    typer.Option(
        "--group",
        metavar="BY",
        autocompletion=lambda: ["year", "fy"],
        help="year, or fy: by 年度, April to March (the default with --fy).",
    ),
]


def implied_university(archive: Archive, typed: Sequence[str] | None) -> tuple[str, ...]:
    """("university",) when the filter names one university: every row would repeat it."""
    return ("university",) if typed and len(names.resolve_universities(archive, typed)) == 1 else ()
