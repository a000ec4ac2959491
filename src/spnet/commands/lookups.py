"""Commands that look one thing up: a record in full (`show`), the report's lines
(`source`), words anywhere (`search`), and counts (`stats`)."""

from typing import Annotated

import typer

from spnet import counts, records
from spnet.app import command
from spnet.context import choose_group, emit, open_archive
from spnet.glossary import bilingual_label
from spnet.i18n import _, language
from spnet.models import Event, Identified
from spnet.options import (
    DEFAULT_OUTPUT,
    AsciiOpt,
    DateStyleOpt,
    FormatOpt,
    GroupOpt,
    LangOpt,
    NoPagerOpt,
    archive_options,
    complete_record,
    listing,
    make_output,
)
from spnet.render import Lang, Output


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
    # One language, unless a field has a text in the other only: that text stands for it.
    keys = {k for k, _v in pairs}
    other = {Lang.en: ("_ja", "_en"), Lang.ja: ("_en", "_ja")}.get(out.lang)
    keep = [(k, v) for k, v in pairs if not (other and k.endswith(other[0]) and k[:-3] + other[1] in keys)]
    odd = isinstance(record, Event) and bool(record.misprinted_weekdays())
    fields = [{"field": k, "value": v, "weekday_misprinted": odd and k == "date"} for k, v in keep]
    emit(ctx, fields, "card", out, whole=dict(pairs))


def _show_source(ctx: typer.Context, record: Identified, out: Output) -> None:
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
        emit(ctx, evidence.about_rows(facts), "card", out, whole=facts)
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
    names (京大: 京都大学, Kyoto University); a date as a table shows it (2023年12月19日（火）,
    令和元年度) is found in the records' dates. A table shows the text around each match.

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
    rows = counts.stats(open_archive(ctx), fiscal=choose_group(group or "year") == "fy")
    emit(ctx, rows, "stats", out, group=lambda row: bilingual_label(row["measure"], row["measure_ja"], out.lang.value))
