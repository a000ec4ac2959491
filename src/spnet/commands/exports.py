"""The archive for other tools: `export` (json, csv, ics, sqlite) and `graph` (DOT, Mermaid,
or drawn by Graphviz)."""

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from spnet import events, names, render
from spnet.app import command
from spnet.archive import resolve_data_dir
from spnet.collection import Archive
from spnet.context import date_span, open_archive, output_file, separate_outputs
from spnet.errors import UsageError
from spnet.i18n import _
from spnet.options import (
    BomOpt,
    EventKindOpt,
    FromOpt,
    FyOpt,
    LangOpt,
    ToOpt,
    UniversityOpt,
    YearOpt,
    archive_options,
    lang_option,
)
from spnet.progress import TerminalProgress


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

    _refuse_other_formats_options(fmt, bom=bom, sqlite_only=metadata is not None or force, lang=lang)
    if fmt is ExportFormat.sqlite and out == "-" and sys.stdout.isatty():
        raise UsageError(_("a SQLite database is not for a terminal: give --out FILE, or pipe it"))
    target = output_file(ctx, out, "--out", directory=fmt is ExportFormat.csv)
    datasette_file = output_file(ctx, metadata, "--metadata")
    separate_outputs((f"--out {out}", out), (f"--metadata {metadata}", metadata))
    archive = open_archive(ctx)
    if fmt is ExportFormat.sqlite:
        if any((university, year, fy, start, end, kind)) or vague_dates is not None:
            raise UsageError(_("a SQLite export holds the whole archive: filter it with SQL"))
        _write_sqlite(ctx, archive, target, force=force, metadata=datasette_file)
        return
    span = date_span(year, fy, start, end)
    if fmt is ExportFormat.ics:
        chosen = events.chosen(archive, universities=university or (), span=span, kinds=kind or ())
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


def _refuse_other_formats_options(fmt: ExportFormat, *, bom: bool, sqlite_only: bool, lang: str | None) -> None:
    """An option of one format given with another is a mistake, said before anything is read."""
    if bom and fmt is not ExportFormat.csv:
        raise UsageError(_("--bom goes with csv"))
    if sqlite_only and fmt is not ExportFormat.sqlite:
        raise UsageError(_("--metadata and --force go with sqlite"))
    if lang is not None and fmt is not ExportFormat.ics:
        raise UsageError(_("--lang goes with the ics calendar: the other formats hold both languages"))


def _write_sqlite(
    ctx: typer.Context, archive: Archive, target: Path | None, *, force: bool, metadata: Path | None
) -> None:
    """`export sqlite`: the whole archive, its rows taken from the index kept current; with
    --no-cache, made from the files alone, the cache neither read nor written."""
    from spnet import export as exporter
    from spnet.archive import writer

    if not (ctx.obj or {}).get("cache", True):
        exporter.write_sqlite(archive, target, force=force, metadata=metadata, progress=TerminalProgress)
        return
    root = resolve_data_dir((ctx.obj or {}).get("data"))
    with writer.current(root, archive, TerminalProgress) as current:
        exporter.write_sqlite(archive, target, force=force, metadata=metadata, index=current, progress=TerminalProgress)


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
    from spnet import dot, graph
    from spnet.fsutil import write_atomically

    pixels = dot.parse_size(size) if size is not None else None
    if pixels is not None and fmt is GraphFormat.mermaid:
        raise UsageError(_("--size goes with dot, svg and png"))
    target = output_file(ctx, out, "--out")
    if fmt is GraphFormat.png and out == "-" and sys.stdout.isatty():
        raise UsageError(_("a PNG is not for a terminal: give --out FILE, or pipe it"))
    archive = open_archive(ctx)
    net = graph.network(archive, names.resolve_universities(archive, university or ()), render.parse_lang(lang).value)
    text = graph.to_mermaid(net) if fmt is GraphFormat.mermaid else dot.to_dot(net, pixels)
    if fmt in (GraphFormat.svg, GraphFormat.png):
        if target is None:
            raise UsageError(
                _("--format {fmt} writes a picture: give --out FILE (- for standard output)").format(fmt=fmt.value)
            )
        write_atomically(target, dot.render(text, fmt.value))
    elif target is not None:
        write_atomically(target, text.encode("utf-8"))
    else:
        sys.stdout.write(text)
