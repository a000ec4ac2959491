"""Commands that look after the archive's files: `check` (against the rules and the report)
and `fmt`."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from spnet import counts, render
from spnet.app import command
from spnet.archive import resolve_data_dir, scan_cached
from spnet.collection import Archive
from spnet.context import editable_root
from spnet.errors import CheckFailed
from spnet.i18n import _
from spnet.options import MessagesLangOpt, archive_options
from spnet.progress import TerminalProgress


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
    curated = counts.curated(archive)
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
