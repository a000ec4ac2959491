"""Hostile text, planted into every text field of every record kind, and every command and
output format that shows it: the generator the hostile-input tests draw on.

Nothing here is listed by hand that the code can say itself. The record kinds and their
fields come from the schema (`SPEC` and the file layouts), which fields take free text is
asked of the loader, and the commands and their formats come from the Typer app (every
choice of a `--format` option or a FORMAT argument, every picture option such as `--svg`).
A new record kind, field, command or format joins the sweep by itself; one the sweep
cannot run (a required argument it has no sample for, a format without a reader) fails
the tests that check the sweep, saying what to add.
"""

from __future__ import annotations

import copy as copy_module
import functools
import shutil
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import tomli_w
import typer
import typer.main

from spnet.archive import load_archive
from spnet.archive.kinds import COUNTRIES_FILE, PROJECT_FILE, SPEC, STR, STRS, TABLES, UNIVERSITY_FILE
from spnet.archive.schema import MAX_CHARS
from spnet.cli import app
from spnet.errors import DataError
from spnet.i18n import is_utf8

# ------------------------------------------------------------------ the strings
# Each names what it tries; together they are what a terminal, a spreadsheet, a Markdown
# or HTML viewer, Graphviz, Mermaid, an XML reader or a shell would read as something else.
STRINGS: dict[str, str] = {
    "c0-controls": "nul\x00soh\x01bell\x07back\x08vt\x0bff\x0cus\x1fdel\x7fend",
    "c1-controls": "nel\x85csi\x9bosc\x9dst\x9cend",
    "csi": "before\x1b[2J\x1b[31mred\x1b[0m\x1b[1Aafter",
    "osc8-link": "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    "osc52-clipboard": "\x1b]52;c;ZXZpbA==\x07copied",
    "bidi": "abc\u202edcba\u202c \u202ax\u202b\u202d \u2066y\u2067\u2068\u2069 \u200e\u200f\u061c end",
    "zero-width": "zero\u200bwidth\u200cnon\u200djoin\u2060word\ufeffbom",
    "rich-markup": "[bold red]x[/] [link=file:///etc/passwd]y[/link] [/bold] :smile: \\[b]",
    "md-active": "[x](javascript:alert(1)) ![i](http://e.example/i.png) `code` *em* _em_ **b** __b__ a*b*c ~~s~~ $x$ "
    "<b>bold</b> &amp; | pipe \\| <http://e.example/>",
    "md-line-start": "# heading\n- item\n> quote\n| a | b |\n---\n1. one",
    "html-xml": "<script>alert(1)</script> &lt; &#x202e; &#0; ]]> <!-- c --> <?xml?>",
    "dot-inject": 'a\\"; x [label=y]; \\N\\G\\L\\l "q" <b>html</b> &#x41; } digraph { end\\',
    "trailing-backslash": "end\\",
    "mermaid-inject": 'x"] --> evil["`**md**`" #quot; #35; ;end; click n_kyoto "http://e.example" %%',
    "csv-formula": "=cmd|' /C calc'!A0,\"x\",+1\t-1 @SUM(1)",
    "line-breaks": "one\ntwo\r\nthree\rfour\u2028five\u2029six\x85seven",
    "noncharacters": "a\ufffeb\uffffc\U0001fffed",
    "combining": "e" + "\u0301" * 40 + " Z\u0334\u0321\u0327\u031b\u0324",
    "fullwidth-japanese": "ＦＵＬＬ　ｗｉｄｔｈ　京都大学（きょうと）「令和５年」、。",
    "emoji": "\U0001f469\u200d\U0001f469\u200d\U0001f467 \U0001f1ef\U0001f1f5",
    # As long as a name may be (schema.MAX_CHARS): the longest text every output holds.
    "long-word": "W" * MAX_CHARS["name_en"],
    "long-japanese": "長" * MAX_CHARS["name_ja"],
    # Only on the command line (from bytes that were not UTF-8): TOML cannot hold it.
    "lone-surrogate": "bad\udcffbyte",
}
STRINGS["everything"] = " ".join(v for k, v in STRINGS.items() if not k.startswith(("long", "lone")))
# One of each kind above in a few dozen characters: the fast tier's string.
STRINGS["sampler"] = (
    "\x1b]8;;http://e.example/\x1b\\l\x1b]8;;\x1b\\ \x1b[2J\x00\x07\x85\x9b\u202e\u2066\u200b\ufeff\u2028\ufffe "
    '[b]x[/b] [x](http://e.example) `c` *e* <b>&amp;| \\" \\N &#x202e; #quot; =1+2\r\n# h 京都\u0301 end\\'
)

# The fast tier runs this one through a sample of the runs (see `sample`); the slow tier
# runs every string through every run.
FAST = ("sampler",)

# What no terminal-bound output, and no SVG, DOT, Mermaid or Markdown file, may hold raw:
# C0 and C1 controls (but a line's end), bidirectional and zero-width marks, line and
# paragraph separators, lone surrogates, the noncharacters XML forbids.
_RAW = {chr(c) for c in range(0x20) if chr(c) != "\n"} | {chr(c) for c in range(0x7F, 0xA0)}
_RAW |= set("\u061c\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u2060\ufeff\ufffe\uffff")
_RAW |= {chr(c) for c in range(0x202A, 0x202F)} | {chr(c) for c in range(0x2066, 0x206A)}


def raw_characters(text: str, allowed: str = "") -> set[str]:
    """The characters in text that would act on a terminal or hide text (lone surrogates too)."""
    return {ch for ch in text if (ch in _RAW or 0xD800 <= ord(ch) <= 0xDFFF) and ch not in allowed}


def in_toml(text: str) -> bool:
    """Whether text can be stored in a TOML file (a lone surrogate cannot)."""
    return is_utf8(text)


# ------------------------------------------------------------------ the records
# Each table of each data file, as the schema lays them out: table key -> record kind.
LAYOUT = {
    key: kind for layout in (PROJECT_FILE, COUNTRIES_FILE, UNIVERSITY_FILE) for key, (kind, *_r) in layout.items()
}


def nested_kind(key: str) -> str:
    """The record kind of a list of tables inside a record (participants: participant)."""
    kind = key.removesuffix("s")
    assert kind in SPEC, f"the list of tables {key!r} holds no record kind the schema knows"
    return kind


def records(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every record of a data file and, inside each, every nested one: (kind, table)."""

    def walk(kind: str, table: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        yield kind, table
        for key, (typ, _required) in SPEC[kind].items():
            if typ == TABLES:
                for inner in table.get(key, []):
                    yield from walk(nested_kind(key), inner)

    for key, value in doc.items():
        for table in value if isinstance(value, list) else [value]:
            yield from walk(LAYOUT[key], table)


def text_fields() -> list[tuple[str, str]]:
    """Every (kind, field) the schema types as text or a list of texts."""
    return [(kind, key) for kind, spec in SPEC.items() for key, (typ, _req) in spec.items() if typ in (STR, STRS)]


def planted(value: Any, text: str, typ: str, key: str = "") -> Any:
    """Text written around what the field held (a title keeps the words its referents name,
    records keep their own names and order); a line-start or trailing attack still starts or
    ends it. A field with a longest length (names) gets as much of it as it holds."""
    if typ == STRS:
        return [*(value or []), text]
    if not isinstance(value, str):
        return text[: MAX_CHARS.get(key, len(text))]
    room = (MAX_CHARS.get(key, 2 * len(text) + len(value) + 2) - len(value) - 2) // 2
    cut = text[:room]  # what the field holds: its own value kept, so records stay apart
    return f"{cut} {value} {cut}"


def plant_doc(doc: dict[str, Any], text: str, fields: set[tuple[str, str]]) -> set[str]:
    """Write text into those fields of every record of one data file; the kinds it holds."""
    kinds = set()
    for kind, table in records(doc):
        kinds.add(kind)
        for key, (typ, _req) in SPEC[kind].items():
            if (kind, key) in fields:
                table[key] = planted(table.get(key), text, typ, key)
    return kinds


def plant(data: Path, text: str, fields: set[tuple[str, str]]) -> set[str]:
    """Write text into those fields of every record in the archive at data; the record
    kinds it found there."""
    kinds: set[str] = set()
    for path in sorted(data.rglob("*.toml")):
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        kinds |= plant_doc(doc, text, fields)
        path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    return kinds


def _loads(data: Path) -> bool:
    try:
        load_archive(data, cache=False)
    except DataError:
        return False
    return True


class Fields(NamedTuple):
    free: frozenset[tuple[str, str]]  # take any text: the loader accepts the probe
    refused: frozenset[tuple[str, str]]  # ids, references, kinds, times: the loader refuses it


def free_text_fields(source: Path, cache: Any = None) -> Fields:
    """Which text fields take free text, as the loader says (see `_probe`). With pytest's
    cache, the answer is kept under a digest of the loader's code, the archive and the probe
    string, so it is worked out again whenever any of them changes."""
    import hashlib

    import spnet.archive

    digest = hashlib.sha256(STRINGS["everything"].encode())
    for path in sorted(Path(spnet.archive.__file__).parent.glob("*.py")) + sorted(source.rglob("*.toml")):
        digest.update(path.name.encode() + path.read_bytes())
    key = f"spnet/free-text-fields/{digest.hexdigest()[:16]}"
    kept = cache.get(key, None) if cache is not None else None
    if kept is None:
        found = _probe(source)
        kept = {"free": sorted(found.free), "refused": sorted(found.refused)}
        if cache is not None:
            cache.set(key, kept)
    return Fields(*(frozenset(tuple(f) for f in kept[k]) for k in ("free", "refused")))


@functools.cache
def _probe(source: Path) -> Fields:
    """Each kind's text fields tried together with the most hostile string, and halves of
    them where together they are refused, down to single fields."""
    scratch = Path(tempfile.mkdtemp(prefix="spnet-hostile-"))
    try:
        copy = scratch / "data"
        shutil.copytree(source, copy)
        docs = {p: tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(copy.rglob("*.toml"))}
        holds = {p: {kind for kind, _t in records(doc)} for p, doc in docs.items()}

        def accepted(fields: list[tuple[str, str]]) -> bool:
            kinds = {kind for kind, _key in fields}
            touched = [p for p in docs if holds[p] & kinds]
            for p in touched:
                doc = copy_module.deepcopy(docs[p])
                plant_doc(doc, STRINGS["everything"], set(fields))
                p.write_text(tomli_w.dumps(doc), encoding="utf-8")
            try:
                return _loads(copy)
            finally:
                for p in touched:
                    p.write_text(tomli_w.dumps(docs[p]), encoding="utf-8")

        free: set[tuple[str, str]] = set()
        refused: set[tuple[str, str]] = set()

        def split(fields: list[tuple[str, str]]) -> None:
            if accepted(fields):
                free.update(fields)
            elif len(fields) == 1:
                refused.update(fields)
            else:
                split(fields[: len(fields) // 2])
                split(fields[len(fields) // 2 :])

        for kind in SPEC:
            split([f for f in text_fields() if f[0] == kind])
        return Fields(frozenset(free), frozenset(refused))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# ------------------------------------------------------------------ the commands
class Run(NamedTuple):
    """One command line of the sweep, and the format its output is read as."""

    name: str  # for test ids: "partners --format md", "graph --format svg", "timeline --svg"
    # {text} stands for the hostile string (typed on the command line, asked of the real
    # archive), {out} for an output path.
    args: tuple[str, ...]
    reader: str  # a key of the readers (json, csv, md, svg, ...), or "messages"


# Sample arguments for commands that require some: a new command with a required argument
# fails test_the_sweep_reaches_every_command_and_format until it has one here. ({text}: the
# hostile string.)
SAMPLE_ARGS: dict[str, list[tuple[str, ...]]] = {
    "show": [("kyoto",), ("kyoto-vienna",), ("sgu-launch",)],
    "search": [("{text}",), ("Vienna",)],
}
# Commands that print no records: help, and the writers, whose hostile input is a
# command-line argument (test_add_shows_typed_text_escaped_and_keeps_it_exactly).
NOT_RECORDS = {"help", "add"}


def _command(name: str) -> Any:
    group = typer.main.get_command(app)
    return group.get_command(typer.Context(group), name)  # type: ignore[attr-defined]


def command_names() -> list[str]:
    group = typer.main.get_command(app)
    return list(group.list_commands(typer.Context(group)))  # type: ignore[attr-defined]


def _choices(param: Any) -> list[str]:
    return list(getattr(param.type, "choices", None) or [])


def unsampled() -> list[str]:
    """Commands of the sweep with a required argument (not a choice of format) and no sample."""
    return [
        name
        for name in command_names()
        if name not in NOT_RECORDS and name not in SAMPLE_ARGS
        for p in _command(name).params
        if p.required and not _choices(p)
    ]


def runs() -> list[Run]:
    """Every command that shows records, in every format it offers; each command's picture
    options (a Path option other than --out and --metadata, e.g. timeline's --svg) too."""
    out: list[Run] = []
    for name in command_names():
        if name in NOT_RECORDS:
            continue
        command = _command(name)
        samples = SAMPLE_ARGS.get(name, [()])
        formats: list[tuple[tuple[str, ...], str]] = []
        options = {opt for p in command.params for opt in getattr(p, "opts", [])}
        for p in command.params:
            if p.param_type_name == "argument" and _choices(p):
                formats += [((c,), c) for c in _choices(p)]
            elif "--format" in getattr(p, "opts", []):
                formats += [(("--format", c), c) for c in _choices(p)]
            elif p.param_type_name == "option" and p.type.name == "path" and p.name not in ("out", "metadata"):
                formats.append(((p.opts[0], "{out}"), p.name))
        for sample in samples:
            label = f"{name} {' '.join(sample)}".strip().replace("{text}", "TEXT")
            if not formats:
                out.append(Run(label, (name, *sample), "messages"))
            for fmt_args, reader in formats:
                args = (name, *fmt_args, *sample)
                if "--out" in options and "{out}" not in fmt_args:
                    args += ("--out", "{out}")
                out.append(Run(f"{label} {' '.join(fmt_args)}".replace(" {out}", ""), args, reader))
    return out


def sample(every: list[Run]) -> list[Run]:
    """A representative few: each command's first run and each reader's first run."""
    seen: set[str] = set()
    chosen = []
    for run in every:
        if run.args[0] not in seen or run.reader not in seen:
            chosen.append(run)
            seen |= {run.args[0], run.reader}
    return chosen
