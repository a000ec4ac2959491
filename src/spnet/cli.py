"""The command line: one small function per command, each a query plus a call to render.

Exit codes: 0 success; 1 `spnet check` found errors; 2 bad command-line input (unknown
name, bad date, unknown field or option); 3 the archive cannot be read or is invalid.
Every error is one line on stderr.
"""

import datetime as dt
import functools
import inspect
import os
import sys
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer._click.exceptions import ClickException  # Typer 0.28 vendors click
from typer.core import TyperGroup

from spnet import query, render
from spnet.dates import DateSpan, parse_fiscal_year, parse_span, parse_year, to_partial_date
from spnet.errors import CheckFailed, SpnetError, UsageError
from spnet.models import Archive
from spnet.render import Format, Lang, Output
from spnet.store import EVENT_KINDS, PARTNER_KINDS, load_archive, resolve_data_dir, scan_cached

TODAY_ENV = "SPNET_TODAY"
# Listing commands declare `out`; `listing` replaces it with the shared options.
DEFAULT_OUTPUT = Output()


class SpnetGroup(TyperGroup):
    """Turns every error into one line on stderr and its exit code, in one place."""

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
        except SpnetError as exc:
            code = _fail(str(exc), exc.exit_code)
        except ClickException as exc:
            code = _fail(exc.format_message(), exc.exit_code)
        except typer.Abort:
            code = _fail("aborted", 130)
        else:
            code = rv if isinstance(rv, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


def _fail(message: str, code: int) -> int:
    sys.stderr.write(f"spnet: error: {render.visible(message)}\n")
    return code


app = typer.Typer(
    cls=SpnetGroup,
    help="Ask the archive of the 'Strategic Partnerships' network project (2021-2024).",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# ------------------------------------------------------------------ shared options
FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        case_sensitive=False,
        help="table on a terminal, plain (tab-separated, no header) when piped; or json, csv, tsv, md.",
    ),
]
LangOpt = Annotated[Lang, typer.Option("--lang", case_sensitive=False, help="Which language's columns to show.")]
FieldsOpt = Annotated[str | None, typer.Option("--fields", help="Comma-separated fields to show, in that order.")]
NoHeaderOpt = Annotated[bool, typer.Option("--no-header", help="CSV/TSV/Markdown without the header row.")]
BomOpt = Annotated[bool, typer.Option("--bom", help="Write a UTF-8 BOM before CSV (for Excel).")]
AsciiOpt = Annotated[bool, typer.Option("--ascii", help="Draw tables with ASCII characters only.")]
UniversityOpt = Annotated[
    str | None, typer.Option("--university", "-u", help="kyoto, 'Kyoto University', 京都大学, 京都 ...")
]
YearOpt = Annotated[str | None, typer.Option("--year", help="Calendar year: 2023, 令和5年, R5.")]
FyOpt = Annotated[str | None, typer.Option("--fy", help="Fiscal year, April to March: 2022, FY2022, 2022年度.")]


def _output(fmt: Format | None, lang: Lang, fields: str | None, no_header: bool, bom: bool, ascii_: bool) -> Output:
    chosen = tuple(f.strip() for f in fields.split(",") if f.strip()) if fields else None
    if fields is not None and not chosen:
        raise UsageError("--fields needs at least one field name")
    return Output(format=fmt, lang=lang, fields=chosen, header=not no_header, bom=bom, ascii=ascii_)


_OUTPUT_OPTIONS = [
    inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
    for name, annotation, default in (
        ("fmt", FormatOpt, None),
        ("lang", LangOpt, Lang.both),
        ("fields", FieldsOpt, None),
        ("no_header", NoHeaderOpt, False),
        ("bom", BomOpt, False),
        ("ascii_", AsciiOpt, False),
    )
]


def listing(command: Callable[..., None]) -> Callable[..., None]:
    """Give a listing command the shared output options, declared once, as one `out` value."""
    signature = inspect.signature(command)

    @functools.wraps(command)
    def run(**kwargs: Any) -> None:
        out = _output(*(kwargs.pop(p.name) for p in _OUTPUT_OPTIONS))
        command(out=out, **kwargs)

    own = [p for p in signature.parameters.values() if p.name != "out"]
    run.__signature__ = signature.replace(parameters=own + _OUTPUT_OPTIONS)  # type: ignore[attr-defined]
    return run


def _archive(ctx: typer.Context) -> Archive:
    obj = ctx.obj or {}
    return load_archive(obj.get("data"), cache=obj.get("cache", True))


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
        raise UsageError(f"--from {start} is after --to {end}")
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
        raise UsageError(f"--today needs a full date, not {pinned!r}")
    return span.start


def _year_group(row: dict[str, Any]) -> str:
    date = row.get("date") or ""
    return f"{date[:3]}0s" if date.endswith("X") and len(date) == 4 else date[:4]


# ------------------------------------------------------------------ commands
def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version  # costs ~25 ms: only --version needs it

        sys.stdout.write(f"spnet {version('spnet')}\n")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    data: Annotated[
        str | None,
        typer.Option("--data", help="Archive directory (default: $SPNET_DATA, else the shipped archive)."),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Read every file, neither using nor writing the archive cache.")
    ] = False,
    _: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Ask the archive of the 'Strategic Partnerships' network project (2021-2024).

    Example: spnet partners --university kyoto
    """
    ctx.obj = {"data": data, "cache": not no_cache}


@app.command()
def check(ctx: typer.Context) -> None:
    """Validate the archive: errors (exit 1) and warnings, among them every JA/EN disagreement.

    Example: spnet check
    """
    obj = ctx.obj or {}
    root_dir = resolve_data_dir(obj.get("data"))
    archive, problems = scan_cached(root_dir, canonical=True, cache=obj.get("cache", True))
    for line in problems.warnings:
        sys.stderr.write(f"warning: {render.visible(line)}\n")
    for line in problems.errors:
        sys.stderr.write(f"error: {render.visible(line)}\n")
    if problems.errors or archive is None:
        raise CheckFailed(f"{len(problems.errors)} error(s), {len(problems.warnings)} warning(s) in {root_dir}")
    sizes = archive.index.sizes
    sys.stdout.write(
        f"ok: {root_dir}: {sizes['universities']} universities, {sizes['partners']} partners, "
        f"{sizes['events']} events, {sizes['people']} people; {len(problems.warnings)} warning(s)\n"
    )


@app.command()
@listing
def universities(
    ctx: typer.Context,
    out: Output = DEFAULT_OUTPUT,
) -> None:
    """The managing university and the eight member universities.

    Example: spnet universities --format json
    """
    render.emit(query.universities(_archive(ctx)), render.COLUMNS["universities"], out)


@app.command()
@listing
def partners(
    ctx: typer.Context,
    university: UniversityOpt = None,
    country: Annotated[str | None, typer.Option("--country", help="gb, UK, 英国 ...")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="strategic-partner, consortium, ...")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Relations that began in or after this date.")] = None,
    out: Output = DEFAULT_OUTPUT,
) -> None:
    """Overseas partners of the member universities.

    Example: spnet partners --university kyoto
    """
    rows = query.partners(
        _archive(ctx),
        university=university,
        country=country,
        kind=kind,
        since=parse_span(since) if since is not None else None,
    )
    render.emit(rows, render.COLUMNS["partners"], out)


@app.command()
@listing
def timeline(
    ctx: typer.Context,
    university: UniversityOpt = None,
    year: YearOpt = None,
    fy: FyOpt = None,
    start: Annotated[str | None, typer.Option("--from", help="From this date (a partial date from its start).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="To this date (a partial date to its end).")] = None,
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="meeting, symposium, workshop, survey, milestone.")
    ] = None,
    upcoming: Annotated[bool, typer.Option("--upcoming", help="Only events from today on.")] = False,
    past: Annotated[bool, typer.Option("--past", help="Only events before today.")] = False,
    today: Annotated[str | None, typer.Option("--today", hidden=True)] = None,
    svg: Annotated[Path | None, typer.Option("--svg", help="Draw the timeline table into this SVG file.")] = None,
    out: Output = DEFAULT_OUTPUT,
) -> None:
    """Project events and university milestones in date order, grouped by year on a terminal.

    Example: spnet timeline --university kyushu --from 2023
    """
    if upcoming and past:
        raise UsageError("--upcoming and --past exclude each other")
    rows = query.timeline(
        _archive(ctx),
        university=university,
        span=_span(year, fy, start, end),
        kinds=kind or (),
        today=_today(today) if upcoming or past else None,
        upcoming=upcoming,
        past=past,
    )
    if svg is not None:
        out = out._replace(format=Format.table, svg=svg)
    render.emit(rows, render.COLUMNS["timeline"], out, group=_year_group)


@app.command()
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
    render.emit(query.meetings(_archive(ctx), span=_span(year, fy)), render.COLUMNS["meetings"], out)


@app.command()
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
    render.emit(query.symposia(_archive(ctx), span=_span(year, fy)), render.COLUMNS["symposia"], out)


@app.command()
@listing
def contacts(
    ctx: typer.Context,
    university: UniversityOpt = None,
    out: Output = DEFAULT_OUTPUT,
) -> None:
    """The project's contact points and every named person, with affiliation and role.

    Example: spnet contacts --university tokyo
    """
    render.emit(query.contacts(_archive(ctx), university=university), render.COLUMNS["contacts"], out)


@app.command()
def show(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument(metavar="ID", help="Any record's id, e.g. meeting-03 or kyoto-zurich.")],
    fmt: FormatOpt = None,
    lang: LangOpt = Lang.both,
    ascii_: AsciiOpt = False,
) -> None:
    """One record of any kind in full, with its source, any JA/EN disagreement, and the
    records it names or that name it.

    Example: spnet show meeting-03
    """
    archive = _archive(ctx)
    pairs = query.card(archive, query.find_record(archive, record_id))
    out = _output(fmt, lang, None, False, False, ascii_)
    if render.resolve_format(out, sys.stdout) is Format.json:
        render.emit_json(dict(pairs))
        return
    keep = [
        (k, v) for k, v in pairs if not (lang is Lang.en and k.endswith("_ja") or lang is Lang.ja and k.endswith("_en"))
    ]
    render.emit([{"field": k, "value": v} for k, v in keep], render.COLUMNS["card"], out)


@app.command()
@listing
def search(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="Text to find, in English or Japanese.")],
    out: Output = DEFAULT_OUTPUT,
) -> None:
    """Every record with a field matching TEXT, case- and width-insensitive (ＵＣＬ finds UCL).

    Example: spnet search 京都
    """
    render.emit(query.search(_archive(ctx), text), render.COLUMNS["search"], out)


@app.command()
@listing
def stats(ctx: typer.Context, out: Output = DEFAULT_OUTPUT) -> None:
    """Partners by country, kind and decade begun, and events per year, as bars in a table.

    Example: spnet stats --format json
    """
    render.emit(query.stats(_archive(ctx)), render.COLUMNS["stats"], out, group=lambda row: row["measure"])


class ExportFormat(str, Enum):  # noqa: UP042 - Typer's documented form for choices
    json = "json"
    csv = "csv"
    ics = "ics"
    sqlite = "sqlite"


@app.command()
def export(
    ctx: typer.Context,
    fmt: Annotated[
        ExportFormat, typer.Argument(metavar="FORMAT", case_sensitive=False, help="json, csv, ics or sqlite.")
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="File (json, sqlite) or directory (csv); json to stdout if absent."),
    ] = None,
    university: UniversityOpt = None,
    year: YearOpt = None,
    fy: FyOpt = None,
    start: Annotated[str | None, typer.Option("--from", help="Events from this date.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Events to this date.")] = None,
) -> None:
    """The archive for other tools: every record type, with the listing commands' fields.

    Example: spnet export sqlite --out spnet.db
    """
    from spnet import export as exporter

    archive = _archive(ctx)
    if fmt is ExportFormat.sqlite:
        if university or year or fy or start or end:
            raise UsageError("a SQLite export holds the whole archive: filter it with SQL")
        exporter.write_sqlite(archive, out)
        return
    span = _span(year, fy, start, end)
    if fmt is ExportFormat.ics:
        exporter.write_ics(archive, query.events(archive, university=university, span=span), out)
        return
    data = exporter.bundle(archive, university=university, span=span)
    (exporter.write_json if fmt is ExportFormat.json else exporter.write_csv)(data, out)


class GraphFormat(str, Enum):  # noqa: UP042
    dot = "dot"
    mermaid = "mermaid"


@app.command()
def graph(
    ctx: typer.Context,
    university: UniversityOpt = None,
    fmt: Annotated[GraphFormat, typer.Option("--format", "-f", case_sensitive=False, help="dot or mermaid.")] = (
        GraphFormat.dot
    ),
) -> None:
    """The partnership network as Graphviz DOT (render with `dot -Tsvg`) or Mermaid.

    Example: spnet graph --university ehime | dot -Tsvg > ehime.svg
    """
    from spnet import graph as network

    archive = _archive(ctx)
    uid = query.resolve_university(archive, university) if university else None
    net = network.network(archive, uid)
    sys.stdout.write(network.to_dot(net) if fmt is GraphFormat.dot else network.to_mermaid(net))


# ------------------------------------------------------------------ adding records
add_app = typer.Typer(
    help="Add a record to the archive: validated first, written atomically, the file kept canonical.",
    no_args_is_help=True,
)
app.add_typer(add_app, name="add")

IdOpt = Annotated[str, typer.Option("--id", help="A new id: lower-case letters, digits, hyphens.")]
SourceOpt = Annotated[str, typer.Option("--source", help="Where in the report (or elsewhere) it comes from.")]
LinesOpt = Annotated[str, typer.Option("--lines", help="Line numbers of the source text, e.g. 2683,2762.")]
NoteOpt = Annotated[str | None, typer.Option("--note", help="A note, in the curator's own words.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Show the record and the diff; write nothing.")]


def _text(**fields: str | None) -> dict[str, str]:
    """The given text fields, with the empty ones left out (absent stays absent)."""
    return {k: v for k, v in fields.items() if v is not None and v.strip()}


def _lines(text: str) -> list[int]:
    try:
        numbers = [int(n) for n in text.split(",") if n.strip()]
    except ValueError:
        raise UsageError(f"--lines {text!r}: give line numbers separated by commas") from None
    if not numbers:
        raise UsageError("--lines needs at least one line number")
    return numbers


def _add(ctx: typer.Context, kind: str, record: dict[str, Any], university: str | None, dry_run: bool) -> None:
    from spnet.store import add_record

    root = resolve_data_dir((ctx.obj or {}).get("data"))
    if root.resolve().is_relative_to(Path(__file__).resolve().parent):
        raise UsageError("the archive installed with spnet is not for editing: give --data DIR (or SPNET_DATA)")
    done = add_record(
        root, kind, record, university=university, dry_run=dry_run, cache=(ctx.obj or {}).get("cache", True)
    )
    if dry_run:
        sys.stdout.write(done.record + "\n" + done.diff)
    else:
        sys.stdout.write(f"added {kind} {record['id']} to {done.path}\n")


@add_app.command("partner")
def add_partner(
    ctx: typer.Context,
    university: Annotated[str, typer.Option("--university", "-u", help="The member university.")],
    record_id: IdOpt,
    kind: Annotated[str, typer.Option("--kind", help="strategic-partner, consortium, ...")],
    source: SourceOpt,
    lines: LinesOpt,
    name_en: Annotated[str | None, typer.Option("--name-en")] = None,
    name_ja: Annotated[str | None, typer.Option("--name-ja")] = None,
    country: Annotated[str | None, typer.Option("--country", help="A country of the archive: gb, UK, 英国.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="2019, 2019-08 or 2019-08-01.")] = None,
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
    record["kind"] = query.resolve_choice("partner kind", kind, PARTNER_KINDS)
    if country:
        record["country"] = query.resolve_country(archive, country)
        record["country_basis"] = "stated"
    if since:
        record["since"] = to_partial_date(since)
    record.update(_text(note=note))
    record.update(source=source, lines=_lines(lines))
    _add(ctx, "partner", record, uid, dry_run)


@add_app.command("event")
def add_event(
    ctx: typer.Context,
    record_id: IdOpt,
    kind: Annotated[str, typer.Option("--kind", help="meeting, symposium, workshop, survey, milestone.")],
    date: Annotated[str, typer.Option("--date", help="2025-03-03, 2025-03 or 2025 (a partial date stays partial).")],
    source: SourceOpt,
    lines: LinesOpt,
    title_en: Annotated[str | None, typer.Option("--title-en")] = None,
    title_ja: Annotated[str | None, typer.Option("--title-ja")] = None,
    university: Annotated[str | None, typer.Option("--university", "-u", help="A university's milestone.")] = None,
    partner: Annotated[list[str] | None, typer.Option("--partner", help="A partner id; repeat for more.")] = None,
    tentative: Annotated[bool, typer.Option("--tentative", help="Planned, not yet held.")] = False,
    number: Annotated[int | None, typer.Option("--number", help="A meeting's number.")] = None,
    note: NoteOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Add a dated event: a university's milestone, or a project event.

    Example: spnet add event --id kyoto-example-2025 --kind milestone --date 2025-06 -u kyoto
    --title-en "Joint symposium" --tentative --source "Minutes 2025" --lines 1
    """
    archive = _archive(ctx)
    uid = query.resolve_university(archive, university) if university else None
    record: dict[str, Any] = {"id": record_id, "kind": query.resolve_choice("event kind", kind, EVENT_KINDS)}
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


@add_app.command("person")
def add_person(
    ctx: typer.Context,
    record_id: IdOpt,
    source: SourceOpt,
    lines: LinesOpt,
    name_en: Annotated[str | None, typer.Option("--name-en")] = None,
    name_ja: Annotated[str | None, typer.Option("--name-ja")] = None,
    affiliation_en: Annotated[str | None, typer.Option("--affiliation-en")] = None,
    affiliation_ja: Annotated[str | None, typer.Option("--affiliation-ja")] = None,
    role_en: Annotated[str | None, typer.Option("--role-en")] = None,
    role_ja: Annotated[str | None, typer.Option("--role-ja")] = None,
    university: Annotated[str | None, typer.Option("--university", "-u")] = None,
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


def _invoked_command(argv: Sequence[str]) -> str | None:
    """The subcommand named on the command line, skipping the root options before it."""
    args = iter(argv)
    for arg in args:
        if arg == "--data":
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


def main() -> None:
    """Console-script entry point.

    Typer builds every command's options before it runs one; a script calling spnet in a
    loop pays for that each time. So when the command line names a known command, only
    that one (or that group, `add`) is registered (help for the whole app still lists them all).
    """
    name = _invoked_command(sys.argv[1:])
    commands = [c for c in app.registered_commands if c.callback and c.callback.__name__ == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if commands or groups:
        app.registered_commands = commands
        app.registered_groups = groups
    app()
