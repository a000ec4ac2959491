"""Text made safe to show anywhere: what would act on a terminal, hide text or is not a
character at all, escaped. Archive text, file names and messages all go through it."""

from __future__ import annotations

import unicodedata

# Characters that would act on a terminal or hide text: shown as escapes instead.
_BIDI = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}


# Not characters at all: a lone surrogate (from bytes that were not UTF-8) cannot be
# encoded, and XML 1.0 forbids U+FFFE and U+FFFF even as references.
_NOT_TEXT = ("Cc", "Cf", "Cs", "Zl", "Zp")
_NONCHARACTERS = {"\ufffe", "\uffff"}


def visible(text: str, keep: str = "") -> str:
    """Escape control, format (zero-width, bidi), line/paragraph separator characters, lone
    surrogates and the noncharacters XML forbids, except those in `keep`. What is left is
    text every output (a terminal, XML, DOT, Markdown) can hold. A surrogate is how Python
    keeps a byte that is not UTF-8 in a file name or an argument (\\udce9: shown as the
    byte, \\xe9)."""
    if text.isprintable():  # none of those (checked in C): the common case, and quick
        return text
    out = []
    for ch in text:
        if ch in keep or not (unicodedata.category(ch) in _NOT_TEXT or ch in _BIDI or ch in _NONCHARACTERS):
            out.append(ch)
        elif 0xDC80 <= ord(ch) <= 0xDCFF:
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif ord(ch) < 0x100:
            out.append({"\t": "\\t", "\n": "\\n", "\r": "\\r"}.get(ch, f"\\x{ord(ch):02x}"))
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)
