"""``icmap graph -f json``: node-link data that networkx loads back.

A script reads it with ``networkx.node_link_graph(json.load(file), edges="links")``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from icmap.render.json_text import Pieces, dumps, dumps_item
from icmap.render.report.json import stream_data

if TYPE_CHECKING:
    from icmap.analysis.picture import Picture, PictureEdge, PictureNode
    from icmap.model import Measured, Origin, Relation

SCHEMA_VERSION = 1


def _topology(relation: Relation) -> dict[str, str]:
    """The relation's Team Topologies fields, only those it has (dates as ISO text)."""
    found = {
        "mode": relation.mode,
        "since": relation.since.isoformat() if relation.since else None,
        "until": relation.until.isoformat() if relation.until else None,
        "state": relation.state,
    }
    return {key: value for key, value in found.items() if value is not None}


def _origin(origin: Origin) -> dict[str, Any]:
    """As ``icmap import -f json`` writes it: ``why``, ``file``, ``line``, ``col``."""
    pos = origin.pos
    return {"why": origin.why, "file": pos.file, "line": pos.line, "col": pos.col}


def _stream_fields(relation: Relation) -> dict[str, Any]:
    """The relation's value-stream fields, only those it has."""
    found: dict[str, Any] = {}
    if relation.streams:
        found["streams"] = list(relation.streams)
    if relation.process_time is not None:
        found["process_time_hours"] = relation.process_time.hours
    if relation.complete_accurate is not None:
        found["complete_accurate"] = relation.complete_accurate
    return found


def _measured(measured: Measured) -> dict[str, Any]:
    """A relation's ``measured:`` block: times in hours, days as ISO text."""
    found: dict[str, Any] = {
        "handoffs": measured.handoffs,
        "cases": measured.cases,
        "median_hours": measured.median.hours if measured.median else None,
        "p85_hours": measured.p85.hours if measured.p85 else None,
        "return_rate": measured.return_rate,
        "first": measured.first.isoformat() if measured.first else None,
        "last": measured.last.isoformat() if measured.last else None,
    }
    if measured.alone is not None:
        found["alone"] = measured.alone
    return found


def _drawn(edge: PictureEdge) -> dict[str, Any]:
    """How a measured edge is drawn: its hand-offs, return rate, colour band and width."""
    found = edge.measured
    if found is None:
        return {}
    return {
        "measured": {
            "handoffs": found.handoffs,
            "return_rate": found.return_rate,
            "band": found.band,
            "width": found.width,
        }
    }


def _link(picture: Picture, edge: PictureEdge) -> dict[str, Any]:
    """One edge of node-link data: its relations, and how it is drawn."""
    relations = [
        {
            "what": r.what,
            "lead_time_hours": r.lead_time.hours if r.lead_time else None,
            "satisfaction": r.satisfaction,
            "declared_by": sorted(r.declared_by),
            "feedback": r.feedback,
            **_topology(r),
            **_stream_fields(r),
            **({"measured": _measured(r.measured)} if r.measured is not None else {}),
            # Imported relations (--from) say which source entries they come from.
            **({"provenance": [_origin(o) for o in r.origins]} if r.origins else {}),
        }
        for r in edge.relations
    ]
    return {
        "source": edge.provider,
        "target": edge.receiver,
        "relations": relations,
        "in_loop": edge.in_loop,
        "elided": edge.elided,
        "feedback": edge.feedback,
        **({"handoffs": edge.handoffs} if edge.handoffs is not None else {}),
        **({"critical": edge.critical} if picture.stream is not None else {}),
        **_drawn(edge),
        # What the edge says, as drawn: in the overview the only place for its counts.
        "label": edge.label,
    }


def _node(picture: Picture, node: PictureNode) -> dict[str, Any]:
    return {
        "id": node.id,
        "name": node.label,
        "kind": node.kind,
        "group": node.group,
        "lead": node.lead,
        "description": node.description,
        "front_line": node.front_line,
        **({"role": node.role} if node.role else {}),
        **({"type": node.type} if node.type else {}),
        # The group overview: how many teams (or customers, suppliers) the node stands for.
        **({"teams": node.teams} if node.teams is not None else {}),
        # A value stream's picture: on its critical path.
        **({"critical": node.critical} if picture.stream is not None else {}),
    }


def node_link_data(
    picture: Picture, *, with_links: bool = True, with_nodes: bool = True
) -> dict[str, Any]:
    """The picture as networkx node-link data (``links`` key), ids sorted; ``links`` (and
    ``nodes``) left empty with ``with_links=False`` (``with_nodes=False``): :func:`render`
    writes them one at a time."""
    nodes = [_node(picture, node) for node in picture.nodes] if with_nodes else []
    links = [_link(picture, edge) for edge in picture.edges] if with_links else []
    graph: dict[str, Any] = {
        "name": picture.title,
        "schema_version": SCHEMA_VERSION,
        "notes": picture.notes,
    }
    if picture.stream is not None:
        graph["stream"] = stream_data(picture.stream)
    if picture.measured is not None:
        # The measured map's scale: sample widths, and the return rates where colours change.
        graph["measured"] = {
            "widths": [{"handoffs": n, "width": w} for n, w in picture.measured.widths],
            "return_bands": list(picture.measured.bands),
        }
    return {
        "directed": True,
        "multigraph": False,
        "graph": graph,
        "nodes": nodes,
        "links": links,
    }


def render(picture: Picture) -> str:
    """The node-link data as JSON text (:func:`pieces`, whole)."""
    return pieces(picture).text()


def pieces(picture: Picture) -> Pieces:
    """The node-link data as JSON text, each link's data made only while it is written: for
    a million hand-offs they would take gigabytes held at once, and so would the text.

    ``links`` is the data's last key, and JSON indented by two puts every element of a list
    on lines of its own (strings never hold a line break), so a link written alone and
    indented two levels deeper reads exactly as it would inside the whole.
    """
    return Pieces(lambda: _pieces(picture))


def _pieces(picture: Picture) -> Iterator[str]:
    head = dumps(node_link_data(picture, with_links=False, with_nodes=False))
    closing = '"nodes": [],\n  "links": []\n}\n'
    if not picture.edges or not picture.nodes or not head.endswith(closing):
        yield dumps(node_link_data(picture))
        return
    # The nodes too, one at a time: 100,000 teams' dictionaries and text took 70 MB at once,
    # the peak of graph -f json for a million hand-offs.
    yield head[: -len(closing) + len('"nodes": ')]
    yield from _listed(_node(picture, node) for node in picture.nodes)
    yield ',\n  "links": '
    yield from _listed(_link(picture, edge) for edge in picture.edges)
    yield "\n}\n"


def _listed(items: Iterator[dict[str, Any]]) -> Iterator[str]:
    """A list of the data's top level as JSON indented by two writes it, item by item."""
    yield "["
    pad = "\n" + " " * 4
    for n, item in enumerate(items):
        yield "," + pad if n else pad
        yield dumps_item(item).replace("\n", pad)
    yield "\n  ]"
