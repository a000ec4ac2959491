"""Where text may break in a table's cell, in display cells: the units no break may enter
(a word, a number with its counter, a katakana word, an address), Japanese phrases, the
usual line-breaking rules (kinsoku: no line begins with a closing bracket or a full stop,
none ends with an opening one), wrapping and cutting. layout.py lays tables out with it;
picture.py wraps labels with it; nothing here knows of a terminal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rich.cells import cell_len

# Kinsoku: characters that may not begin a line, and those that may not end one.
NO_START = set("、。，．,.）)」』】〕〉》］｝’”・：；？！ーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゝゞ々…‥%％")
NO_END = set("（(「『【〔〈《［｛‘“")
STOPS = set("、。，．,！？")  # a phrase ends after these
CLOSING = set("）)」』】〕〉》］｝’”")  # and after these, unless a particle follows
# A run of these is one unbreakable unit: a word, a number, an address (Latin letters,
# digits and punctuation), a katakana word (シンポジウム), a number with its counter (2023年,
# 12名, 第2回's 2回; 2022年度). Anything else is one character.
# (Kept to ranges that compile fast: re compiles a charset of wide Unicode ranges slowly.)
_UNIT = re.compile(
    r"\s+|(?:[!-\u2e7f]*[0-9]|[０-９]+)(?:年度|[年月日名校回件人号期])|[!-\u2e7f]+|[\u30a1-\u30fa\u30fc-\u30fe]+|.",
    re.S,
)
_WORD = re.compile(r"\s+|\S+")  # the units of ASCII text: words and spaces
_ADDRESS = re.compile(r"^\S*(?:://|@|\.\w+/)\S*$")


# ------------------------------------------------------------------ wrapping
def units(text: str) -> list[str]:
    """Text split where a line may break: at spaces, and between Japanese characters, with
    the kinsoku characters held to their neighbours. A run of Latin letters, digits and
    punctuation (a word, a number, an address) is one unit; so is a katakana word
    (シンポジウム) and a number with its counter (2023年, 12名, 2022年度)."""
    if text.isascii():  # English: words and spaces (half the text of a table, and quick)
        return _WORD.findall(text)
    out: list[str] = []
    glue_next = False
    for unit in _UNIT.findall(text):
        if out and not unit.isspace() and (glue_next or unit[0] in NO_START) and not out[-1].isspace():
            out[-1] += unit
        else:
            out.append(unit)
        glue_next = not unit.isspace() and unit[-1] in NO_END
    # A space beside a kinsoku character is no place to break either ("（ 本学", "本学 、").
    n = 1
    while n < len(out) - 1:
        if out[n].isspace() and (out[n - 1][-1] in NO_END or out[n + 1][0] in NO_START):
            out[n - 1 : n + 2] = [out[n - 1] + out[n] + out[n + 1]]
        else:
            n += 1
    return out


def _hiragana(ch: str) -> bool:
    return "\u3041" <= ch <= "\u309f"


def is_latin(ch: str) -> bool:
    return ch < "\u2e80"


def _letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _script(ch: str) -> str:
    if "\u30a1" <= ch <= "\u30fe":
        return "katakana"
    if _hiragana(ch):
        return "hiragana"
    return "latin" if is_latin(ch) else "kanji"


PARTICLES = set("がのにをはでともやへか")  # one kana after a word that ends its phrase (本学が)
PREFIXES = set("おご")  # one kana that begins a word (お問い合わせ, ご相談)


def _okurigana(kana: str, after: str) -> bool:
    """Whether one kana between two kanji belongs to the word (繰り返し, 問い合わせ)."""
    return len(kana) == 1 and kana not in PARTICLES and _script(after) == "kanji"


def _breaks_between(kana: str, before: str, after: str) -> bool:
    """Whether a Japanese line may break between two units (`kana`: the hiragana that end
    the text before, if any): after a particle or an ending in hiragana before a word in
    another script (協力は、/ 2004年に / 研究機関), after a closing bracket or a comma, before
    an opening bracket; never inside a word in one script, nor inside a word whose kana sits
    between its characters (繰り返し), nor after a prefix (ご相談), nor before the particle or
    counter that follows a Latin word or a number."""
    a, b = before, after[0]
    if a in STOPS or b in NO_END:
        return True
    if a in CLOSING:
        return not _hiragana(b)
    if _hiragana(a):
        return not (_hiragana(b) or kana in PREFIXES or _okurigana(kana, b))
    return not is_latin(a) and _letter(b)


def phrases(text: str) -> list[list[str]]:
    """Units grouped into phrases that should stay on one line: Japanese is broken between
    phrases (本学が / ボンオフィスを / 設置), never inside a unit (a katakana word, a Latin
    word, a number with its counter), never against the kinsoku rules.

    BudouX finds such phrases by machine learning, but its import costs more than a
    table's whole layout, and on the report's text it breaks numbers and
    words (202 / 3年, 同協 / 会, と / して); the rule of script changes in `_breaks_between`
    gives the breaks a reader expects there."""
    if text.isascii():
        return [[unit] for unit in _WORD.findall(text)]
    out: list[list[str]] = []
    last, kana = "", ""  # the last character placed; the hiragana that end the phrase so far
    pieces = units(text)
    for n, unit in enumerate(pieces):
        after = pieces[n + 1][0] if n + 1 < len(pieces) else ""
        # A prefix after a word's kana begins a phrase of its own (関する / ご相談).
        prefix = unit in PREFIXES and (len(kana) > 1 or kana in PARTICLES) and _script(after or "a") == "kanji"
        if last and not (unit.isspace() or last.isspace() or prefix or _breaks_between(kana, last, unit)):
            out[-1].append(unit)
            kana = kana + unit if all(map(_hiragana, unit)) else ""
        else:
            out.append([unit])
            kana = unit if all(map(_hiragana, unit)) else ""
        last = unit[-1]
    return out


def _script_runs(phrase: list[str]) -> list[list[str]]:
    """A phrase's units in runs of one script, a word's kana staying with it (東京大学 /
    グローバルキャンパス / 推進本部; ご相談・/ お問い合わせ): where a phrase is wider than
    its line, it breaks between these first."""
    runs: list[list[str]] = []
    kana = ""  # the hiragana that end the run so far
    for unit in phrase:
        last = runs[-1][-1][-1] if runs else ""
        if not runs or (unit in PREFIXES and not _hiragana(last)):
            joined = False
        elif _hiragana(unit[0]) or runs[-1] == [last] and last in PREFIXES:
            joined = True
        else:
            joined = _script(unit[0]) == _script(last) or (_okurigana(kana, unit[0]) and len(runs[-1]) > 1)
        if joined:
            runs[-1].append(unit)
        else:
            runs.append([unit])
        kana = kana + unit if joined and _hiragana(unit[0]) else unit if _hiragana(unit[0]) else ""
    if len(runs) > 1 and runs[-1] == [runs[-1][0]] and len(runs[-1][0]) == 1:
        runs[-2:] = [runs[-2] + runs[-1]]  # チューリッヒ校: one character alone on a line reads badly
    return runs


_PATH_PARTS = re.compile(r"[^/]*/|[^/]+")  # each directory with its slash, then the file


def wrap(text: str, width: int, ellipsis: str = "…", *, whole: bool = False) -> list[str]:
    """Lines no wider than `width`, broken between words and Japanese phrases. A phrase
    wider than a line breaks between runs of one script, then between its units (kinsoku
    kept; a katakana word or a number with its counter stays whole); a unit wider than a
    line (which a table's layout never lets happen) is cut with an ellipsis, unless it is
    an address (URL, e-mail), kept whole; with `whole` (a message, help: nothing may be
    lost), it is broken after a slash of a path, else between its characters instead."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if cell_len(paragraph) <= width:
            lines.append(paragraph)
            continue
        filled = _Filled(width, ellipsis, whole)
        for piece in _pieces(paragraph, width):
            filled.place(piece)
        lines += filled.end()
    return lines


class _Filled:
    """The lines of one paragraph, filled unit by unit (wrap)."""

    def __init__(self, width: int, ellipsis: str, whole: bool) -> None:
        self.width, self.ellipsis, self.whole = width, ellipsis, whole
        self.lines: list[str] = []
        self.line, self.used = "", 0

    def place(self, unit: str) -> None:
        size = cell_len(unit)
        if unit.isspace():
            if self.line:
                self.line, self.used = self.line + " ", self.used + 1
            return
        if self.used + size > self.width and self.line.strip():
            self.lines.append(self.line.rstrip())
            self.line, self.used = "", 0
        if size > self.width and self.whole:  # a path between its parts, else between characters
            parts = _PATH_PARTS.findall(unit)
            for part in parts if len(parts) > 1 else unit:
                self.place(part)
            return
        if size > self.width and not _ADDRESS.match(unit):
            unit = cut(unit, self.width, self.ellipsis)
            size = cell_len(unit)
        self.line, self.used = self.line + unit, self.used + size

    def end(self) -> list[str]:
        return [*self.lines, self.line.rstrip()]


def _pieces(paragraph: str, width: int) -> Iterator[str]:
    """What `wrap` places: each phrase whole if it fits the width, else its runs of one
    script, else their units."""
    for phrase in phrases(paragraph):
        joined = "".join(phrase)
        if len(phrase) == 1 or cell_len(joined) <= width:
            yield joined
            continue
        for run in _script_runs(phrase):
            whole = "".join(run)
            if cell_len(whole) <= width:
                yield whole
            else:
                yield from run


def cut(text: str, width: int, ellipsis: str = "…") -> str:
    """Text cut to `width` cells, ending in an ellipsis."""
    if cell_len(text) <= width:
        return text
    room = width - cell_len(ellipsis)
    out, used = "", 0
    for ch in text:
        size = cell_len(ch)
        if used + size > room:
            break
        out, used = out + ch, used + size
    return out + ellipsis


def longest_unit(text: str) -> int:
    """The widest piece of text that wrapping may not break: a word, an address, a katakana
    word, a number with its counter."""
    if text.isascii():
        return max(map(len, text.split()), default=0)
    return max((cell_len(u) for u in units(text) if not u.isspace()), default=0)
