"""The partnership network as Graphviz DOT or Mermaid text.

Member universities and partners are nodes; an edge runs from a university to each of its
partners, labelled with the kind, the year the relation began and the year it was made
strategic, where the report gives them. Partners are grouped by consortium where
the report names one, otherwise by country where it is known. Archive text is quoted as
each language requires, never read as syntax. Names in the language asked for (--lang),
spnet's words (kinds, years) in the reader's.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from spnet import glossary
from spnet.dates import DateStyle, format_date
from spnet.i18n import N_, _, language
from spnet.models import Archive, Bilingual, Partner
from spnet.render import visible


@dataclass(frozen=True)
class Network:
    universities: list[tuple[str, str]]  # (id, label)
    partners: list[tuple[str, str, str | None]]  # (id, label, group label)
    edges: list[tuple[str, str, str]]  # (from id, to id, label)

    def groups(self) -> dict[str | None, list[tuple[str, str]]]:
        """Partners (id, label) by group, in order of first appearance; None: no group."""
        out: dict[str | None, list[tuple[str, str]]] = {}
        for pid, label, grp in self.partners:
            out.setdefault(grp, []).append((pid, label))
        return out


# One family for nodes, edges and clusters, with Japanese glyphs: Graphviz takes the first
# installed (Debian: fonts-noto-cjk, or fonts-ipafont-gothic), else its sans-serif.
FONT = "Noto Sans CJK JP, IPAPGothic, IPAGothic, sans-serif"


def render(dot_text: str, fmt: str) -> bytes:
    """The DOT text drawn by Graphviz as svg or png. UsageError when `dot` is not there;
    OutputError (exit 4, the output could not be made) when it fails or takes over two
    minutes: what `check` accepts is DOT that Graphviz draws, so that is its machine
    (memory, a broken install), not the command line."""
    import shutil
    import subprocess

    from spnet.errors import OutputError, UsageError

    dot = shutil.which("dot")
    if dot is None:
        raise UsageError(_("--format {fmt} needs Graphviz's dot on PATH (apt-get install graphviz)").format(fmt=fmt))
    try:
        done = subprocess.run([dot, f"-T{fmt}"], input=dot_text.encode("utf-8"), capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        raise OutputError(_("dot could not draw the graph: {why}").format(why=_("no answer in 120 s"))) from None
    if done.returncode != 0:
        why = done.stderr.decode(errors="replace").strip()[:200] or _("exit status {code}").format(code=done.returncode)
        raise OutputError(_("dot could not draw the graph: {why}").format(why=why))
    return done.stdout


def _label(name: Bilingual, lang: str = "both") -> str:
    """The name in `lang` (en, ja), or in the other where the report has only that; with
    both, both, the reader's language first."""
    if lang == "en":
        return name.en or name.ja or ""
    if lang == "ja":
        return name.ja or name.en or ""
    first, second = (name.ja, name.en) if language() == "ja" else (name.en, name.ja)
    return " / ".join(x for x in (first, second) if x)


def _kind(kind: str) -> str:
    term = glossary.value(kind)
    return term.ja if term and language() == "ja" else kind


def network(archive: Archive, universities: Collection[str] = (), lang: str = "both") -> Network:
    """The nodes and edges for all universities, or for one (by id), named in `lang`."""
    style = DateStyle.JA if language() == "ja" else DateStyle.ISO
    countries = {c.id: _label(c.name, lang) for c in archive.countries}
    by_id = {p.id: p for p in archive.partners}
    chosen = [p for p in archive.partners if not universities or p.university in universities]

    def group(p: Partner) -> str | None:
        if p.consortium:
            return _label(by_id[p.consortium].name, lang)
        if not p.country:
            return None
        # A country the report does not give is the curators': the cluster says so.
        return countries[p.country] + (_(" (curators')") if p.country_basis == "curator" else "")

    # One node per real institution (National Taiwan University once, with an edge from
    # Kyoto and one from Kyushu), named by the fullest name its relations give.
    node = {p.id: p.institution for p in chosen}
    named: dict[str, Partner] = {}
    for p in chosen:
        best = named.get(p.institution)
        if best is None or len(p.name.en or "") > len(best.name.en or ""):
            named[p.institution] = p
    edges = []
    for p in chosen:
        dates = [
            _(words).format(date=format_date(date.iso(), style))
            for words, date in ((N_("since {date}"), p.since), (N_("designated {date}"), p.designated))
            if date
        ]
        label = _(", ").join(x for x in (_kind(p.kind), *dates) if x)
        source = node.get(p.consortium, p.consortium) if p.consortium else p.university
        edges.append((source, p.institution, _("member") if p.consortium else label))
    used = {p.university for p in chosen}
    return Network(
        universities=[
            (u.id, _label(u.name, lang)) for u in archive.universities if u.id in used or u.id in universities
        ],
        partners=[(iid, _label(p.name, lang), group(p)) for iid, p in named.items()],
        edges=edges,
    )


def _dot_quote(text: str) -> str:
    # Controls, bidi and zero-width marks shown escaped first, as in every other format. Then
    # what Graphviz reads inside a quoted label: a backslash starts an escape (\N, \l), a
    # quote ends the string, and & starts an entity (&#x202e; would be a bidi override).
    escaped = visible(text).replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")
    return f'"{escaped}"'


def to_dot(net: Network) -> str:
    font = _dot_quote(FONT)
    lines = ["digraph spnet {", "  rankdir=LR;", f"  graph [fontname={font}];", f"  node [fontname={font}];"]
    lines.append(f"  edge [fontname={font}];")
    for uid, label in net.universities:
        lines.append(f"  {_dot_quote(uid)} [label={_dot_quote(label)}, shape=box, style=bold];")
    for i, (grp, members) in enumerate(net.groups().items()):
        indent = "  "
        if grp is not None:
            lines.append(f"  subgraph cluster_{i} {{")
            lines.append(f"    label={_dot_quote(grp)};")
            indent = "    "
        for pid, label in members:
            lines.append(f"{indent}{_dot_quote(pid)} [label={_dot_quote(label)}];")
        if grp is not None:
            lines.append("  }")
    for a, b, label in net.edges:
        lines.append(f"  {_dot_quote(a)} -> {_dot_quote(b)} [label={_dot_quote(label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_id(rid: str) -> str:
    return "n_" + rid.replace("-", "_")


# Inside a quoted label a quote ends it, '#' starts Mermaid's entity codes, a backtick a
# Markdown string, and < & HTML (labels are HTML): each is written as an entity code.
_MERMAID = str.maketrans({"#": "#35;", '"': "#quot;", "`": "#96;", "<": "#lt;", ">": "#gt;", "&": "#amp;"})


def _mermaid_text(text: str) -> str:
    out = visible(text.replace("\r\n", " ").replace("\n", " ")).translate(_MERMAID)
    return f'"{out}"'


def to_mermaid(net: Network) -> str:
    lines = ["flowchart LR"]
    for uid, label in net.universities:
        lines.append(f"  {_mermaid_id(uid)}[{_mermaid_text(label)}]")
    for i, (grp, members) in enumerate(net.groups().items()):
        if grp is not None:
            lines.append(f"  subgraph g{i}[{_mermaid_text(grp)}]")
        for pid, label in members:
            lines.append(f"    {_mermaid_id(pid)}({_mermaid_text(label)})")
        if grp is not None:
            lines.append("  end")
    for a, b, label in net.edges:
        lines.append(f"  {_mermaid_id(a)} -->|{_mermaid_text(label)}| {_mermaid_id(b)}")
    return "\n".join(lines) + "\n"
