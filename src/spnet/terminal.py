"""What a person sees on a terminal: its size, colour, the pager, messages, help that
fits, and the progress bar. The tables themselves are laid out by layout.py, which knows
nothing of a terminal.

The one module that applies Rich's styles; layout.py reads only its cell widths. Styles
are applied after the layout, only on a terminal that is not dumb (Rich leaves colour out
under NO_COLOR).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from rich.cells import cell_len

from spnet import interrupts, names
from spnet.i18n import N_
from spnet.i18n import _ as translated
from spnet.layout import Line, Span, plain_text
from spnet.linebreak import cut, is_latin, wrap

if TYPE_CHECKING:  # Rich's parts beyond cell_len are imported where they are used, not at start
    from rich.progress import TaskID
    from rich.text import Text


# ------------------------------------------------------------------ output
def terminal_size(stream: TextIO) -> tuple[int, int]:
    """Columns and lines of the terminal; COLUMNS/LINES win, 80x24 when neither is known."""
    size = shutil.get_terminal_size((80, 24))  # COLUMNS/LINES, else standard output's terminal
    return max(size.columns, 20), max(size.lines, 2)


def _stream_width(stream: TextIO) -> int:
    """The width of the terminal this stream writes to (stderr's, not stdout's): COLUMNS
    wins, as in terminal_size."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isascii() and columns.isdigit() and int(columns) > 0:  # else ignored, as shutil does
        return max(int(columns), 20)
    try:
        return max(os.get_terminal_size(stream.fileno()).columns, 20)
    except (OSError, ValueError):
        return terminal_size(stream)[0]


def wants_styles(stream: TextIO) -> bool:
    """A terminal that is not dumb: bold and colour (Rich leaves colour out under NO_COLOR).
    CLICOLOR_FORCE set and not 0 styles any stream, dumb terminal or pipe (the CLICOLOR
    convention, bixense.com/clicolors: "no matter what"); NO_COLOR still takes the colour
    out, as it does on a terminal (no-color.org), and leaves bold."""
    if styles_forced():
        return True
    if _dumb_terminal():
        return False
    return stream.isatty() or bool(os.environ.get("FORCE_COLOR"))


def styles_forced() -> bool:
    return os.environ.get("CLICOLOR_FORCE", "") not in ("", "0")


def _dumb_terminal() -> bool:
    return os.environ.get("TERM") in ("dumb", "unknown")


def _rich_text(lines: Sequence[Line], highlight: names.Highlight | None = None) -> Text:
    from rich.text import Text

    text = Text(no_wrap=True, end="")
    for line in lines:
        for span in line:
            text.append(span.text, span.style)
        text.append("\n")
    if highlight:
        text.highlight_regex(names.match_pattern(highlight), "bold reverse")
    return text


def styled_text(lines: Sequence[Line], stream: TextIO, highlight: names.Highlight | None = None) -> str:
    """The lines with their styles as the terminal's escape codes (Rich renders them)."""
    from rich.console import Console

    # Rich draws nothing on a dumb terminal; styles are only asked for there when forced.
    console = Console(
        file=stream,
        markup=False,
        emoji=False,
        highlight=False,
        force_terminal=True,
        color_system="standard" if _dumb_terminal() else "auto",
    )
    text = _rich_text(lines, highlight)
    with console.capture() as capture:
        console.print(text, soft_wrap=True, crop=False, end="")
    return capture.get()


def show(
    lines: Sequence[Line], stream: TextIO, *, pager: bool = True, highlight: names.Highlight | None = None
) -> None:
    """Write lines to the stream: coloured on a terminal, through a pager when longer than it."""
    text = styled_text(lines, stream, highlight) if wants_styles(stream) else plain_text(lines)
    if pager and stream.isatty() and len(lines) >= terminal_size(stream)[1]:
        command = os.environ.get("SPNET_PAGER", os.environ.get("PAGER", "less -FRX"))
        if command.strip() and command.strip() != "cat" and page(command, text, stream):
            return
    stream.write(text)


def page(command: str, text: str, stream: TextIO) -> bool:
    """Send text to the pager as git does (through the shell); False if it could not start
    or failed (a shell error, a program that exits non-zero, `false`): the caller then
    prints the text itself, so no output is lost. A pager quit early exits 0 or by a signal."""
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    try:
        proc = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
    except OSError:
        return False
    assert proc.stdin is not None
    with interrupts.ignored():  # the pager handles Ctrl-C itself; wait for it to end
        try:
            stream.flush()
            proc.stdin.write(text.encode(getattr(stream, "encoding", None) or "utf-8", "replace"))
            proc.stdin.close()
        except BrokenPipeError:  # the reader quit the pager before the end: nothing is lost
            pass
        proc.wait()
    return proc.returncode <= 0  # 127: no such command; 2: the shell could not read the command


def write_messages(lines: Sequence[tuple[str, str | None]], stream: TextIO | None = None) -> None:
    """Messages (each with a style: red for an error, yellow for a warning) on stderr; on
    a terminal, each wrapped to its width as a paragraph (kinsoku kept, no word cut) with
    its further lines indented, rather than left for the terminal to split anywhere."""
    stream = stream or sys.stderr
    if stream.isatty():
        width = _stream_width(stream)
        lines = [
            (f"  {piece}" if n else piece, style)
            for text, style in lines
            for n, piece in enumerate(wrap(text, width - 2, whole=True))
        ]
    if not wants_styles(stream):  # a file or a pipe: thousands of warnings, written as they are
        stream.write("".join(f"{text}\n" for text, _ in lines))
        return
    stream.write(styled_text([[Span(text, style)] for text, style in lines], stream))


# ------------------------------------------------------------------ help
HELP_WIDTH = 80  # help is read, not scanned: no wider than click makes it, whatever the terminal


# Typer renders a completion's description through Rich (markup, :emoji: codes) and wraps
# it at 80 columns, which would split one completion into several lines.
COMPLETION_HELP_CELLS = 60


def completion_help(text: str) -> str:
    """Archive text as the description of a completion, shown as written: controls and
    invisible marks escaped, markup escaped, cut to one line. Text with an :emoji: code,
    which Rich would turn into a picture whatever the escaping, is given no description."""
    from spnet.render import visible

    # Rich's markup and emoji modules are slow to import, and would be paid at every Tab:
    # they are imported only for text with a bracket (markup) or a colon (an :emoji: code).
    if ":" in text:
        from rich.emoji import Emoji

        if Emoji.replace(text) != text:
            return ""
    shown = cut(visible(text), COMPLETION_HELP_CELLS)
    if "[" not in shown:
        return shown
    from rich.markup import escape

    # escape() doubles a final backslash (for text that markup follows); none follows here.
    return escape(shown + " ")[:-1]


def help_width(stream: TextIO) -> int:
    """The width help is wrapped to: the terminal's, at most HELP_WIDTH, less click's margin."""
    return max(min(terminal_size(stream)[0], HELP_WIDTH) - 2, 20)


def join_lines(lines: Sequence[str]) -> str:
    """A paragraph written on several lines, as one: English lines joined by a space, and
    Japanese by none where both sides are Japanese or one is a Japanese punctuation mark."""
    out = ""
    for line in (line.strip() for line in lines):
        if out and line:
            a, b = out[-1], line[0]
            tight = not is_latin(a) and not is_latin(b) or _japanese_mark(a) or _japanese_mark(b)
            out += line if tight else " " + line
        else:
            out += line
    return out


def _japanese_mark(ch: str) -> bool:  # 、。（）「」: no space beside them
    return not is_latin(ch) and not ch.isalnum()


_ENTRY = re.compile(r"( *)(\S+(?: \S+)*)( {2,})(\S+(?: \S+)*)$")  # "  TERM  what it means"
_GAP = re.compile(r" {2,}")


def _flow(items: Sequence[str], width: int) -> list[str]:
    """Items (examples, each kept whole) laid out three spaces apart, as many as fit a line."""
    lines: list[str] = []
    for item in items:
        if lines and cell_len(lines[-1]) + 3 + cell_len(item) <= width:
            lines[-1] += "   " + item
        else:
            lines += wrap(item, width, whole=True)
    return lines


_CODE = re.compile(r"`[^`]*`")  # `less -FRX`: what is typed stays on one line


def topic_lines(text: str, width: int) -> list[str]:
    """A help topic wrapped to `width`: each line of the text is a paragraph, kept at its
    indent; an entry ("  TERM  what it means") wraps under its meaning; a line of examples
    three spaces apart keeps each example whole, and so is a command in backquotes."""
    text = _CODE.sub(lambda m: m[0].replace(" ", "\u2423"), text)
    return [line.replace("\u2423", " ") for line in _topic_lines(text, width)]


def _topic_lines(text: str, width: int) -> list[str]:
    out: list[str] = []
    for line in text.rstrip("\n").split("\n"):
        items = _GAP.split(line.strip())
        indent = line[: len(line) - len(line.lstrip(" "))]
        entry = _ENTRY.match(line)
        if len(items) > 2:
            out += [indent + piece for piece in _flow(items, width - len(indent))]
        elif entry and cell_len(line) > width:
            head = entry[1] + entry[2] + entry[3]
            hang = cell_len(head)
            if width - hang < 20:  # too little room beside the term: the meaning goes under it
                out.append(entry[1] + entry[2])
                head, hang = " " * (len(indent) + 4), len(indent) + 4
            body = wrap(entry[4], width - hang, whole=True)
            out += [head + body[0], *(" " * hang + rest for rest in body[1:])]
        else:
            out += [indent + piece if piece else "" for piece in wrap(line.strip(), width - len(indent), whole=True)]
    return out


class HelpFormatter:
    """Click's help formatter, with its text wrapped by display width (a Japanese character
    takes two columns) and between Japanese phrases, kinsoku kept: what click, counting
    characters, cannot do. Headings, usage and indentation stay click's own."""

    def __init__(self, base: Any) -> None:
        self._base = base

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)

    def _lines(self, text: str, width: int) -> list[str]:
        paragraphs = [join_lines(p.split("\n")) for p in text.strip("\n").split("\n\n")]
        lines: list[str] = []
        for n, paragraph in enumerate(paragraphs):
            lines += [""] * (n > 0) + wrap(paragraph, max(width, 20), whole=True)
        return lines

    def write_text(self, text: str) -> None:
        indent = " " * self._base.current_indent
        for line in self._lines(text, self._base.width - self._base.current_indent):
            self._base.write(f"{indent}{line}\n" if line else "\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max((cell_len(first) for first, _ in rows), default=0), col_max) + col_spacing
        indent = self._base.current_indent
        for first, second in rows:
            self._base.write(f"{'':>{indent}}{first}")
            if not second:
                self._base.write("\n")
                continue
            if cell_len(first) <= first_col - col_spacing:
                self._base.write(" " * (first_col - cell_len(first)))
            else:
                self._base.write("\n" + " " * (first_col + indent))
            lines = self._lines(second, self._base.width - first_col - indent) or [""]
            self._base.write(lines[0] + "\n")
            for line in lines[1:]:
                self._base.write(f"{'':>{first_col + indent}}{line}\n" if line else "\n")


# ------------------------------------------------------------------ progress
class ProgressBar:
    """Rich's progress bar on stderr, for a long build: one line per phase ("read": the
    archive's files parsed; "search": the files folded into the search index; "fulltext":
    the rows of its full-text index; "export": the export's tables filled), gone when done."""

    _WORDS = {
        "read": N_("reading the archive"),
        "index": N_("writing the index"),
        "search": N_("building the search index"),
        "fulltext": N_("building the full-text index"),
        "export": N_("filling the export's tables"),
    }

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.tasks: dict[str, TaskID] = {}
        self.progress.start()

    def update(self, what: str, done: int, total: int) -> None:
        if what not in self.tasks:
            self.tasks[what] = self.progress.add_task(translated(self._WORDS.get(what, what)), total=total)
        self.progress.update(self.tasks[what], completed=done, total=total)

    def close(self) -> None:
        self.progress.stop()
