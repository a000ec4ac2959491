"""Japanese text as words, by a real analyser (SudachiPy and its small dictionary): where
one word ends and the next begins (京大 is a word; 東京大学 is 東京 + 大学, so 京大 is not
in it; 連携大学会議 is 連携 + 大学 + 会議), each word's normalised form (チューリヒ ->
チューリッヒ, 慶應 -> 慶応) and its reading (林 -> はやし).

Only `search`, the making of its search rows and their update after an edit, once a
search has made them, import this module (and the name resolver, as a last resort, for a
name typed in kana): loading the dictionary costs nearly half of a warm listing's time,
and no warm listing pays it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

from spnet.names import fold_case_and_kana, has_japanese, prefold

# Spelling variants of katakana loanwords, folded as one after kana become hiragana:
# ヴェ = ベ, and no long-vowel mark or small っ counts (チューリッヒ = チューリヒ).
_VU = {"ゔぁ": "ば", "ゔぃ": "び", "ゔぇ": "べ", "ゔぉ": "ぼ", "ゔ": "ぶ"}
_VU_RE = re.compile("|".join(sorted(_VU, key=len, reverse=True)))
_IGNORED = str.maketrans("", "", "ーっ・")


def kana_fold(word: str) -> str:
    """A folded word's kana spelling variants as one: ゔぇねつぃあ -> べねつぃあ,
    ちゅーりっひ -> ちゅりひ."""
    return _VU_RE.sub(lambda m: _VU[m[0]], word).translate(_IGNORED) or word


# Long vowels in a reading, which romanisation drops (Obayashi for おおばやし, Ryuichi for
# りゅういち): folded as short ones, in readings only.
_LONG_VOWELS = re.compile("(?<=[おこごそぞとどのほぼぽもよろょ])[おう]|(?<=[うくぐすずつづぬふぶぷむゆるゅ])う")


def reading_fold(kana: str) -> str:
    """A reading with its spelling variants (kana_fold) and long vowels as one:
    おおばやし = おばやし, りゅういち = りゅいち, とうきょう = ときょ."""
    return _LONG_VOWELS.sub("", kana_fold(kana))


@functools.cache
def _tokenizer() -> Any:  # SudachiPy ships no types
    from sudachipy import Dictionary, SplitMode  # type: ignore[import-untyped]

    return Dictionary(dict="small").tokenizer(mode=SplitMode.A)


def analyse(text: str) -> tuple[list[str], list[str]]:
    """The words of `text`, shortest units first (SudachiPy's mode A), each normalised and
    folded (`fold`, then `kana_fold`), and each Japanese word's reading in hiragana (the
    same word again for one not in Japanese). Punctuation and spaces are no words."""
    words: list[str] = []
    readings: list[str] = []
    for m in _tokenizer().tokenize(prefold(text)):
        found = _word(m.surface(), m.normalized_form(), m.reading_form())
        if found is not None:
            words.append(found[0])
            readings.append(found[1])
    return words, readings


@functools.lru_cache(maxsize=8192)
def stored(text: str) -> tuple[str, str]:
    """What the search index stores of a field: its words and their readings, each joined.
    The same text (オンライン, 副学長, a university's name) is analysed once."""
    words, readings = analyse(text)
    return joined(words), joined(readings)


@functools.lru_cache(maxsize=65536)
def _word(surface: str, normalized: str, reading: str) -> tuple[str, str] | None:
    """One word of `analyse` from the analyser's forms of it; None for no word."""
    if not surface.strip() or unicodedata.category(surface[0])[0] in "PSZ":
        return None
    if not has_japanese(surface):
        word = fold_case_and_kana(surface)
        return (word, word) if word else None
    word = kana_fold(fold_case_and_kana(prefold(normalized)))
    return (word, reading_fold(fold_case_and_kana(reading))) if word else None


@functools.lru_cache(maxsize=8192)
def terms(text: str, longest: int = 4) -> tuple[str, ...]:
    """The words of `text` (split as `analyse` splits them) as a full-text index that splits
    text at spaces (FTS5's unicode61) holds them, for tools that cannot analyse what is
    typed into them: each word as written, and its forms with common variants as one
    (慶應, 慶応) and normalised (チューリヒ, チューリッヒ) where those differ; and each run of
    two to `longest` words of a stretch of Japanese as one term, so that 連携大学会議
    (連携 大学 会議) is found as typed. A stretch ends at punctuation, a space and a word
    in Latin letters. The same text (a university's name) is analysed once."""
    out: list[str] = []
    stretch: list[str] = []

    def runs() -> None:
        for i in range(len(stretch)):
            for j in range(i + 2, min(i + longest, len(stretch)) + 1):
                if has_japanese(run := "".join(stretch[i:j])):
                    out.extend(dict.fromkeys((run, prefold(run))))
        stretch.clear()

    for m in _tokenizer().tokenize(prefold(text, variants=False)):
        surface, normalized = m.surface(), m.normalized_form()
        if _word(surface, normalized, m.reading_form()) is None:
            runs()
            continue
        if any(c.isascii() and c.isalpha() for c in surface):
            out.append(surface)
            runs()
            continue
        out.extend(dict.fromkeys((surface, prefold(surface), normalized) if has_japanese(surface) else (surface,)))
        stretch.append(surface)
    runs()
    return tuple(out)


def joined(words: list[str]) -> str:
    """Words as one string, each between spaces: " 京都 大学 ", so that a run of words is a
    substring exactly when it is a run of whole words."""
    return " " + " ".join(words) + " " if words else ""


def reads_as(kana: str, readings: str) -> bool:
    """Whether a run of whole words of `readings` (joined) reads `kana`: はやし in
    " はやし かおり ", はやしかおり too; not はや."""
    tokens = readings.split()
    for i in range(len(tokens)):
        run = ""
        for token in tokens[i:]:
            run += token
            if run == kana:
                return True
            if not kana.startswith(run):
                break
    return False


# Hepburn romanisation, as the report writes Japanese names in English (Kaori HAYASHI):
# syllable -> hiragana. A name is read from it only when every letter is one of these.
_HEPBURN = {
    **dict(zip(["a", "i", "u", "e", "o"], "あいうえお", strict=True)),
    **{
        c + v: k
        for c, row in {
            "k": "かきくけこ",
            "g": "がぎぐげご",
            "s": "さ-すせそ",
            "z": "ざ-ずぜぞ",
            "t": "た--てと",
            "d": "だ--でど",
            "n": "なにぬねの",
            "h": "はひ-へほ",
            "b": "ばびぶべぼ",
            "p": "ぱぴぷぺぽ",
            "m": "まみむめも",
            "y": "や-ゆ-よ",
            "r": "らりるれろ",
            "w": "わ---を",
            "f": "--ふ--",
        }.items()
        for v, k in zip("aiueo", row, strict=True)
        if k != "-"
    },
    "shi": "し",
    "chi": "ち",
    "tsu": "つ",
    "ji": "じ",
    **{
        c + "y" + v: k + small
        for c, k in {
            "k": "き",
            "g": "ぎ",
            "n": "に",
            "h": "ひ",
            "b": "び",
            "p": "ぴ",
            "m": "み",
            "r": "り",
        }.items()
        for v, small in zip("auo", "ゃゅょ", strict=True)
    },
    **{
        c + v: k + small
        for c, k in {"sh": "し", "ch": "ち", "j": "じ"}.items()
        for v, small in zip("auo", "ゃゅょ", strict=True)
    },
}


def romaji_reading(name: str) -> list[str] | None:
    """The reading of a name the report gives in Hepburn romanisation, family name first
    (the word in capitals, else the last): "Kaori HAYASHI" -> ["はやし", "かおり"]. None
    when a word is not plain Hepburn ("Christian")."""
    words = name.split()
    if not words or not all(w.isascii() and w.isalpha() for w in words):
        return None
    family = next((w for w in words if len(w) > 1 and w.isupper()), words[-1])
    ordered = [family, *(w for w in words if w is not family)]
    kana = [_hepburn(w.lower()) for w in ordered]
    return None if any(k is None for k in kana) else [reading_fold(k) for k in kana if k is not None]


def _hepburn(word: str) -> str | None:
    out, i = "", 0
    while i < len(word):
        if word[i] == "n" and (i + 1 == len(word) or word[i + 1] not in "aiueoy"):
            out, i = out + "ん", i + 1
            continue
        if i + 1 < len(word) and word[i] == word[i + 1] and word[i] not in "aiueon":
            out, i = out + "っ", i + 1  # a doubled consonant: kk, tt, ss, pp
            continue
        for size in (3, 2, 1):
            if (kana := _HEPBURN.get(word[i : i + size])) is not None:
                out, i = out + kana, i + size
                break
        else:
            return None
    return out
