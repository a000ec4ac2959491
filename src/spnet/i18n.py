"""spnet's own words in the reader's language: messages and help from gettext catalogues.

The catalogue is `locale/ja/LC_MESSAGES/spnet.po`, compiled to `spnet.mo` when spnet is
built (hatch_build.py). The language is Japanese when SPNET_LANG, or else the first of
LANGUAGE, LC_ALL, LC_MESSAGES and LANG that is set (gettext's own order, LANGUAGE left
unread under the C locale as gettext does), names it (`ja`, `ja_JP.UTF-8`); otherwise
English, and no catalogue is read at all. --lang en or ja chooses for one command.

The archive's text is never translated here: `--lang` chooses which of its two texts a
table shows, and the glossary (glossary.py) names spnet's fields and values.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import os
from collections.abc import Iterator
from pathlib import Path

DOMAIN = "spnet"
LOCALEDIR = Path(__file__).parent / "locale"
_LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
# The language --lang en or ja chose for the command running, whatever the locale (`speak`).
_spoken: list[str] = []


def language() -> str:
    """ "ja" or "en": the language of spnet's messages and help."""
    if _spoken:
        return _spoken[-1]
    chosen = os.environ.get("SPNET_LANG", "")
    if not _known(chosen):  # unset, or refused by check_environment (in the locale's language)
        locale = next((os.environ[v] for v in _LOCALE_VARS[1:] if os.environ.get(v)), "")
        # As gettext does: LANGUAGE is not read under the C locale (LC_ALL=C: English).
        plain = locale.split(".")[0] in ("C", "POSIX")
        chosen = locale if plain else (os.environ.get("LANGUAGE") or locale).split(":")[0]
    return "ja" if chosen.lower().startswith(("ja", "jp")) or chosen in ("日本語",) else "en"


def _known(chosen: str) -> bool:
    """A $SPNET_LANG that names Japanese or English (ja, en, ja_JP.UTF-8, C)."""
    return chosen.lower().startswith(("ja", "jp", "en")) or chosen in ("C", "POSIX", "日本語")


def check_environment() -> None:
    """A $SPNET_LANG that names neither language is refused, named (exit 2), rather than
    quietly answered in English."""
    chosen = os.environ.get("SPNET_LANG", "")
    if chosen and not _known(chosen):
        from spnet.errors import bad_environment

        raise bad_environment("SPNET_LANG", chosen, _("give ja or en"))


@contextlib.contextmanager
def command_language() -> Iterator[None]:
    """While one command runs: what `speak` chose lasts until it ends (a test, or anything
    else that runs several commands in one process, starts each from the locale)."""
    before = list(_spoken)
    try:
        yield
    finally:
        _spoken[:] = before


def speak(lang: str) -> None:
    """The command was asked for the archive in one language (--lang ja, --lang en): its
    messages are in that language too, from here on, whatever the locale says."""
    if lang in ("en", "ja"):
        _spoken.append(lang)


@functools.cache
def _catalogue() -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALEDIR, languages=["ja"], fallback=True)


def _(message: str) -> str:
    """The message in the reader's language (the English text is its key)."""
    return message if language() == "en" else _catalogue().gettext(message)


def N_(message: str) -> str:  # noqa: N802 - gettext's own name for it
    """A message for the catalogue, translated later, where it is shown."""
    return message


@contextlib.contextmanager
def typer_words() -> Iterator[None]:
    """While help is written: Typer's own words ("Options", "[default: …]"), which it looks
    up through gettext's global domain, in spnet's catalogue and language. Put back after,
    so that nothing outlasts the help (a script, a test, another library in the process)."""
    if language() != "ja":
        yield
        return
    domain, chosen = gettext.textdomain(), os.environ.get("LANGUAGE")
    gettext.bindtextdomain(DOMAIN, str(LOCALEDIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = "ja"  # gettext's global functions read the language here
    try:
        yield
    finally:
        gettext.textdomain(domain)
        if chosen is None:
            del os.environ["LANGUAGE"]
        else:
            os.environ["LANGUAGE"] = chosen


def is_utf8(text: str) -> bool:
    """Whether text came from bytes that are UTF-8: Python keeps a byte that is not (in a
    file name or an argument) as a lone surrogate, which cannot be encoded."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
