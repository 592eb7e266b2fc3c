"""DOT (Graphviz) for a :class:`~icmap.analysis.picture.Picture`; the only importer of graphviz.

Node ids in the DOT are synthetic (``n0``, ``n1``, …); real names appear only in quoted,
escaped labels, so no team name can break the file or smuggle in an HTML label.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import graphviz

    from icmap.analysis.picture import Picture, PictureNode

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
    if node.front_line and node.kind == "team":
        attrs.update(_FRONT_LINE)
    if node.role is not None:
        attrs["fillcolor"] = _ROLE_FILL[node.role]
        if node.role == "failed":
            attrs.update(penwidth="3", color="#c62828")
        if node.role == "stranded":
            attrs["style"] += ",dashed"
    text = node.label if node.label == node.id else f"{node.label}\n({node.id})"
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
    for edge in picture.edges:
        attrs = {
            "label": _label(edge.label),
            "tooltip": _label(f"{edge.provider} → {edge.receiver}"),
        }
        if edge.in_loop:
            attrs.update(color="#ef6c00", fontcolor="#ef6c00")
        if edge.elided or edge.feedback:
            attrs["style"] = "dashed"
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
