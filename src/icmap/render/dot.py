"""DOT (Graphviz) for a :class:`~icmap.analysis.picture.Picture`; the only importer of graphviz.

Node ids in the DOT are synthetic (``n0``, ``n1``, …); real names appear only in quoted,
escaped labels, so no team name can break the file or smuggle in an HTML label.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import graphviz

    from icmap.analysis.picture import Legend, Picture, PictureEdge, PictureNode

_KIND_ATTRS = {
    "customer": {
        "shape": "doubleoctagon",
        "style": "filled",
        "fillcolor": "#d9f2d9",
        "color": "#2e7d32",
    },
    "supplier": {"shape": "cds", "style": "filled", "fillcolor": "#f3e5f5", "color": "#7b1fa2"},
    "team": {"shape": "box", "style": "rounded,filled", "fillcolor": "#ffffff", "color": "#455a64"},
}
_ROLE_FILL = {
    "failed": "#ef9a9a",
    "downstream": "#ffe0b2",
    "stranded": "#e0e0e0",
    "upstream": "#e3f2fd",
    "focus": "#fff59d",
}
_FRONT_LINE = {"fillcolor": "#e3f2fd", "penwidth": "2", "color": "#1565c0"}
#: Team Topologies' shape key: stream-aligned a wide yellow box, platform a wide blue box,
#: enabling a narrow, tall purple box, complicated-subsystem an orange octagon.
TYPE_ATTRS = {
    "stream-aligned": {
        "shape": "box",
        "style": "rounded,filled",
        "fillcolor": "#ffedb3",
        "color": "#c9a227",
        "width": "2.2",
    },
    "platform": {
        "shape": "box",
        "style": "filled",
        "fillcolor": "#cfe2f3",
        "color": "#3d78b8",
        "width": "2.2",
    },
    "enabling": {
        "shape": "box",
        "style": "rounded,filled",
        "fillcolor": "#e6dcf5",
        "color": "#7e57c2",
        "width": "0.9",
        "height": "1.1",
    },
    "complicated-subsystem": {
        "shape": "octagon",
        "style": "filled",
        "fillcolor": "#ffd9b8",
        "color": "#d9661f",
    },
}
#: Interaction modes: collaboration a thick band, facilitating dotted, x-as-a-service plain.
MODE_ATTRS = {
    "collaboration": {"penwidth": "6", "color": "#b39ddbcc", "arrowsize": "0.5"},
    "facilitating": {"style": "dotted", "penwidth": "2", "color": "#7e57c2"},
    "x-as-a-service": {},
}
#: Dependency states the picture marks (ok is not marked): the label also says the word.
STATE_COLORS = {"blocking": "#c62828", "slowing": "#e0a800"}


def escape(text: str) -> str:
    """A DOT string body: backslashes and quotes escaped, line breaks as ``\\n``.

    >>> print(escape('a "b" \\\\ c\\nd'))
    a \\"b\\" \\\\ c\\nd
    """
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def _label(text: str) -> str:
    import graphviz

    # nohtml() keeps a label like "<b>" from being read as an HTML label; str() would drop it.
    return cast("str", graphviz.nohtml(escape(text)))


def _node_attrs(node: PictureNode) -> dict[str, str]:
    attrs = dict(_KIND_ATTRS[node.kind])
    if node.kind == "team" and node.type in TYPE_ATTRS:
        attrs.update(TYPE_ATTRS[node.type])
        if node.front_line:
            attrs["penwidth"] = "2.5"
    elif node.front_line and node.kind == "team":
        attrs.update(_FRONT_LINE)
    if node.role is not None:
        attrs["fillcolor"] = _ROLE_FILL[node.role]
        if node.role == "failed":
            attrs.update(penwidth="3", color="#c62828")
        if node.role == "stranded":
            attrs["style"] += ",dashed"
    text = node.label if node.label == node.id else f"{node.label}\n({node.id})"
    if node.teams is not None:  # the group overview: the label says it all; size by teams
        text, size = node.label, min(node.teams, 400) ** 0.5
        attrs.update(fontsize=f"{10 + 1.2 * size:.0f}", margin=f"{0.08 + 0.02 * size:.2f}")
    attrs["label"] = _label(text)
    attrs["tooltip"] = _label(node.id)
    return attrs


def _add_nodes(dot: graphviz.Digraph, picture: Picture, ids: dict[str, str]) -> None:
    """Teams clustered by group; suppliers ranked first and customers last."""
    groups: dict[str, list[PictureNode]] = {}
    for node in picture.nodes:
        if node.kind == "team" and node.group:
            groups.setdefault(node.group, []).append(node)
        elif node.kind == "team":
            dot.node(ids[node.id], **_node_attrs(node))
    for index, (group, members) in enumerate(sorted(groups.items())):
        with dot.subgraph(name=f"cluster_{index}") as cluster:
            cluster.attr(
                label=_label(group),
                style="rounded,dashed",
                color="#b0bec5",
                fontcolor="#607d8b",
                labeljust="l",
                margin="16",
            )
            for node in members:
                cluster.node(ids[node.id], **_node_attrs(node))
    for kind, rank in (("supplier", "source"), ("customer", "sink")):
        members = [n for n in picture.nodes if n.kind == kind]
        if members:
            with dot.subgraph(name=f"{kind}s") as same:
                same.attr(rank=rank)
                for node in members:
                    same.node(ids[node.id], **_node_attrs(node))


def edge_attrs(edge: PictureEdge) -> dict[str, str]:
    """How a hand-off is drawn: its mode, a loop in orange, feedback dashed, its state's colour."""
    attrs = dict(MODE_ATTRS.get(edge.mode or "", {}))
    if edge.in_loop:
        attrs.update(color="#ef6c00", fontcolor="#ef6c00")
    if edge.elided or edge.feedback:
        attrs["style"] = "dashed"
    if edge.state in STATE_COLORS:
        colour = STATE_COLORS[edge.state]
        band = edge.mode == "collaboration"
        attrs.update(color=colour + ("cc" if band else ""), fontcolor=colour)
        if not band:
            attrs["penwidth"] = "2.5"
    if edge.handoffs is not None:  # the group overview: the more hand-offs, the thicker
        attrs.setdefault("penwidth", f"{overview_width(edge.handoffs):.1f}")
    return attrs


def overview_width(handoffs: int) -> float:
    """A group overview edge's line width: 1 for one hand-off, growing with the square root."""
    return min(1 + math.sqrt(handoffs - 1) / 2, 6.0)


def _add_legend(dot: graphviz.Digraph, legend: Legend, first: int) -> None:
    """A "Legend" cluster: a node per team type used, a short edge per mode and state used.

    Its node ids continue the picture's ``n0, n1, …`` and every label is a fixed word.
    """
    ids = (f"n{index}" for index in itertools.count(first))
    with dot.subgraph(name="cluster_legend") as box:
        box.attr(label="Legend", style="rounded", color="#90a4ae", fontcolor="#455a64")
        box.attr(labeljust="l", margin="12", fontsize="12")
        # Every entry is a point (hidden for team types) and the entry to its right: the
        # points share a rank, so each sample reads as one short horizontal line.
        entries: list[tuple[dict[str, str], dict[str, str]]] = [
            ({**TYPE_ATTRS[t], "label": t, "fontsize": "10"}, {"style": "invis"})
            for t in legend.types
        ]
        entries += [
            (
                {"label": f"{mode} ({MODE_WORDS[mode]})", "shape": "plaintext", "fontsize": "10"},
                dict(MODE_ATTRS[mode]),
            )
            for mode in legend.modes
        ]
        entries += [
            (
                {"label": f"{state.upper()} dependency", "shape": "plaintext", "fontsize": "10"},
                {"color": STATE_COLORS[state], "penwidth": "2.5"},
            )
            for state in legend.states
        ]
        for node_attrs, line in entries:
            start, end = next(ids), next(ids)
            hidden = "invis" if line.get("style") == "invis" else "solid"
            box.node(start, label="", shape="point", width="0.05", color="#90a4ae", style=hidden)
            box.node(end, **node_attrs)
            box.edge(start, end, **line)


#: What each mode's line looks like, in the legend's words.
MODE_WORDS = {
    "collaboration": "thick band",
    "facilitating": "dotted",
    "x-as-a-service": "plain arrow",
}


def build(picture: Picture) -> graphviz.Digraph:
    """The Graphviz graph: work flows left to right, suppliers first, customers last."""
    import graphviz

    ids = {node.id: f"n{index}" for index, node in enumerate(picture.nodes)}
    dot = graphviz.Digraph("icmap")
    dot.attr(rankdir="LR", fontname="Helvetica", newrank="true", label=_label(picture.title))
    dot.attr(labelloc="t", fontsize="16")
    dot.attr("node", fontname="Helvetica", fontsize="11")
    dot.attr("edge", fontname="Helvetica", fontsize="9", color="#78909c")
    _add_nodes(dot, picture, ids)
    legend = picture.legend
    if legend:
        _add_legend(dot, legend, len(ids))
    for edge in picture.edges:
        attrs = {
            "label": _label(edge.label),
            "tooltip": _label(f"{edge.provider} → {edge.receiver}"),
            **edge_attrs(edge),
        }
        if edge.backward:
            # Laid out as receiver -> provider with the arrowhead at the receiver, so work
            # flowing back does not drag the layout away from the customer. (constraint=false
            # would do the same but makes dot fail on graphs with clusters.)
            dot.edge(ids[edge.receiver], ids[edge.provider], dir="back", **attrs)
        else:
            dot.edge(ids[edge.provider], ids[edge.receiver], **attrs)
    return dot


def render(picture: Picture) -> str:
    """The DOT source text."""
    return str(build(picture).source)
