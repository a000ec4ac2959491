"""What a command may call once it runs: the archive it was asked about, the files it may
write, one date span from --year/--fy/--from/--to, today, the grouping of a table, and
the call to the renderer. The options themselves are declared in options.py."""

import datetime as dt
import errno
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import typer

from spnet import columns, dates, glossary, names, render
from spnet.archive import load_archive, resolve_data_dir
from spnet.collection import Archive
from spnet.dates import DateSpan, parse_fiscal_year, parse_span, parse_year
from spnet.errors import UsageError, bad_environment
from spnet.i18n import _
from spnet.models import Bilingual, Row
from spnet.partialdate import PartialDate
from spnet.progress import TerminalProgress
from spnet.render import Lang, Output

TODAY_ENV = "SPNET_TODAY"


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


def emit(ctx: typer.Context, rows: Sequence[Row], listing: str, out: Output, **options: Any) -> None:
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


def grouping(by: str, out: Output) -> Callable[[Row], str]:
    """The heading a terminal table groups an event under: its year (2023, 2023年), or its
    年度 (FY2022, 2022年度（令和4年度）); an event known only to the year or the decade is
    under that year or decade, which a 年度 cannot say."""
    kind = choose_group(by)

    def heading(row: Row) -> str:
        date: PartialDate = row["date"]
        # A 年度 date (FY2019) is under its 年度 whichever the grouping: no calendar year holds it.
        fiscal = date.fiscal_year if kind == "fy" or date.fiscal else None
        if fiscal is not None:
            return dates.fiscal_year_label(fiscal, out.lang.value)
        return dates.format_date(date._replace(month=None, day=None), out.date_style)

    return heading


_GROUPINGS = {"year": ("year", "年", "暦年"), "fy": ("fy", "fiscal", "年度")}


def choose_group(by: str) -> str:
    """year or fy (年度), however a user spells it."""
    return names.choose("--group", by, _GROUPINGS)


def implied_university(archive: Archive, typed: Sequence[str] | None) -> tuple[str, ...]:
    """("university",) when the filter names one university: every row would repeat it."""
    return ("university",) if typed and len(names.resolve_universities(archive, typed)) == 1 else ()
