"""The text of `spnet help TOPIC`: what no single command's help says."""

from spnet.i18n import N_

ENVIRONMENT = """\
Environment variables

  SPNET_DATA       The archive directory, when --data is not given (default: the
                   archive installed with spnet).
  SPNET_CACHE_DIR  Where spnet keeps the archive's index, an SQLite database built
                   from the data files (default: $XDG_CACHE_HOME/spnet if that is an
                   absolute path, else ~/.cache/spnet). Safe to delete. Not used when
                   another user owns it or others may write to it.
  SPNET_TODAY      The date `timeline --upcoming/--past` take as today (YYYY-MM-DD),
                   for scripts and tests that must not depend on the clock.
  SPNET_PAGER      The pager for tables longer than the terminal; else PAGER,
                   else `less -FRX`. Empty or `cat`: no pager. --no-pager: none.
  PAGER            See SPNET_PAGER.
  NO_COLOR         Any value: no colour. Marks (* planned, ? disputed) stay.
  TERM=dumb        No colour either.
  COLUMNS, LINES   The terminal's size, where spnet cannot ask the terminal.
  SPNET_DEBUG      Any value: a bug in spnet shows its traceback instead of one line.
  SPNET_LOCK_WAIT  How many seconds `spnet add` and `spnet fmt` wait for another
                   writer's lock on the data directory (default: 10).
  SPNET_LANG       ja or en: the language of spnet's messages and help. Else the
                   first of LANGUAGE, LC_ALL, LC_MESSAGES and LANG that is set
                   (ja_JP.UTF-8: Japanese). --lang chooses the archive's language.
  LANGUAGE, LC_ALL, LC_MESSAGES, LANG  See SPNET_LANG.
"""

EXIT_CODES = """\
Exit codes

  0    Success. A listing that matches nothing is a success too: it prints
       nothing (on a terminal, one line on stderr says so).
  1    `spnet check` found errors in the archive.
  2    Bad input on the command line: an unknown or ambiguous name, a bad date,
       an unknown field, option or command, an option given twice.
  3    The archive cannot be read or is invalid (the message names the file).
  4    The output could not be written (a full disk, a file that cannot be created).
  70   A bug in spnet: the message says so; SPNET_DEBUG=1 shows the traceback.
  130  Interrupted (Ctrl-C).

A reader that stops early (spnet timeline | head) is not an error: spnet stops quietly.

Every error is one line on stderr, beginning `spnet: error:`; stdout then stays empty.
"""

FORMATS = """\
Output formats (--format, -f)

  table  On a terminal (the default there): columns that fit the terminal's width;
         English above Japanese in one column; columns give way when it is narrow
         (--wide keeps them all); a table longer than the screen goes through a pager.
         Marks: `*` a planned date, `?` a value the Japanese and English texts disagree
         on (spnet show ID says how); a legend under the table explains those shown.
  plain  When piped (the default there): tab-separated, no header, nothing cut.
  tsv    Tab-separated with a header; tabs and newlines in values escaped (\\t, \\n).
  csv    RFC 4180, CRLF line ends; --bom writes a UTF-8 BOM for Excel.
  json   A list of records, keys always the English field names; values as stored.
  md     A Markdown table.

  --lang en|ja|both   which language's fields to show (JSON keys stay English); with
                      ja, spnet's own words (kinds, yes/no) are Japanese too, and a
                      text the report gives in English only is shown in English.
  --date-style STYLE  tables and Markdown: iso, ja or wareki (spnet help dates).
  --fields a,b,c      exactly these fields, in this order (see README for each listing's).
  Every listing has a boolean field `disputed`: the Japanese and English texts of the
  report disagree on a field the listing shows.
"""

DATES = """\
Dates

Typed dates (--from, --to, --since, --year, --fy) may be partial and mean their whole
span: 2023 is the year, 2023-03 the month. Full-width digits are read as digits.

  2023-03-03   2023/3/3   2023-03   2023   1990s   March 2023   3 Mar 2023
  2023年3月3日   2023年3月   2023年   1990年代
  2022年02月10日（木）                    (a weekday in brackets is checked)
  令和5年   令和元年   平成31年4月30日   昭和35年   (Japanese eras: 明治 to 令和)
  R5   R5.3.3   H31.4.30   S35              (M T S H R: the eras' letters)
  --fy 2022   FY2022   2022年度   令和4年度   R4   (fiscal year: April to March)

An era year means the part of the year in that era (令和元年: from 2019-05-01); an era's
year 0 and years after its end (平成32年) are refused.

Stored dates keep the precision the report gives: 2023-03-03, 2024-03, 2019, or a
decade as 199X (shown as 1990s). A date without a year is refused.

Tables show dates as --date-style says: iso (2023-03-03), ja (2023年3月3日（金）, the
default with --lang ja) or wareki (令和5年3月3日（金）). JSON, CSV and TSV keep ISO.
"""

# Paragraphs after a topic's text, one line each.
SCRIPTS = N_(
    "Under a Japanese locale, and with --lang ja, every message is in Japanese, errors and "
    "warnings included; JSON keys stay English. A script that reads spnet's messages sets "
    "LC_ALL=C (or SPNET_LANG=en) to have them in English."
)

TOPICS = {"environment": ENVIRONMENT, "exit-codes": EXIT_CODES, "formats": FORMATS, "dates": DATES}
AFTER = {"environment": (SCRIPTS,)}
