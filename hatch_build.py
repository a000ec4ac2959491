"""Build step: compile the message catalogues (src/spnet/locale/*/LC_MESSAGES/*.po) into
the .mo files gettext reads, for the wheel and for an editable install.

The .po files are the source, kept in git; the .mo files are built, never committed. The
compiler covers what spnet's catalogues use (msgid/msgstr, continued strings, the usual
escapes, comments, fuzzy entries left out), in the GNU .mo layout without a hash table,
which gettext does not need.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    if not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"not a quoted string: {text!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES[m[1]], text[1:-1])


def read_po(text: str) -> dict[str, str]:
    """msgid -> msgstr of a .po file; untranslated and fuzzy entries are left out."""
    entries: dict[str, str] = {}
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    current: list[str] | None = None
    fuzzy = False

    def flush() -> None:
        if msgid is not None and msgstr is not None and not fuzzy:
            key, value = "".join(msgid), "".join(msgstr)
            if value:
                entries[key] = value

    for line in [*text.splitlines(), ""]:
        line = line.strip()
        if not line:
            flush()
            msgid = msgstr = current = None
            fuzzy = False
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid "):
            msgid = current = [_unquote(line[6:].strip())]
        elif line.startswith("msgstr "):
            msgstr = current = [_unquote(line[7:].strip())]
        elif line.startswith('"') and current is not None:
            current.append(_unquote(line))
        else:
            raise ValueError(f"cannot read this .po line: {line!r}")
    return entries


def write_mo(entries: dict[str, str]) -> bytes:
    """The GNU .mo form of a catalogue: header, the two tables of (length, offset), strings."""
    keys = sorted(entries, key=lambda k: k.encode("utf-8"))
    ids = [k.encode("utf-8") for k in keys]
    strs = [entries[k].encode("utf-8") for k in keys]
    start = 7 * 4 + 16 * len(keys)
    offsets_ids, offsets_strs, blob = [], [], b""
    for data, table in [(d, offsets_ids) for d in ids] + [(d, offsets_strs) for d in strs]:
        table.append((len(data), start + len(blob)))
        blob += data + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, len(keys), 28, 28 + 8 * len(keys), 0, 0)
    tables = b"".join(struct.pack("<2I", *pair) for pair in offsets_ids + offsets_strs)
    return header + tables + blob


class CataloguesHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        for po in sorted(Path(self.root, "src", "spnet", "locale").glob("*/LC_MESSAGES/*.po")):
            mo = po.with_suffix(".mo")
            mo.write_bytes(write_mo(read_po(po.read_text(encoding="utf-8"))))
            inside = mo.relative_to(Path(self.root, "src"))
            build_data["force_include"][str(mo)] = str(inside)
