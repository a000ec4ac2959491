"""The report the archive comes from, shipped with spnet, and where in it a value stands.

The report's text is package data (`spnet/source/report.txt`), read, never written. A
record cites the lines its values begin on; finding a value there ignores what the PDF's
extraction changed and the archive's text does not keep (the documented normalisation,
`fold`): spaces and line breaks, full-width and compatibility forms (NFKC), case, and the
characters the extraction could not read.
"""

from __future__ import annotations

import bisect
import functools
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from spnet.errors import DataError
from spnet.i18n import _

# The text as shipped: spnet refuses a copy that is not this one.
SHA256 = "e3ffca6c59729fff72ba0c7d7950c5471451b724e42b885371112e31177d7abc"
COLUMN = 4  # a piece of a line no longer than this may be one of a vertically typeset column
LINES = 3465  # the number of lines of that text, known without reading it
_DROPPED = frozenset("\u20dd\ufffd")  # an enclosing circle; a character the extraction could not read


@functools.lru_cache(maxsize=4096)  # the report has under 900 distinct characters: NFKC each once
def _fold_char(ch: str) -> str:
    if ch.isascii():
        return "" if ch.isspace() else ch.lower()
    if ch in _DROPPED:
        return ""
    return "".join(c for c in unicodedata.normalize("NFKC", ch).casefold() if not c.isspace())


def fold(text: str) -> str:
    """`text` as it is compared with the report: NFKC, case folded, without spaces or line breaks."""
    return "".join(_fold_char(ch) for ch in text)


class Mark(NamedTuple):
    """Where a found value stands on one line: columns [start, end) of the line as printed."""

    line: int
    start: int
    end: int


class Span(NamedTuple):
    """A value found in the report: the line it begins on, the line it ends on, and its marks."""

    first: int
    last: int
    marks: tuple[Mark, ...]


class _Folded(NamedTuple):
    text: str  # the report folded
    cols: list[int]  # for each folded character, its column on its line
    starts: list[int]  # where each line begins in the folded text


class Report:
    """The report's lines, numbered from 1, and the folded text a value is looked for in
    (made when first looked in: printing lines needs none of it)."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")

    @functools.cached_property
    def _folded(self) -> _Folded:
        folded: list[str] = []
        cols: list[int] = []
        starts = [0]
        for line in self.lines:
            if line.isascii():  # most English lines: folding is dropping spaces and lowering case
                kept = [col for col, ch in enumerate(line) if not ch.isspace()]
                folded.append("".join(line[col] for col in kept).lower())
                cols += kept
            else:
                for col, ch in enumerate(line):
                    f = _fold_char(ch)
                    if len(f) == 1:  # most characters: one folded character, one column
                        folded.append(f)
                        cols.append(col)
                    elif f:
                        folded.append(f)
                        cols.extend([col] * len(f))
            starts.append(len(cols))
        return _Folded("".join(folded), cols, starts)

    @property
    def text(self) -> str:
        """The whole report folded (`fold`), line after line."""
        return self._folded.text

    @property
    def _cols(self) -> list[int]:
        return self._folded.cols

    @property
    def _starts(self) -> list[int]:
        return self._folded.starts

    def __len__(self) -> int:
        return len(self.lines)

    def line(self, n: int) -> str:
        """Line n as printed (1-based)."""
        return self.lines[n - 1]

    def begins_on(self, value: str, n: int, *, number: bool = False) -> Span | None:
        """`value` found beginning on line n (and going on over the lines after it), if it does.
        A `number` is found whole only: 23 is not in 2023."""
        needle = fold(value)
        if not needle or not 1 <= n <= len(self.lines):
            return None
        at, end = self._starts[n - 1], self._starts[n] + len(needle) - 1
        while (at := self.text.find(needle, at, end)) != -1:
            if not number or self._whole(needle, at):
                return self._span(at, len(needle))
            at += 1
        return None

    def _whole(self, needle: str, at: int) -> bool:
        """The needle found at `at` is no part of a longer number (23 in 2023 is not 23); a
        number ends where its line does (the next line's "2nd Meeting" is not its digit)."""
        after = at + len(needle)
        starts = self._line_starts
        digit_before = at not in starts and self.text[at - 1].isdigit()
        digit_after = after not in starts and after < len(self.text) and self.text[after].isdigit()
        return not (needle[0].isdigit() and digit_before or needle[-1].isdigit() and digit_after)

    @functools.cached_property
    def _line_starts(self) -> frozenset[int]:
        return frozenset(self._starts)

    def locate(self, value: str, lines: Iterable[int], *, number: bool = False) -> Span | None:
        """`value` found beginning on one of `lines`, the first of them in order that holds it."""
        for n in sorted(set(lines)):
            span = self.begins_on(value, n, number=number)
            if span is not None:
                return span
        return None

    def where(self, value: str, *, number: bool = False) -> list[int]:
        """Every line `value` begins on (a `number` whole: 23 is not in 2023)."""
        needle, found = fold(value), []
        at = self.text.find(needle) if needle else -1
        while at != -1:
            if not number or self._whole(needle, at):
                found.append(bisect.bisect_right(self._starts, at))
            at = self.text.find(needle, at + 1)
        return sorted(set(found))

    def matches(self, pattern: re.Pattern[str]) -> Iterator[tuple[re.Match[str], Span]]:
        """Each match of `pattern` in the folded text (a pattern is written for folded text:
        no spaces, lower case, NFKC), with where it stands on the printed lines."""
        for m in pattern.finditer(self.text):
            if m.end() > m.start():
                yield m, self._span(m.start(), m.end() - m.start())

    def printed(self, span: Span) -> str:
        """What a span covers, as printed: its pieces of each line joined, with a space
        between two words a line break parted ("14 universities" / "in 8 countries"), none
        in a vertically typeset column (2023年3月3日（金）, one character a line)."""
        pieces = [self.lines[m.line - 1][m.start : m.end] for m in span.marks]
        out = pieces[0]
        for piece in pieces[1:]:
            words = out[-1:].isascii() and out[-1:].isalnum() and piece[:1].isascii() and piece[:1].isalnum()
            out += (" " if words and len(out) > COLUMN else "") + piece
        return out

    def _span(self, at: int, size: int) -> Span:
        marks: list[Mark] = []
        position = at
        while position < at + size:
            n = bisect.bisect_right(self._starts, position)  # 1-based line of this position
            end = min(at + size, self._starts[n])
            marks.append(Mark(n, self._cols[position], self._cols[end - 1] + 1))
            position = end
        return Span(marks[0].line, marks[-1].line, tuple(marks))


@functools.cache
def report() -> Report:
    """The shipped report; a copy that is not the report is refused (exit 3)."""
    # Imported here: schema's use of LINES does not need it. The file is read beside this
    # module, where the wheel puts it: importlib.resources would add its import and its
    # reader to every run that reads the report.
    import hashlib

    with open(os.path.join(os.path.dirname(__file__), "source", "report.txt"), "rb") as f:
        data = f.read()
    if hashlib.sha256(data).hexdigest() != SHA256:
        raise DataError(_("the report shipped with spnet has been changed (its SHA-256 differs from the report's)"))
    return Report(data.decode("utf-8"))
