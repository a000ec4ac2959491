"""The partnership network: its nodes and edges (network), and as Mermaid text. dot.py
writes it as Graphviz DOT and draws it.

Member universities and partners are nodes; an edge runs from a university to each of its
partners (and from a consortium to its members), drawn in its kind's colour and line and
labelled with the year the relation began and the year it was made strategic, where the
report gives them. Partners are grouped by country where it is known, each country once; a
partner whose country the archive's curators added is marked `+`, as in every listing.
Archive text is quoted as each language requires, never read as syntax. Names in the
language asked for (--lang), spnet's words (kinds, years, the legend) in the reader's.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from spnet import glossary
from spnet.collection import Archive
from spnet.dates import DateStyle, format_date
from spnet.i18n import N_, _, language
from spnet.models import Bilingual, Partner
from spnet.render import visible

# The mark a listing puts after a value the curators added (glossary.LEGEND).
CURATORS = "+"


@dataclass(frozen=True)
class Node:
    id: str
    names: tuple[str, ...]  # the name in each language shown, the reader's first
    country: str | None  # the country's name: the box it is drawn in
    curators: bool  # the country is the curators', not the report's

    @property
    def marked(self) -> tuple[str, ...]:
        """The names, the last with the curators' mark where the country is theirs."""
        return (*self.names[:-1], f"{self.names[-1]} {CURATORS}") if self.curators else self.names


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str  # the partner's kind (consortium-member from a consortium to its member)
    dates: str  # since / designated, as the reader reads them; "" when the report gives neither

    @property
    def label(self) -> str:
        """The kind and the dates in words, as Mermaid writes them on the edge."""
        if self.kind == "consortium-member":
            return _("member")
        return _(", ").join(x for x in (kind_words(self.kind), self.dates) if x)


@dataclass(frozen=True)
class Network:
    universities: list[tuple[str, str]]  # (id, label)
    partners: list[Node]
    edges: list[Edge]

    def groups(self) -> dict[str | None, list[Node]]:
        """Partners by country, in order of first appearance; None: no country."""
        out: dict[str | None, list[Node]] = {}
        for node in self.partners:
            out.setdefault(node.country, []).append(node)
        return out


def _names(name: Bilingual, lang: str = "both") -> tuple[str, ...]:
    """The name as glossary.in_language gives it: one line each."""
    return tuple(text for text, _half in glossary.in_language(name.en, name.ja, lang)) or ("",)


def _label(name: Bilingual, lang: str = "both") -> str:
    return glossary.bilingual_label(name.en, name.ja, lang)


def kind_words(kind: str) -> str:
    """A kind in the reader's words: spnet's id, or the glossary's Japanese."""
    term = glossary.value(kind)
    return term.ja if term and language() == "ja" else kind


def network(archive: Archive, universities: Collection[str] = (), lang: str = "both") -> Network:
    """The nodes and edges for all universities, or for one (by id), named in `lang`."""
    style = DateStyle.JA if language() == "ja" else DateStyle.ISO
    countries = {c.id: _label(c.name, lang) for c in archive.countries}
    chosen = [p for p in archive.partners if not universities or p.university in universities]
    # One node per real institution (National Taiwan University once, with an edge from
    # Kyoto and one from Kyushu), named by the fullest name its relations give.
    node = {p.id: p.institution for p in chosen}
    named: dict[str, Partner] = {}
    for p in chosen:
        best = named.get(p.institution)
        if best is None or len(p.name.en or "") > len(best.name.en or ""):
            named[p.institution] = p
    edges = [_edge(p, node, style) for p in chosen]
    used = {p.university for p in chosen}
    return Network(
        universities=[
            (u.id, _label(u.name, lang)) for u in archive.universities if u.id in used or u.id in universities
        ],
        partners=[
            Node(iid, _names(p.name, lang), countries[p.country] if p.country else None, p.country_basis == "curator")
            for iid, p in named.items()
        ],
        edges=edges,
    )


def _edge(p: Partner, node: dict[str, str], style: str) -> Edge:
    """A relation as an edge: from its university, labelled with its dates; a consortium's
    member's from the consortium."""
    if p.consortium:
        return Edge(node.get(p.consortium, p.consortium), p.institution, "consortium-member", "")
    dates = [
        _(words).format(date=format_date(date, style))
        for words, date in ((N_("since {date}"), p.since), (N_("designated {date}"), p.designated))
        if date
    ]
    return Edge(p.university, p.institution, p.kind, _(", ").join(dates))


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
        for n in members:
            lines.append(f"    {_mermaid_id(n.id)}({_mermaid_text(' / '.join(n.marked))})")
        if grp is not None:
            lines.append("  end")
    for e in net.edges:
        lines.append(f"  {_mermaid_id(e.source)} -->|{_mermaid_text(e.label)}| {_mermaid_id(e.target)}")
    return "\n".join(lines) + "\n"
