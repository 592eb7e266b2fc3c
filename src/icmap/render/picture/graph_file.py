"""``icmap graph -f graphml`` and ``-f gexf``: the picture for Gephi, yEd and graph databases.

Written by networkx's own writers, so any tool that reads networkx's GraphML or GEXF reads
these. Both formats hold only plain values, so each node and edge carries every attribute of
the picture that is a string, number or boolean; an attribute with no value is left out
rather than written empty. An edge's relations (a list of records) become plain summaries:
how many there are, what flows (one line each), the longest lead time and the lowest
satisfaction. ``weight`` is the hand-offs an overview edge stands for, else 1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

    from icmap.analysis.picture import Picture, PictureEdge, PictureNode

Plain = str | int | float | bool


def _node(node: PictureNode) -> dict[str, Plain]:
    found: dict[str, Plain | None] = {
        # GEXF takes "label" as the node's label; GraphML keeps it as an attribute.
        "label": node.label,
        "kind": node.kind,
        "group": node.group,
        "front_line": node.front_line,
        "role": node.role,
        "lead": node.lead,
        "description": node.description,
        "type": node.type,
        "teams": node.teams,
    }
    return {key: value for key, value in found.items() if value is not None}


def _edge(edge: PictureEdge) -> dict[str, Plain]:
    leads = [r.lead_time.hours for r in edge.relations if r.lead_time]
    scores = [r.satisfaction for r in edge.relations if r.satisfaction is not None]
    found: dict[str, Plain | None] = {
        "label": edge.label,
        "weight": float(edge.handoffs or 1),
        "handoffs": edge.handoffs,
        "relations": len(edge.relations) if edge.relations else None,
        "lead_time_hours": float(max(leads)) if leads else None,
        "satisfaction": float(min(scores)) if scores else None,
        "in_loop": edge.in_loop,
        "elided": edge.elided,
        "backward": edge.backward,
        "feedback": edge.feedback,
        "mode": edge.mode,
        "state": edge.state,
    }
    return {key: value for key, value in found.items() if value is not None}


def to_networkx(picture: Picture) -> nx.DiGraph[str]:
    """The picture as a networkx graph of plain attributes (what the two writers accept)."""
    import networkx as nx

    graph: nx.DiGraph[str] = nx.DiGraph(name=picture.title)
    if picture.notes:
        graph.graph["notes"] = "\n".join(picture.notes)
    for node in picture.nodes:
        graph.add_node(node.id, **_node(node))
    for edge in picture.edges:
        graph.add_edge(edge.provider, edge.receiver, **_edge(edge))
    return graph


def render(picture: Picture, file_format: str) -> str:
    """GraphML (``graphml``) or GEXF 1.2 (``gexf``) text."""
    import networkx as nx

    graph = to_networkx(picture)
    lines = nx.generate_graphml(graph) if file_format == "graphml" else nx.generate_gexf(graph)
    return "\n".join(lines) + "\n"
