"""Japanese text as words, by a real analyser (SudachiPy and its small dictionary): where
one word ends and the next begins (京大 is a word; 東京大学 is 東京 + 大学, so 京大 is not
in it; 連携大学会議 is 連携 + 大学 + 会議), each word's normalised form (チューリヒ ->
チューリッヒ, 慶應 -> 慶応) and its reading (林 -> はやし).

Only `search` and the search index's builder import this module (and the name resolver, as a
last resort, for a name typed in kana): loading the dictionary costs about 30 ms, which no
listing pays.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

from spnet.names import JAPANESE, fold_case_and_kana, prefold

# Spelling variants of katakana loanwords, folded as one after kana become hiragana:
# ヴェ = ベ, and no long-vowel mark or small っ counts (チューリッヒ = チューリヒ).
_VU = {"ゔぁ": "ば", "ゔぃ": "び", "ゔぇ": "べ", "ゔぉ": "ぼ", "ゔ": "ぶ"}
_VU_RE = re.compile("|".join(sorted(_VU, key=len, reverse=True)))
_IGNORED = str.maketrans("", "", "ーっ・")


def kana_fold(word: str) -> str:
    """A folded word's kana spelling variants as one: ゔぇねつぃあ -> べねつぃあ,
    ちゅーりっひ -> ちゅりひ."""
    return _VU_RE.sub(lambda m: _VU[m[0]], word).translate(_IGNORED) or word


@functools.cache
def _tokenizer() -> Any:
    from sudachipy import Dictionary, SplitMode  # type: ignore[import-untyped]

    return Dictionary(dict="small").tokenizer(mode=SplitMode.A)


def _has_japanese(text: str) -> bool:
    return JAPANESE.search(text) is not None


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
    if not _has_japanese(surface):
        word = fold_case_and_kana(surface)
        return (word, word) if word else None
    word = kana_fold(fold_case_and_kana(prefold(normalized)))
    return (word, kana_fold(fold_case_and_kana(reading))) if word else None


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
