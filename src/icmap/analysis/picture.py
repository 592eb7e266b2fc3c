"""What a picture of the graph shows: which nodes and edges, and the role of each.

Choosing what to draw is computation, so it happens here; the renderers in
:mod:`icmap.render` (DOT, Mermaid, JSON, HTML) only format a :class:`Picture`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from icmap.analysis.frontline import front_line
from icmap.analysis.loops import loops
from icmap.graph import relations
from icmap.model import Kind, format_hours

if TYPE_CHECKING:
    from icmap.analysis.impact import Impact
    from icmap.graph import OrgGraph

Role = Literal["failed", "downstream", "stranded", "upstream", "focus"]


@dataclass(frozen=True)
class PictureNode:
    id: str
    label: str
    kind: Kind
    group: str | None = None
    front_line: bool = False
    role: Role | None = None


@dataclass(frozen=True)
class PictureEdge:
    provider: str
    receiver: str
    label: str
    in_loop: bool = False
    elided: bool = False


@dataclass(frozen=True)
class Picture:
    title: str
    nodes: list[PictureNode]
    edges: list[PictureEdge]
    notes: list[str] = field(default_factory=list)


def edge_label(graph: OrgGraph, provider: str, receiver: str) -> str:
    """What flows on a hand-off, with lead times: ``Plated dishes (15m)``; one line per thing."""
    lines = []
    for relation in relations(graph, provider, receiver):
        lead = f" ({format_hours(relation.lead_time.hours)})" if relation.lead_time else ""
        lines.append(f"{relation.what}{lead}")
    return "\n".join(lines)


def _picture(
    graph: OrgGraph, keep: set[str], roles: dict[str, Role], title: str, notes: list[str]
) -> Picture:
    front = {f.team for f in front_line(graph)}
    looped = {n for group in loops(graph) for n in group}
    nodes = [
        PictureNode(
            id=node,
            label=str(graph.nodes[node]["name"]),
            kind=graph.nodes[node]["kind"],
            group=graph.nodes[node].get("group"),
            front_line=node in front,
            role=roles.get(node),
        )
        for node in sorted(keep)
    ]
    edges = [
        PictureEdge(u, v, edge_label(graph, u, v), in_loop=u in looped and v in looped)
        for u, v in sorted(graph.edges)
        if u in keep and v in keep
    ]
    return Picture(title, nodes, edges, notes)


def whole_org(graph: OrgGraph) -> Picture:
    """Every team, customer and supplier, and every hand-off."""
    title = str(graph.graph.get("name") or "Internal-customer graph")
    return _picture(graph, set(graph.nodes), {}, title, [])


def impact_picture(graph: OrgGraph, result: Impact) -> Picture:
    """The failed teams, everything they reach and everything that feeds them."""
    roles: dict[str, Role] = {}
    for hit in result.upstream:
        roles[hit.team] = "upstream"
    for team in result.stranded:
        roles[team] = "stranded"
    for hit in result.downstream:
        roles[hit.team] = "downstream"
    for team in result.failed:
        roles[team] = "failed"
    keep = set(roles) | {c.customer for c in result.customers}
    chains = itertools.chain.from_iterable(h.path for h in (*result.downstream, *result.upstream))
    keep |= set(chains)
    return _picture(graph, keep, roles, result.verdict(), [])
