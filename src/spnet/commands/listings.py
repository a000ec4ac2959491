"""The listing commands: each parses its filters, asks query.py for rows, and hands them
to the renderer."""

from typing import Annotated

import typer

from spnet import events, query
from spnet.app import command
from spnet.context import (
    date_span,
    emit,
    grouping,
    implied_university,
    open_archive,
    output_file,
    separate_outputs,
    today_of,
)
from spnet.dates import parse_span
from spnet.errors import UsageError
from spnet.i18n import _
from spnet.options import (
    DEFAULT_OUTPUT,
    CountryOpt,
    EventKindOpt,
    FromOpt,
    FyOpt,
    GroupOpt,
    PartnerKindOpt,
    SharedOpt,
    ToOpt,
    UniversityOpt,
    YearOpt,
    listing,
)
from spnet.render import Output


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
    project = events.project_years(archive) if drawing is not None else None
    if span is None and project is not None and not every_year:  # a picture is of the project's years
        span = date_span(start=str(project[0]), end=str(project[1]))
    chosen = events.chosen(
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
    rows = [events.row(e) for e in chosen]
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
    rows = events.meetings(open_archive(ctx), span=date_span(year, fy))
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
    rows = events.symposia(open_archive(ctx), span=date_span(year, fy))
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
