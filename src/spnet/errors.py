"""spnet's own errors, and the exit codes of the command line: each error carries its code.

EXIT_CODES is the one table of them. `spnet help exit-codes` and docs/reliability.md say
what each means, and tests/test_boundary.py holds both, and every error here, to it.
"""

from __future__ import annotations

# Every code spnet exits with, and what it means in a word.
EXIT_CODES = {
    0: "success",
    1: "check found errors",
    2: "bad input",
    3: "bad archive",
    4: "output not written",
    70: "a bug in spnet",
    130: "interrupted",
}
BUG = 70  # the boundary's code for an error that is no SpnetError: a bug


class SpnetError(Exception):
    """Base of every error spnet reports as one line on stderr."""

    exit_code = 1


class UsageError(SpnetError):
    """Bad input on the command line: an unknown name, a bad date, an unknown field."""

    exit_code = 2


def bad_environment(name: str, value: str, why: str, error: type[SpnetError] = UsageError) -> SpnetError:
    """An environment variable spnet reads, set to a value it cannot use: the message names
    the variable and its value, since the user may have set it long ago (exit 2, or the
    code of `error`: a $SPNET_DATA that is no directory is exit 3, as --data's is)."""
    from spnet.i18n import _

    return error(_("environment variable {name}={value!r}: {why}").format(name=name, value=value, why=why))


class DataError(SpnetError):
    """The archive cannot be read or is invalid: names the file and what is wrong."""

    exit_code = 3


class CheckFailed(SpnetError):
    """`spnet check` found errors in the archive."""

    exit_code = 1


class Interrupted(BaseException):
    """Ctrl-C (SIGINT), raised by spnet's own handler (spnet.interrupts). Not an Exception,
    and not KeyboardInterrupt, which Typer turns into a silent exit: it passes every handler
    but the boundary's, which says so in one line (exit 130)."""

    exit_code = 130


class OutputError(SpnetError):
    """The output could not be made or written: a full disk, no permission, a program spnet
    hands it to (Graphviz) that failed."""

    exit_code = 4
