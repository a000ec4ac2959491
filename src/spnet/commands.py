"""The commands that read the archive: each parses its options, asks query.py, and hands
the rows to the renderer."""

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.main
from typer.core import TyperGroup

from spnet import names, query, records, render, topics
from spnet.app import app, command
from spnet.archive import resolve_data_dir, scan_cached
from spnet.dates import parse_span
from spnet.errors import CheckFailed, UsageError
from spnet.i18n import _, check_environment, language
from spnet.models import Archive, Event
from spnet.options import (
    DEFAULT_OUTPUT,
    AsciiOpt,
    BomOpt,
    CountryOpt,
    DataOpt,
    DateStyleOpt,
    EventKindOpt,
    FormatOpt,
    FromOpt,
    FyOpt,
    GroupOpt,
    LangOpt,
    MessagesLangOpt,
    NoCacheOpt,
    NoPagerOpt,
    PartnerKindOpt,
    SharedOpt,
    ToOpt,
    UniversityOpt,
    YearOpt,
    archive_options,
    choose_group,
    complete_record,
    date_span,
    editable_root,
    emit,
    grouping,
    implied_university,
    lang_option,
    listing,
    make_output,
    open_archive,
    output_file,
    separate_outputs,
    today_of,
)
from spnet.progress import TerminalProgress
from spnet.render import Format, Lang, Output


# ------------------------------------------------------------------ commands
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


@command()
@archive_options
def check(
    ctx: typer.Context,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
    against_report: Annotated[
        bool,
        typer.Option(
            "--against-report",
            help="Read the dates, URLs, e-mail addresses, counts and meetings off the report "
            "again and compare them with the archive (exit 1 on a difference).",
        ),
    ] = False,
    lang: MessagesLangOpt = None,
) -> None:
    """Validate the archive: errors (exit 1) and warnings, among them every JA/EN disagreement.

    Example: spnet check -q
    """
    from spnet import terminal

    obj = ctx.obj or {}
    root_dir = resolve_data_dir(obj.get("data"))
    archive, problems = scan_cached(root_dir, canonical=True, cache=obj.get("cache", True), progress=TerminalProgress)
    warning, error = _("warning: {message}"), _("error: {message}")
    quiet = quiet or against_report  # the comparison's differences, not the warnings again
    messages = [] if quiet else [(warning.format(message=render.visible(str(w))), "yellow") for w in problems.warnings]
    messages += [(error.format(message=render.visible(str(e))), "bold red") for e in problems.errors]
    terminal.write_messages(messages)
    if problems.errors or archive is None:
        raise CheckFailed(
            _("{errors} error(s), {warnings} warning(s) in {root}").format(
                errors=len(problems.errors), warnings=len(problems.warnings), root=root_dir
            )
        )
    if against_report:
        _compare_with_report(archive, root_dir)
        return
    if quiet:
        return
    sizes = archive.index.sizes
    curated = query.curated(archive)
    text = _(
        "ok: {root}: {universities} universities, {partners} partners, {events} events, {people} people; "
        "{warnings} warning(s); added by the curators, not the report's: {countries_of_partners} partner "
        "countries, {countries} countries, {short_names} short names, {titles} titles in their words, "
        "{referents} referents"
    )
    sys.stdout.write(
        text.format(
            root=render.visible(str(root_dir)),
            **{k: sizes[k] for k in ("universities", "partners", "events", "people")},
            warnings=len(problems.warnings),
            countries_of_partners=curated["partner countries"],
            countries=curated["countries"],
            short_names=curated["short names"],
            titles=curated["titles"],
            referents=curated["referents"],
        )
        + "\n"
    )
    disagreements = _("{n} disagreement(s) between the Japanese and English texts of the report, each a warning above")
    sys.stdout.write(disagreements.format(n=sizes["disagreements"]) + "\n")


def _compare_with_report(archive: Archive, root: Path) -> None:
    """`check --against-report`: each difference on stderr, then what was compared; exit 1
    when anything differs."""
    from spnet import reportcheck, terminal
    from spnet.provenance import report

    comparisons = reportcheck.against_report(report(), archive, root)
    differences = [d for c in comparisons for d in c.differences]
    line = _("difference: {message}")
    terminal.write_messages([(line.format(message=render.visible(d.message)), "bold red") for d in differences])
    summary = _("against the report: {compared} compared; {differences} difference(s)").format(
        compared=_(", ").join(c.compared for c in comparisons), differences=len(differences)
    )
    if differences:
        raise CheckFailed(summary)
    sys.stdout.write(summary + "\n")


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

    root = resolve_data_dir((ctx.obj or {}).get("data")) if check_only else editable_root(ctx)
    files = format_files(root, check=check_only, progress=TerminalProgress)
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
    emit(ctx, query.universities(open_archive(ctx)), "universities", out, what=_("universities"))


@command()
@listing
def partners(
    ctx: typer.Context,
    university: UniversityOpt = None,
    country: CountryOpt = None,
    kind: PartnerKindOpt = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="DATE",
            help="Relations that began in or after this date: the first agreement, the start of exchange or "
            "cooperation, a consortium's founding.",
        ),
    ] = None,
    designated_since: Annotated[
        str | None,
        typer.Option(
            "--designated-since",
            metavar="DATE",
            help="Relations made strategic in or after this date: the strategic partnership agreement or designation.",
        ),
    ] = None,
    shared: SharedOpt = False,
    out: Output = DEFAULT_OUTPUT,
) -> None:
    """Overseas partners of the member universities (one row per relation).

    Two dates, as the report gives them: since, when the relation began (Kyushu and National
    Taiwan University: 2001, a student exchange agreement), and designated, when it was made
    strategic (2023-09, a strategic partnership agreement). A relation the report gives no
    such date for has none, and a filter on that date leaves it out.

    Example: spnet partners --university kyoto
    """
    archive = open_archive(ctx)
    rows = query.partners(
        archive,
        universities=university or (),
        countries=country or (),
        kinds=kind or (),
        since=parse_span(since) if since is not None else None,
        designated=parse_span(designated_since) if designated_since is not None else None,
        shared=shared,
    )
    out = out._replace(implied=implied_university(archive, university))
    emit(ctx, rows, "partners", out, what=_("partners"))


@command()
@listing
def institutions(ctx: typer.Context, shared: SharedOpt = False, out: Output = DEFAULT_OUTPUT) -> None:
    """Partner institutions, each once, with the member universities it is a partner of.

    Example: spnet institutions --shared
    """
    rows = query.institutions(open_archive(ctx), shared=shared)
    emit(ctx, rows, "institutions", out, what=_("institutions"))


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
        str | None,
        typer.Option(
            "--svg",
            metavar="FILE",
            path_type=str,
            help="Draw the timeline into this SVG file, sized for a slide: the project's years unless "
            "--all, --year, --fy, --from or --to say otherwise; with --format, also list the events drawn.",
        ),
    ] = None,
    every_year: Annotated[
        bool,
        typer.Option(
            "--all",
            help="With --svg, every year (the picture's default is the project's years): the events "
            "before the project's years in a band of their own.",
        ),
    ] = False,
    out: Output = DEFAULT_OUTPUT,
) -> None:
    """Project events and university milestones in date order, grouped by year (or 年度) on a terminal.

    Example: spnet timeline --university kyushu --from 2023
    """
    if upcoming and past:
        raise UsageError(_("--upcoming and --past exclude each other"))
    drawing = output_file(ctx, svg, "--svg")
    if out.format is not None:
        separate_outputs((f"--svg {svg}", svg), (f"--format {out.format.value}", "-"))
    archive = open_archive(ctx)
    span = date_span(year, fy, start, end)
    project = query.project_years(archive) if drawing is not None else None
    if span is None and project is not None and not every_year:  # a picture is of the project's years
        span = date_span(start=str(project[0]), end=str(project[1]))
    chosen = query.events(
        archive,
        universities=university or (),
        span=span,
        kinds=kind or (),
        today=today_of(today) if upcoming or past else None,
        upcoming=upcoming,
        past=past,
    )
    if drawing is not None:
        from spnet.fsutil import write_atomically
        from spnet.picture import timeline_svg

        picture = timeline_svg(
            chosen, lang=out.lang.value, date_style=out.date_style, project_start=project[0] if project else None
        )
        write_atomically(drawing, picture.encode("utf-8"))
        if out.format is None:  # the picture was asked for; a listing too only with --format
            return
    out = out._replace(implied=implied_university(archive, university))
    rows = [query.event_row(e) for e in chosen]
    emit(ctx, rows, "timeline", out, group=grouping(group or ("fy" if fy else "year"), out), what=_("events"))


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
    rows = query.meetings(open_archive(ctx), span=date_span(year, fy))
    emit(ctx, rows, "meetings", out, what=_("meetings"))


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
    rows = query.symposia(open_archive(ctx), span=date_span(year, fy))
    emit(ctx, rows, "symposia", out, what=_("symposia"))


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
    archive = open_archive(ctx)
    rows = query.contacts(archive, universities=university or ())
    out = out._replace(implied=implied_university(archive, university))
    emit(ctx, rows, "contacts", out, what=_("contacts"))


@command()
@archive_options
def show(
    ctx: typer.Context,
    record_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            autocompletion=complete_record,
            help="Any record's id or name, e.g. project, meeting-03, kyoto-zurich, 京都大学.",
        ),
    ],
    fmt: FormatOpt = None,
    lang: LangOpt = "both",
    date_style: DateStyleOpt = None,
    ascii_: AsciiOpt = False,
    no_pager: NoPagerOpt = False,
    source: Annotated[
        bool,
        typer.Option(
            "--source",
            help="Instead of the record, the report's lines it cites, each value it holds marked where it "
            "stands (json: the marks as data).",
        ),
    ] = False,
) -> None:
    """One record of any kind in full, with its source, any JA/EN disagreement, and the
    records it names or that name it.

    Example: spnet show meeting-03
    """
    archive = open_archive(ctx)
    record = records.find_record(archive, record_id)
    out = make_output(fmt, lang, None, False, False, ascii_, no_pager=no_pager, date_style=date_style)
    if source:
        _show_source(ctx, record, out)
        return
    pairs = records.card(archive, record)
    # Both texts of the archive, in a Japanese reader's words: labels, kinds, names for ids.
    out = out._replace(words_ja=out.lang is Lang.ja or (out.lang is Lang.both and language() == "ja"))
    if render.resolve_format(out, sys.stdout) is Format.json:
        render.emit_json(dict(pairs))
        return
    # One language, unless a field has a text in the other only: that text stands for it.
    keys = {k for k, _v in pairs}
    other = {Lang.en: ("_ja", "_en"), Lang.ja: ("_en", "_ja")}.get(out.lang)
    keep = [(k, v) for k, v in pairs if not (other and k.endswith(other[0]) and k[:-3] + other[1] in keys)]
    odd = isinstance(record, Event) and bool(record.misprinted_weekdays())
    emit(ctx, [{"field": k, "value": v, "_misprinted_weekday": odd and k == "date"} for k, v in keep], "card", out)


def _show_source(ctx: typer.Context, record: Any, out: Output) -> None:
    """The passages a record cites (`show --source`): a table of report lines, in the
    reader's words as `show` is."""
    from spnet import evidence

    out = out._replace(words_ja=out.lang is Lang.ja or (out.lang is Lang.both and language() == "ja"))
    rows = evidence.cited(record, out.lang.value)
    if evidence.every_cited_line(record):  # it cites lines, but none in the language asked for
        no_line = _("{id} cites no line of the report in that language: try --lang both").format(id=record.id)
    else:
        no_line = _("{id} cites no line of the report: what it holds is the curators'").format(id=record.id)
    emit(ctx, rows, "evidence", out, group=lambda row: row["_passage"], readable=evidence.readable, empty=no_line)


@command()
@listing
def source(
    ctx: typer.Context,
    lines: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="LINE[-LINE]...",
            help="Lines of the report: 2687, 2687-2700, 3450- (to the end); several apart or with commas.",
        ),
    ] = None,
    out: Output = DEFAULT_OUTPUT,
) -> None:
    """Passages of the report the archive comes from (shipped with spnet) by line number;
    with no line, what the report is: title, issuer, lines, SHA-256, sections.
    `spnet show ID --source` prints the lines a record cites.

    Example: spnet source 2687-2690 2762
    """
    from spnet import evidence

    if not lines:
        facts = evidence.about()
        if render.resolve_format(out, sys.stdout) is Format.json:
            render.emit_json(facts)
            return
        emit(ctx, evidence.about_rows(facts), "card", out)
        return
    ranges = evidence.parse_ranges(lines)
    group = (lambda row: row["_passage"]) if len(ranges) > 1 else None
    emit(ctx, evidence.passage_rows(ranges), "source", out, group=group, readable=evidence.readable)


@command()
@listing
def search(
    ctx: typer.Context,
    text: Annotated[
        list[str], typer.Argument(metavar="TEXT...", help="Words to find, in English or Japanese: every one of them.")
    ],
    out: Output = DEFAULT_OUTPUT,
) -> None:
    """Every record holding each word of TEXT, best match first, however it is written:
    case, width, hiragana or katakana, common variants (慶応, 慶應; チューリヒ, チューリッヒ),
    leading zeros (第1回, 第01回). Japanese is found by whole words (京大 is not in 東京大学,
    会議 is in 連携大学会議) or by reading (はやし); a short name brings its university's
    names (京大: 京都大学, Kyoto University). A table shows the text around each match.

    Example: spnet search 京都 シンポジウム
    """
    found = records.search(open_archive(ctx), text)
    emit(ctx, found.rows, "search", out._replace(highlight=found.highlight), what=_("records"))


@command()
@listing
def stats(ctx: typer.Context, group: GroupOpt = None, out: Output = DEFAULT_OUTPUT) -> None:
    """Partners by country, kind and decade begun, and events per year (or 年度), as bars in a table.

    Example: spnet stats --group fy --lang ja
    """
    rows = query.stats(open_archive(ctx), fiscal=choose_group(group or "year") == "fy")
    ja = out.lang is Lang.ja
    emit(ctx, rows, "stats", out, group=lambda row: row["_measure_ja"] if ja else row["measure"])


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
        str | None,
        typer.Option(
            "--out",
            "-o",
            metavar="PATH",
            path_type=str,
            help="File (json, sqlite) or directory (csv); json to stdout if absent.",
        ),
    ] = None,
    university: UniversityOpt = None,
    year: YearOpt = None,
    fy: FyOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    kind: EventKindOpt = None,
    vague_dates: Annotated[
        bool | None,
        typer.Option(
            "--vague-dates/--no-vague-dates",
            help="ics: events known only to the year, 年度 or decade, each one all-day entry on its first day"
            " (the default), or left out.",
        ),
    ] = None,
    bom: BomOpt = False,
    force: Annotated[
        bool, typer.Option("--force", help="sqlite: replace a file that is not a database spnet wrote.")
    ] = False,
    metadata: Annotated[
        str | None,
        typer.Option(
            "--metadata",
            metavar="FILE",
            path_type=str,
            help="sqlite: also write Datasette's metadata (labels, facets).",
        ),
    ] = None,
    lang: Annotated[
        str | None,
        lang_option("ics: en, ja or both (the default): the language of the calendar's titles and descriptions."),
    ] = None,
) -> None:
    """The archive for other tools: every record type, with the listing commands' fields.
    An existing file keeps its mode, a symlink is written through, a device is written to;
    `--out -` is standard output.

    Example: spnet export sqlite --out spnet.db
    """
    from spnet import export as exporter
    from spnet import ics

    if bom and fmt is not ExportFormat.csv:
        raise UsageError(_("--bom goes with csv"))
    if (metadata is not None or force) and fmt is not ExportFormat.sqlite:
        raise UsageError(_("--metadata and --force go with sqlite"))
    if lang is not None and fmt is not ExportFormat.ics:
        raise UsageError(_("--lang goes with the ics calendar: the other formats hold both languages"))
    if fmt is ExportFormat.sqlite and out == "-" and sys.stdout.isatty():
        raise UsageError(_("a SQLite database is not for a terminal: give --out FILE, or pipe it"))
    target = output_file(ctx, out, "--out", directory=fmt is ExportFormat.csv)
    datasette_file = output_file(ctx, metadata, "--metadata")
    separate_outputs((f"--out {out}", out), (f"--metadata {metadata}", metadata))
    archive = open_archive(ctx)
    if fmt is ExportFormat.sqlite:
        if university or year or fy or start or end or kind or vague_dates is not None:
            raise UsageError(_("a SQLite export holds the whole archive: filter it with SQL"))
        from spnet.archive import writer

        root = resolve_data_dir((ctx.obj or {}).get("data"))
        with writer.current(root, archive, TerminalProgress) as current:
            exporter.write_sqlite(
                archive, target, force=force, metadata=datasette_file, index=current, progress=TerminalProgress
            )
        return
    span = date_span(year, fy, start, end)
    if fmt is ExportFormat.ics:
        chosen = query.events(archive, universities=university or (), span=span, kinds=kind or ())
        language = render.parse_lang(lang or "both").value
        ics.write_ics(archive, chosen, target, vague_too=vague_dates is not False, lang=language)
        return
    if kind or vague_dates is not None:
        raise UsageError(_("--kind and --vague-dates/--no-vague-dates go with the ics calendar"))
    data = exporter.bundle(archive, universities=university or (), span=span)
    if fmt is ExportFormat.json:
        exporter.write_json(data, target)
    else:
        exporter.write_csv(data, target, bom=bom)


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
        str | None,
        typer.Option("--out", "-o", metavar="FILE", path_type=str, help="svg/png: the file to write (- for stdout)."),
    ] = None,
    lang: LangOpt = "both",
    size: Annotated[
        str | None,
        typer.Option(
            "--size",
            metavar="WIDTHxHEIGHT",
            help="dot/svg/png: scale the picture to fit this many pixels, e.g. 7016x4961 for an A2 poster at "
            "300 dpi (without it, a picture larger than a 1920x1080 slide is shrunk to fit one).",
        ),
    ] = None,
) -> None:
    """The partnership network as Graphviz DOT or Mermaid, or drawn by Graphviz as SVG or
    PNG in one font family with Japanese glyphs: the universities in the middle, each
    country once in its own box, each kind of relation in its own colour and line (the
    legend), the years on the edges, + where the country is the curators'.

    Example: spnet graph --format png --out network.png
    """
    from spnet import graph as network
    from spnet.fsutil import write_atomically

    pixels = network.parse_size(size) if size is not None else None
    if pixels is not None and fmt is GraphFormat.mermaid:
        raise UsageError(_("--size goes with dot, svg and png"))
    target = output_file(ctx, out, "--out")
    if fmt is GraphFormat.png and out == "-" and sys.stdout.isatty():
        raise UsageError(_("a PNG is not for a terminal: give --out FILE, or pipe it"))
    archive = open_archive(ctx)
    net = network.network(archive, names.resolve_universities(archive, university or ()), render.parse_lang(lang).value)
    text = network.to_mermaid(net) if fmt is GraphFormat.mermaid else network.to_dot(net, pixels)
    if fmt in (GraphFormat.svg, GraphFormat.png):
        if target is None:
            raise UsageError(
                _("--format {fmt} writes a picture: give --out FILE (- for standard output)").format(fmt=fmt.value)
            )
        write_atomically(target, network.render(text, fmt.value))
    elif target is not None:
        write_atomically(target, text.encode("utf-8"))
    else:
        sys.stdout.write(text)
