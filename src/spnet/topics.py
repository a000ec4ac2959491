"""The text of `spnet help TOPIC`: what no single command's help says. Each paragraph and each
entry is one line, wrapped to the terminal when shown (terminal.topic_lines). Also what
help ends with: the examples under `spnet --help`, and where the documentation is."""

from pathlib import Path

from spnet.i18n import N_

ENVIRONMENT = (
    "Environment variables\n"
    "\n"
    "  SPNET_DATA       The archive directory, when --data is not given (default: the archive installed "
    "with spnet).\n"
    "  SPNET_CACHE_DIR  Where spnet keeps the archive's index, an SQLite database built from the data "
    "files (default: $XDG_CACHE_HOME/spnet if that is an absolute path, else ~/.cache/spnet). Safe to "
    "delete. An absolute path; not used (one warning, and the answers come from the data files) when it is "
    "relative, another user's, writable by others, or reached through a directory or link another user "
    "controls.\n"
    "  SPNET_TODAY      The date `timeline --upcoming/--past` take as today (YYYY-MM-DD), for scripts "
    "and tests that must not depend on the clock.\n"
    "  SPNET_PAGER      The pager for tables longer than the terminal; else PAGER, else `less -FRX`. "
    "Empty or `cat`: no pager. --no-pager: none.\n"
    "  PAGER            See SPNET_PAGER.\n"
    "  NO_COLOR         Any value: no colour (bold stays). Marks (* planned, ? disputed) stay.\n"
    "  TERM=dumb        No colour or bold either.\n"
    "  CLICOLOR_FORCE   Set and not 0: colour and bold as on a terminal, even into a pipe or a file or "
    "under TERM=dumb, for `--format table` and for warnings. NO_COLOR still takes the colour out. Machine "
    "formats (plain, tsv, csv, json, md) never hold escape codes. Into a pager: "
    "`spnet partners -f table | less -R`\n"
    "  FORCE_COLOR      Any value: as CLICOLOR_FORCE, except under TERM=dumb.\n"
    "  COLUMNS, LINES   The terminal's size, where spnet cannot ask the terminal; a value that is not a "
    "whole number above 0 is ignored.\n"
    "  SPNET_DEBUG      Any value: a bug in spnet shows its traceback instead of one line.\n"
    "  SPNET_LOCK_WAIT  How many seconds `spnet add` and `spnet fmt` wait for another writer's lock on "
    "the data directory (default: 10).\n"
    "  SPNET_LANG       ja or en (ja_JP.UTF-8 and C too): the language of spnet's messages and help. "
    "Else the first of LANGUAGE, "
    "LC_ALL, LC_MESSAGES and LANG that is set (ja_JP.UTF-8: Japanese). --lang chooses the archive's "
    "language.\n"
    "  LANGUAGE, LC_ALL, LC_MESSAGES, LANG  See SPNET_LANG.\n"
    "\n"
    "A variable spnet cannot use (SPNET_LANG=fr, SPNET_TODAY=tomorrow) is refused with one line that names "
    "it and its value: exit 2, or 3 for an SPNET_DATA that is no directory, as for --data. Set but empty, a "
    "variable is as if unset, but for SPNET_PAGER.\n"
    "\n"
    "Under a Japanese locale, and with --lang ja, every message is in Japanese, errors and warnings included; "
    "JSON keys stay English. A script that reads spnet's messages sets LC_ALL=C (or SPNET_LANG=en) to have "
    "them in English.\n"
)

EXIT_CODES = (
    "Exit codes\n"
    "\n"
    "  0    Success. A listing that matches nothing is a success too: it prints nothing (on a terminal, "
    "one line on stderr says so).\n"
    "  1    `spnet check` found errors in the archive, or with --against-report a difference from the report.\n"
    "  2    Bad input on the command line: an unknown or ambiguous name, a bad date, an unknown field, "
    "option or command, an option given twice, text that is not UTF-8.\n"
    "  3    The archive cannot be read or is invalid (the message names the file; a data file's name must "
    "be UTF-8).\n"
    "  4    The output could not be written (a full disk, a file that cannot be created, standard output "
    "closed): a listing, an export, a picture, `spnet add` or `spnet fmt` alike.\n"
    "  70   A bug in spnet: the message says so; SPNET_DEBUG=1 shows the traceback.\n"
    "  130  Interrupted (Ctrl-C): one line, `spnet: interrupted`; no half-written file is left.\n"
    "\n"
    "A reader that stops early (spnet timeline | head), even before spnet writes anything, is not an "
    "error: spnet stops quietly (exit 0).\n"
    "\n"
    "Every error is one line on stderr, beginning `spnet: error:`; stdout then stays empty.\n"
)

FORMATS = (
    "Output formats (--format, -f)\n"
    "\n"
    "  table  On a terminal (the default there): columns that fit the terminal's width; English above "
    "Japanese in one column; columns give way when it is narrow (--wide keeps them all); a table longer "
    "than the screen goes through a pager. Marks: `?` a value the Japanese and English texts disagree on "
    "(spnet show ID says how), `+` the curators' value, `*` a planned date; several in that order (`?*`); "
    "a legend under the table explains those shown.\n"
    "  plain  When piped (the default there): tab-separated, no header, nothing cut.\n"
    "  tsv    Tab-separated with a header; tabs and newlines in values escaped (\\t, \\n).\n"
    "  csv    RFC 4180, CRLF line ends; --bom writes a UTF-8 BOM for Excel.\n"
    "  json   A list of records, keys always the English field names; values as stored.\n"
    "  md     A Markdown table, with the table's marks and their legend.\n"
    "\n"
    "  --lang en|ja|both   which language's fields to show (JSON keys stay English); with ja, spnet's "
    "own words (kinds, yes/no) are Japanese too, and a text the report gives in English only is shown in "
    "English.\n"
    "  --date-style STYLE  tables and Markdown: iso, ja or wareki (spnet help dates).\n"
    "  --fields a,b,c      exactly these fields, in this order (see README for each listing's).\n"
    "  Every listing has a boolean field `disputed`: the Japanese and English texts of the report "
    "disagree on a field the listing shows; `disputed_fields` names those fields. The other marks are "
    "fields too: `tentative` (planned), `title_en_basis`, `title_ja_basis`, `country_basis` (`curator`).\n"
)

DATES = (
    "Dates\n"
    "\n"
    "Typed dates (--from, --to, --since, --designated-since) may be partial and mean their whole span: 2023 "
    "is the year, 2023-03 the month. --year takes a year in any of these forms, --fy a 年度 or a year. "
    "Full-width digits are read as digits.\n"
    "\n"
    "  2023-03-03   2023/3/3   2023-03   2023   1990s   March 2023   3 Mar 2023\n"
    "  2023年3月3日   2023年3月   2023年   1990年代\n"
    "  2022年02月10日（木）   Friday, 3 March 2023   (a weekday is checked: the date's, with a whole date)\n"
    "  令和5年   令和元年   平成31年4月30日   昭和35年   (Japanese eras: 明治 to 令和)\n"
    "  R5   R5.3.3   H31.4.30   S35              (M T S H R: the eras' letters)\n"
    "  --fy 2022   FY2022   2022年度   令和4年度   R4   (fiscal year: April to March)\n"
    "\n"
    "An era year means the part of the year in that era (平成31年: to 2019-04-30; 令和元年: from 2019-05-01); "
    "an era's year 0 and years after its end (平成32年) are refused. --year takes a calendar year; a 年度 "
    "goes to --fy.\n"
    "\n"
    "Stored dates keep the precision the report gives: 2023-03-03, 2024-03, 2019, a decade as 199X (shown "
    "as 1990s), or a 年度 as FY2019 (April 2019 to March 2020, shown as FY2019, 2019年度 or 令和元年度). A "
    "年度 the report gives as a start (2019年度より, 2024年度以降) also has onward = true and is shown as "
    "2019年度以降. A date without a year is refused.\n"
    "\n"
    "Stored dates lie from 0001-04-01 to 9999-03-31 (FY1 to FY9998), which every output holds: each "
    "date's 年度 and the day after it (a calendar event's end) are days of the calendar. check refuses a "
    "date outside them, naming its file, record and field. Times are Japan time, HH:MM or HH:MM-HH:MM "
    "from 00:00 to 23:59, the end after the start: an event that runs past midnight gives its start only. "
    "Typed dates are years 1000 to 2999, which catches a mistyped year.\n"
    "\n"
    "--fy and the 年度 grouping go by each date's days: a 年度 date is in that 年度 only; a date known only "
    "to its calendar year touches two 年度, so either --fy lists it, under its year's heading. check refuses "
    "an event whose fiscal_year disagrees with its date.\n"
    "\n"
    "Tables show dates as --date-style says: iso (2023-03-03), ja (2023年3月3日（金）, the default with --lang "
    "ja) or wareki (令和5年3月3日（金）). JSON, CSV and TSV keep the stored form (2023-03-03, FY2019), and "
    "give beside it the first and the last day it can mean as full ISO dates, which sort and which "
    "spreadsheets read as dates: date_start and date_end (a partner's since_start, since_end, "
    "designated_start, designated_end).\n"
)

TOPICS = {"environment": ENVIRONMENT, "exit-codes": EXIT_CODES, "formats": FORMATS, "dates": DATES}


# What `spnet --help` ends with: real commands (tests/test_help.py runs each), with what each shows.
EXAMPLES = (
    ("spnet partners -u kyoto", N_("Kyoto University's partners overseas")),
    ("spnet timeline --fy 2023", N_("events of 2023年度 (April 2023 to March 2024)")),
    ("spnet show meeting-03", N_("one record in full, with the report's lines")),
)

# The documentation page each command's help points to (docs/README.md maps them all).
PAGES = {
    "help": "README.md",
    "check": "development.md",
    "fmt": "development.md",
    "add": "development.md",
    "timeline": "dates.md",
    "show": "provenance.md",
    "source": "provenance.md",
    "export": "export.md",
    "graph": "export.md",
}
LISTING_PAGE = "output.md"  # every other command is a listing: its formats and fields


def docs_dir() -> Path:
    """The documentation pages: shipped in the package (spnet/docs, from the repository's
    docs/); in a checkout installed editable, the repository's docs/ itself."""
    package = Path(__file__).resolve().parent
    shipped = package / "docs"
    return shipped if shipped.is_dir() else package.parents[1] / "docs"


def page_of(command: str | None) -> Path:
    """The page a command's help names: the map of the pages for spnet itself."""
    if command is None:
        return docs_dir() / "README.md"
    return docs_dir() / PAGES.get(command, LISTING_PAGE)
