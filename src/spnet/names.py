"""Names as people type them, resolved to ids: one resolver for universities, countries,
kinds and records (an id, an exact name in either language, a curator's short name, the
start of a name's words; never a guess), and `fold`, the one form text is compared in,
for names and for search."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple, TypeVar

from spnet.collection import Archive
from spnet.errors import UsageError
from spnet.i18n import _, language
from spnet.models import University, UniversityName

T = TypeVar("T")

_KATAKANA = {c: c - 0x60 for c in range(0x30A1, 0x30F7)}  # ァ..ヶ -> ぁ..ゖ
# Kana, CJK ideographs and the iteration marks: a space between two of them is not a word break.
_CJK = "\u3005\u3006\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff"
_INNER_SPACE = rf"(?<=[{_CJK}])\s+(?=[{_CJK}])"  # compiled on first use, by re's cache
_NAKAGURO = r"(?<=[\u30a1-\u30fa\u30fc])\u30fb(?=[\u30a1-\u30fa])"  # between katakana
_KANA = "[ぁ-ゖー]"  # a kana of folded text (katakana folded to hiragana)
_KANJI = "\u3005\u3400-\u9fff\uf900-\ufaff"


@functools.cache
def _japanese() -> re.Pattern[str]:
    # Compiled when first asked: re compiles wide ranges slowly, and a query that reads no
    # Japanese text would pay for it at every start (bench/README.md has the figure).
    return re.compile(f"[{_CJK}]")


def has_japanese(text: str) -> bool:
    """Whether `text` holds kana, a CJK ideograph or an iteration mark."""
    return _japanese().search(text) is not None


@functools.cache
def _variants() -> dict[int, str]:
    """The character variants folded as one (variants.txt): 應 -> 応, 國 -> 国, 邉 -> 辺 ..."""
    table: dict[int, str] = {}
    for line in (Path(__file__).parent / "variants.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            first, *rest = line.split()
            table.update({ord(v): first for v in rest})
    return table


def prefold(text: str, *, numbers: bool = True, variants: bool = True) -> str:
    """The part of `fold` that keeps case and script, for the Japanese analyser to read:
    NFKC, common character variants as one unless `variants` is False, no space inside
    Japanese text, spaces collapsed, and numbers by value unless `numbers` is False. A 中黒
    stays: the analyser reads アフリカ・エチオピア as two words, アフリカエチオピア as one."""
    s = unicodedata.normalize("NFKC", text)
    if not s.isascii():
        s = re.sub(_INNER_SPACE, "", s.translate(_variants()) if variants else s)
    if numbers and not s.isalpha():
        s = re.sub(r"\d+", lambda m: str(int(m[0])) if len(m[0]) < 100 else m[0], s)  # int() refuses 4301 digits
    return " ".join(s.split())


def fold(text: str, *, numbers: bool = True) -> str:
    """The one form text is compared in, for search and for every name a user types:
    NFKC (full-width as half-width), case-folded, katakana as hiragana, common character
    variants as one (慶應 = 慶応), no space inside Japanese text (林 香里 = 林香里) nor 中黒
    between katakana (ガジャ・マダ = ガジャマダ), spaces collapsed, and numbers by value (第01回
    = 第1回) unless `numbers` is False (ids, which are compared as typed)."""
    return fold_case_and_kana(without_nakaguro(prefold(text, numbers=numbers)))


def without_nakaguro(text: str) -> str:
    """The text without a 中黒 between katakana, where one writer splits a name and another
    does not (ガジャ・マダ, ガジャマダ)."""
    return re.sub(_NAKAGURO, "", text) if "・" in text else text


# The same text recurs across records (a partner of several universities, オンライン):
# folded once. The real archive's text fields are little more than half as many distinct
# texts, and at 100x folding every field takes a sixteenth of the time (bench/README.md).
fold_once = functools.lru_cache(maxsize=65536)(fold)


def fold_case_and_kana(text: str) -> str:
    """The rest of `fold` for text already `prefold`ed: case-folded, katakana as hiragana."""
    s = text.casefold()
    return s.translate(_KATAKANA) if not s.isascii() else s


# What search highlights: the typed text, several phrases, or a pattern made for it.
Highlight = str | Sequence[str] | re.Pattern[str]


def match_pattern(find: Highlight, *, alone: Sequence[str] = ()) -> re.Pattern[str]:
    """Where the words search folds from `find` are in a text as written: the same folding
    as a pattern (either case and width, either kana, a variant, a space inside Japanese,
    leading zeros), for the snippet and the highlight of what was found. A string is
    found word by word; each of several strings whole (its words apart by any spaces);
    each of `alone` only with no kanji on either side (京大, not 京大 in 東京大学). A
    pattern is its own answer."""
    if isinstance(find, re.Pattern):
        return find
    phrases = [[w] for w in fold(find).split()] if isinstance(find, str) else [fold(p).split() for p in find]
    parts = [r"\s+".join(_word_pattern(w) for w in words) for words in phrases if words]
    parts += [rf"(?<![{_KANJI}]){_word_pattern(fold(w))}(?![{_KANJI}])" for w in alone if fold(w)]
    return re.compile("|".join(parts) or "(?!)")  # nothing: a pattern that finds nothing


def _word_pattern(word: str) -> str:
    back = _back_variants()
    parts = []
    tokens = re.findall(r"\d+|.", word)
    for n, token in enumerate(tokens):
        if token.isdigit():  # by value, in either width: 第2回 is 第02回 and 第２回
            parts.append("[0０]*" + "".join(f"[{d}{_wide(d)}]" for d in token))
            continue
        alternatives = {token, token.upper()} | back.get(token, set())
        if "ぁ" <= token <= "ゖ":
            alternatives.add(chr(ord(token) + 0x60))
        alternatives |= {_wide(a) for a in list(alternatives) if "!" <= a <= "~"}
        pattern = "[" + "".join(re.escape(a) for a in sorted(alternatives)) + "]"
        # A space inside Japanese, and a 中黒 between kana (katakana, folded), are not typed.
        kana = n and re.fullmatch(_KANA, tokens[n - 1]) and re.fullmatch(_KANA, token)
        between = r"[\s・]*" if kana else r"\s*"
        parts.append(between + pattern if parts and re.match(f"[{_CJK}]", token) else pattern)
    return "".join(parts)


def _wide(c: str) -> str:
    """The full-width form of a printable ASCII character: Ａ for A, ２ for 2."""
    return chr(ord(c) + 0xFEE0)


@functools.cache
def _back_variants() -> dict[str, set[str]]:
    back: dict[str, set[str]] = {}
    for code, to in _variants().items():
        back.setdefault(to, set()).add(chr(code))
    return back


def _words(folded: str) -> list[str]:
    """The words of a folded text: split at spaces, hyphens and brackets. A Japanese name
    is one word."""
    return [w for w in re.split(r"[\s\-,()（）/]+", folded) if w]


def _starts_words(typed: list[str], words: list[str]) -> bool:
    """Each typed word begins one of a name's `words`, in order, from some word on:
    "univ of tok" and "tokyo" begin words of "The University of Tokyo"; "kyo" does not."""
    return any(
        all(w.startswith(t) for w, t in zip(words[i : i + len(typed)], typed, strict=True))
        for i in range(len(words) - len(typed) + 1)
    )


def choose(what: str, typed: str, spellings: Mapping[T, tuple[str, ...]]) -> T:
    """The choice a user meant by one of its spellings (`spellings`: each choice's, the
    first the one an error names), NFKC- and case-folded: ＪＡ, jp and 日本語 alike. The
    one parser of every option that takes one of a few words (--lang, --date-style,
    --group), refusing alike: exit 2, "unknown --lang 'x': give one of en, ja, both"."""
    key = unicodedata.normalize("NFKC", typed).strip().casefold()
    for choice, names in spellings.items():
        if key in names:
            return choice
    choices = ", ".join(names[0] for names in spellings.values())
    raise UsageError(
        _("unknown {what} {typed!r}: give one of {choices}").format(what=what, typed=typed, choices=choices)
    )


class Names(NamedTuple):
    """What one record answers to: its full names, and short names (a curator's, or a code)."""

    full: tuple[str, ...]
    short: tuple[str, ...] = ()


def resolve(what: str, typed: str, ids: Collection[str], names: Callable[[], dict[str, Names]]) -> str:
    """Pick one of `ids` for what a user typed, or refuse (exit 2) with a few candidates.

    In order: an exact id; an exact name in either language (case-, width- and
    kana-insensitive; 国立台湾大学 for 国立台湾大学（NTU）); a known short name (or one a
    name gives in brackets: NTU); the start of a name, from the start of one of its words
    ("kyoto", "Univ of Tok", "京都"); an informal name (慶應大学 for 慶應義塾大学); for
    kana alone, a name's reading (きょうと, by the Japanese analyser). Never a piece from
    inside a word: "京大" is not a piece of "東京大学". Several matches at one step are
    ambiguous, never a guess. Names are only gathered when the typed text is not an id.
    """
    key = fold(typed)
    if not key:
        raise UsageError(_("empty {what} name").format(what=what))
    as_id = fold(typed, numbers=False)
    if as_id in ids:
        return as_id
    candidates = names()
    # Each name folded once in this lookup, whichever step asks: at 1000 times the real
    # archive an unknown name went through 141,000 names four times, folding each time.
    folded = _Folds()
    for matches in _steps(key, folded):
        found = [cid for cid, n in candidates.items() if matches(n)]
        if len(found) == 1:
            return found[0]
        if found:
            raise UsageError(
                _("ambiguous {what} {typed!r}: it could be {some}").format(
                    what=what, typed=typed, some=_some(found, candidates)
                )
            )
    raise UsageError(
        _("unknown {what} {typed!r}{hint}").format(what=what, typed=typed, hint=_hint(key, candidates, folded))
    )


def _steps(key: str, folded: _Folds) -> list[Callable[[Names], bool]]:
    """resolve's steps, in order, each whether a record's names match the folded `key`."""
    typed_words = _words(key)
    steps: list[Callable[[Names], bool]] = [
        lambda n: any(folded[f] == key for x in n.full for f in _full_forms(x)),
        lambda n: (
            any(folded[x] == key for x in n.short) or any(folded[f] == key for x in n.full for f in short_forms(x))
        ),
        lambda n: any(_starts_words(typed_words, _words(folded[x])) for x in n.full),
        lambda n: any(_informal(key, folded[x]) for x in n.full),
    ]
    if is_kana(key):  # a reading, by the Japanese analyser: only when nothing else matched
        steps.append(lambda n: any(_reads(key, x) for x in n.full))
    return steps


def _hint(key: str, candidates: dict[str, Names], folded: _Folds) -> str:
    """The names closest to an unknown one ("; did you mean ...?"), or nothing."""
    import difflib  # only an unknown name needs it

    every = {folded[x]: cid for cid, n in candidates.items() for x in (cid, *n.full, *n.short)}
    close = dict.fromkeys(every[c] for c in difflib.get_close_matches(key, list(every), n=5, cutoff=0.75))
    return _("; did you mean {some}?").format(some=_some(list(close), candidates)) if close else ""


class _Folds(dict[str, str]):
    """Texts folded when first asked for."""

    def __missing__(self, text: str) -> str:
        self[text] = folded = fold(text)
        return folded


def is_informal(key: str, name: str) -> bool:
    """Whether a folded name is an informal form of a university's `name`: its start and
    大学 (慶應大学, 慶応大学 for 慶應義塾大学)."""
    return _informal(key, fold(name))


def _informal(key: str, folded: str) -> bool:
    return len(key) > 2 and key.endswith("大学") and folded.endswith("大学") and folded.startswith(key[:-2])


_BRACKETED = re.compile(r"\s*[（(]([^（）()]+)[）)]\s*$")


def _full_forms(name: str) -> list[str]:
    """A name, and the name without a bracketed tail: 国立台湾大学（NTU） is 国立台湾大学."""
    base = _BRACKETED.sub("", name)
    return [name, base] if base and base != name else [name]


def short_forms(name: str) -> list[str]:
    """A short name, or the short name a full name gives in brackets: NTU, 第２回."""
    found = _BRACKETED.search(name)
    return [found[1]] if found else []


def is_kana(word: str) -> bool:
    """Whether a folded word is kana alone (a reading: はやし, きょうと)."""
    return bool(word) and all("\u3041" <= c <= "\u309f" or c == "ー" for c in word)


def _reads(kana: str, name: str) -> bool:
    """Whether whole words of `name` read `kana` (きょうと: 京都大学), by the analyser."""
    if not has_japanese(name):
        return False
    from spnet.analysis import analyse, joined, reading_fold, reads_as

    return reads_as(reading_fold(kana), joined(analyse(name)[1]))


def _some(ids: Sequence[str], candidates: dict[str, Names], most: int = 5) -> str:
    """At most five candidates, each by id and a name: "kyoto (Kyoto University)", or for a
    Japanese reader "京都大学 (kyoto)"."""
    ja = language() == "ja"
    shown = []
    for cid in ids[:most]:
        full = candidates[cid].full
        name = (
            next((n for n in full if not n.isascii()), full[0] if full else None) if ja else full[0] if full else None
        )
        shown.append(cid if not name else f"{name} ({cid})" if ja else f"{cid} ({name})")
    more = _(" and {n} more").format(n=len(ids) - most) if len(ids) > most else ""
    return ", ".join(shown) + more


def _university_names(u: University | UniversityName) -> Names:
    full = [n for n in (u.name.en, u.name.ja) if n]
    return Names(tuple(full + list(u.aliases)), u.short_names)


def resolve_university(archive: Archive, typed: str) -> str:
    """`kyoto`, `Kyoto University`, `京都大学`, `京都`, `京大` -> "kyoto"."""
    heads = archive.index.university_names
    return resolve(_("university"), typed, {u.id for u in heads}, lambda: {u.id: _university_names(u) for u in heads})


def resolve_universities(archive: Archive, typed: Iterable[str]) -> set[str]:
    """Each typed university (a repeated --university means any of them)."""
    return {resolve_university(archive, t) for t in typed}


def resolve_country(archive: Archive | None, typed: str) -> str:
    """`gb`, `GBR`, `UK`, `United Kingdom`, `英国`, `イギリス` -> "gb". Every ISO 3166 country
    is known, not only those of the archive (or without one: `add` to an archive that is not
    valid as it is): a country with no partners is an empty answer, not an error."""
    countries = archive.countries if archive is not None else ()
    own = {c.id: Names(tuple(n for n in (c.name.en, c.name.ja) if n)) for c in countries}

    def names() -> dict[str, Names]:
        from spnet.countries import iso_countries  # pycountry: only when a country is typed

        every = iso_countries()
        for cid, n in own.items():
            iso = every.get(cid, Names(()))
            every[cid] = Names(n.full + iso.full, iso.short)
        return every

    if fold(typed) in own:
        return fold(typed)
    return resolve(_("country"), typed, _iso_codes(), names)


def _iso_codes() -> set[str]:
    from spnet.countries import iso_countries

    return set(iso_countries())


def resolve_choice(what: str, typed: str, choices: Sequence[str]) -> str:
    """A kind: exact, in the glossary's Japanese (会議) or the report's own words for it
    (連携大学会議, アンケート, 戦略的パートナーシップ), or the start of one (`strategic`
    -> strategic-partner, シンポ -> symposium)."""
    from spnet import glossary

    def names() -> dict[str, Names]:
        return {
            c: Names((c, *((t.ja,) if (t := glossary.value(c)) else ()), *glossary.REPORT_WORDS.get(c, ())))
            for c in choices
        }

    return resolve(what, typed, choices, names)
