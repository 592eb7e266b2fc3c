"""DOT (Graphviz) for a :class:`~icmap.analysis.picture.Picture`; the only importer of graphviz.

Node ids in the DOT are synthetic (``n0``, ``n1``, …); real names appear only in quoted,
escaped labels, so no team name can break the file or smuggle in an HTML label.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, cast

from icmap.model import format_share
from icmap.render.picture import styles

if TYPE_CHECKING:
    import graphviz

    from icmap.analysis.picture import Picture, PictureEdge, PictureNode


def _colours(colours: tuple[str, str]) -> dict[str, str]:
    """A (fill, border) pair of :mod:`icmap.render.picture.styles` as Graphviz attributes."""
    return {"fillcolor": colours[0], "color": colours[1]}


_KIND_ATTRS = {
    "customer": {
        "shape": "doubleoctagon",
        "style": "filled",
        **_colours(styles.NODE_COLOURS["customer"]),
    },
    "supplier": {"shape": "cds", "style": "filled", **_colours(styles.NODE_COLOURS["supplier"])},
    "team": {"shape": "box", "style": "rounded,filled", **_colours(styles.NODE_COLOURS["team"])},
}
_ROLE_FILL = dict(styles.ROLE_FILLS)
_FRONT_LINE = {
    "fillcolor": styles.FRONT_LINE_COLOURS[0],
    "penwidth": "2",
    "color": styles.FRONT_LINE_COLOURS[1],
}
#: Team Topologies' shape key: stream-aligned a wide yellow box, platform a wide blue box,
#: enabling a narrow, tall purple box, complicated-subsystem an orange octagon.
TYPE_ATTRS = {
    "stream-aligned": {
        "shape": "box",
        "style": "rounded,filled",
        **_colours(styles.TYPE_COLOURS["stream-aligned"]),
        "width": "2.2",
    },
    "platform": {
        "shape": "box",
        "style": "filled",
        **_colours(styles.TYPE_COLOURS["platform"]),
        "width": "2.2",
    },
    "enabling": {
        "shape": "box",
        "style": "rounded,filled",
        **_colours(styles.TYPE_COLOURS["enabling"]),
        "width": "0.9",
        "height": "1.1",
    },
    "complicated-subsystem": {
        "shape": "octagon",
        "style": "filled",
        **_colours(styles.TYPE_COLOURS["complicated-subsystem"]),
    },
}
#: Interaction modes: collaboration a thick band, facilitating dotted, x-as-a-service plain.
MODE_ATTRS = {
    # Translucent (cc), so the band does not hide the lines it crosses.
    "collaboration": {
        "penwidth": "6",
        "color": styles.MODE_LINES["collaboration"] + "cc",
        "arrowsize": "0.5",
    },
    "facilitating": {
        "style": "dotted",
        "penwidth": "2",
        "color": styles.MODE_LINES["facilitating"],
    },
    "x-as-a-service": {},
}
#: Dependency states the picture marks (ok is not marked): the label also says the word.
STATE_COLORS = dict(styles.STATE_LINES)


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


def _node_attrs(node: PictureNode, dot_id: str) -> dict[str, str]:
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
            attrs.update(penwidth="3", color=styles.FAILED_BORDER)
        if node.role == "stranded":
            attrs["style"] += ",dashed"
    if node.critical:  # on a value stream's critical path: its colour, a thick border
        attrs.update(penwidth="3", color=styles.CRITICAL_LINE)
    text = node.label if node.label == node.id else f"{node.label}\n({node.id})"
    if node.teams is not None:  # the group overview: the label says it all; size by teams
        text, size = node.label, min(node.teams, 400) ** 0.5
        attrs.update(fontsize=f"{10 + 1.2 * size:.0f}", margin=f"{0.08 + 0.02 * size:.2f}")
    attrs["label"] = _label(text)
    attrs["tooltip"] = _label(node.id)
    attrs["class"] = node_classes(node)
    # The SVG element's id: the HTML page finds each node by it to mark it with its team id.
    attrs["id"] = f"icmap-{dot_id}"
    return attrs


def node_classes(node: PictureNode) -> str:
    """The classes a node carries in SVG (Graphviz's ``class``): what the HTML page styles."""
    classes = [f"kind-{node.kind}"]
    if node.front_line and node.kind == "team":
        classes.append("front-line")
    if node.kind == "team" and node.type in TYPE_ATTRS:
        classes.append(f"type-{node.type}")
    if node.role is not None:
        classes.append(f"role-{node.role}")
    if node.critical:
        classes.append("critical")
    return " ".join(classes)


def edge_classes(edge: PictureEdge) -> str:
    """The classes a hand-off carries in SVG, as :func:`node_classes` for nodes."""
    classes = ["handoff"]
    classes += [word for word, on in (("loop", edge.in_loop), ("elided", edge.elided)) if on]
    if edge.feedback:
        classes.append("feedback")
    if edge.mode in MODE_ATTRS:
        classes.append(f"mode-{edge.mode}")
    if edge.state in STATE_COLORS:
        classes.append(f"state-{edge.state}")
    if edge.critical:
        classes.append("critical")
    return " ".join(classes)


def _add_nodes(
    dot: graphviz.Digraph, picture: Picture, ids: dict[str, str], labels_in: dict[int, str]
) -> None:
    """Teams clustered by group; suppliers ranked first and customers last. A hand-off's label
    between two teams of one group is drawn in that group's cluster (``labels_in``)."""
    groups: dict[str, list[PictureNode]] = {}
    for node in picture.nodes:
        if node.kind == "team" and node.group:
            groups.setdefault(node.group, []).append(node)
        elif node.kind == "team":
            dot.node(ids[node.id], **_node_attrs(node, ids[node.id]))
    for index, (group, members) in enumerate(sorted(groups.items())):
        with dot.subgraph(name=f"cluster_{index}") as cluster:
            cluster.attr(
                label=_label(group),
                style="rounded,dashed",
                color=styles.GROUP_COLOURS[0],
                fontcolor=styles.GROUP_COLOURS[1],
                labeljust="l",
                margin="16",
                id=f"icmap-g{index}",
                **{"class": "group"},
            )
            for node in members:
                cluster.node(ids[node.id], **_node_attrs(node, ids[node.id]))
            for edge_index in (i for i, g in labels_in.items() if g == group):
                cluster.node(f"l{edge_index}", **label_attrs(picture.edges[edge_index], edge_index))
    for kind, rank in (("supplier", "source"), ("customer", "sink")):
        members = [n for n in picture.nodes if n.kind == kind]
        if members:
            with dot.subgraph(name=f"{kind}s") as same:
                same.attr(rank=rank)
                for node in members:
                    same.node(ids[node.id], **_node_attrs(node, ids[node.id]))


def edge_attrs(edge: PictureEdge) -> dict[str, str]:
    """How a hand-off is drawn: its mode, a loop in orange, feedback dashed, its state's colour."""
    attrs = dict(MODE_ATTRS.get(edge.mode or "", {}))
    if edge.in_loop:
        attrs.update(color=styles.LOOP_LINE, fontcolor=styles.LOOP_LINE)
    if edge.elided or edge.feedback:
        attrs["style"] = "dashed"
    if edge.measured is not None:  # as wide as its hand-offs, in its return rate's colour
        attrs.update(measured_attrs(edge.measured.width, edge.measured.band))
    if edge.state in STATE_COLORS:
        colour = STATE_COLORS[edge.state]
        band = edge.mode == "collaboration"
        attrs.update(color=colour + ("cc" if band else ""), fontcolor=colour)
        if not band:
            attrs["penwidth"] = "2.5"
    if edge.handoffs is not None:  # the group overview: the more hand-offs, the thicker
        attrs.setdefault("penwidth", f"{overview_width(edge.handoffs):.1f}")
    if edge.critical:  # a step of a value stream's critical path: its colour wins
        attrs.update(CRITICAL_ATTRS)
    return attrs


def measured_attrs(width: float, band: int) -> dict[str, str]:
    """A measured hand-off's line: ``width`` points wide, in return-rate ``band``'s colour,
    its arrowhead kept small on a wide line."""
    attrs = {
        "penwidth": f"{width:g}",
        "color": styles.RETURN_LINES[band],
        "fontcolor": styles.RETURN_TEXT[band],
    }
    if width >= 3:
        attrs["arrowsize"] = f"{max(0.45, 1.4 / width**0.5):.2f}"
    return attrs


def measured_entries(picture: Picture) -> list[tuple[dict[str, str], str]]:
    """The measured map's legend: a line of each sample width, one of each return-rate
    colour, and how to read a label; empty when the picture has no measured hand-off."""
    key = picture.measured
    if key is None:
        return []
    entries = [
        (measured_attrs(width, 0), f"width: {count:,} hand-off{'' if count == 1 else 's'}")
        for count, width in key.widths
    ]
    low, high = (format_share(edge) for edge in key.bands)
    entries += [
        (measured_attrs(2, 0), f"colour: under {low} handed straight back"),
        (measured_attrs(2, 1), f"colour: {low} to under {high} back"),
        (measured_attrs(2, 2), f"colour: {high} or more back"),
    ]
    return entries


#: How a measured hand-off's label reads, under the legend's samples.
MEASURED_LABEL_WORDS = "label: N× hand-offs · median · p85 (time with the provider)"


#: A step of a value stream's critical path (``icmap graph --stream``).
CRITICAL_ATTRS = {
    "color": styles.CRITICAL_LINE,
    "fontcolor": styles.CRITICAL_LINE,
    "penwidth": "3",
}


def overview_width(handoffs: int) -> float:
    """A group overview edge's line width: 1 for one hand-off, growing with the square root."""
    return min(1 + math.sqrt(handoffs - 1) / 2, 6.0)


def label_classes(edge: PictureEdge) -> str:
    """The classes of a hand-off's label: its line's (:func:`edge_classes`), ``handoff-label``
    for ``handoff``."""
    return "handoff-label" + edge_classes(edge).removeprefix("handoff")


def label_attrs(edge: PictureEdge, index: int) -> dict[str, str]:
    """A hand-off's label, drawn as a node of its own in the middle of the hand-off: text only
    (``shape=plain``), in the colour of its line's text."""
    attrs = {
        "label": _label(edge.label),
        # plaintext sized to its text (width and height 0), a hair of margin so the line
        # stops just short of the words
        "shape": "plaintext",
        "width": "0",
        "height": "0",
        "margin": "0.04,0.02",
        "fontsize": "11",
        "tooltip": _label(f"{edge.provider} → {edge.receiver}"),
        "id": f"icmap-e{index}-label",
        "class": label_classes(edge),
    }
    if "fontcolor" in (line := edge_attrs(edge)):
        attrs["fontcolor"] = line["fontcolor"]
    return attrs


def _label_clusters(picture: Picture) -> dict[int, str]:
    """The hand-offs between two teams of one group, by index, with the group: their labels
    are drawn in the group's cluster, so the hand-off never leaves it."""
    group = {n.id: n.group for n in picture.nodes if n.kind == "team" and n.group}
    return {
        index: group[edge.provider]
        for index, edge in enumerate(picture.edges)
        if edge.provider in group and group[edge.provider] == group.get(edge.receiver)
    }


def _add_line(dot: graphviz.Digraph, edge: PictureEdge, index: int, ids: dict[str, str]) -> None:
    """A hand-off as one line and no label, for a picture too large to lay out its labels as
    nodes (:func:`build` with ``labels=False``): what flows is in its tooltip. Its SVG id is
    ``icmap-eN-to``, the part that reaches the receiver, as the line of a labelled hand-off."""
    attrs = {
        "tooltip": _label(f"{edge.provider} → {edge.receiver}: {edge.label}"),
        "class": edge_classes(edge),
        **{k: v for k, v in edge_attrs(edge).items() if k != "fontcolor"},
        "id": f"icmap-e{index}-to",
    }
    provider, receiver = ids[edge.provider], ids[edge.receiver]
    if edge.backward:  # as _add_hand_off: laid out from the receiver, the arrowhead at it
        dot.edge(receiver, provider, dir="back", **attrs)
    elif edge.feedback:
        dot.edge(provider, receiver, constraint="false", **attrs)
    else:
        dot.edge(provider, receiver, **attrs)


def _add_hand_off(
    dot: graphviz.Digraph,
    edge: PictureEdge,
    index: int,
    ids: dict[str, str],
    group: str | None,
) -> None:
    """A hand-off as two halves with its label between them as a node (``l0``, ``l1``, …):
    ``dot`` never draws two nodes on top of each other, so no two labels overlap, and each
    label sits on its line. Both halves carry the hand-off's class, tooltip and style; the
    arrowhead is on the receiver's half only. Their SVG ids are ``icmap-eN-from`` (leaving
    the provider), ``icmap-eN-to`` (reaching the receiver) and ``icmap-eN-label``."""
    label = f"l{index}"
    if group is None:
        dot.node(label, **label_attrs(edge, index))
    line = {k: v for k, v in edge_attrs(edge).items() if k != "fontcolor"}  # no text on it
    attrs = {
        "tooltip": _label(f"{edge.provider} → {edge.receiver}"),
        "class": edge_classes(edge),
        **line,
    }
    provider, receiver = ids[edge.provider], ids[edge.receiver]
    leaving = {**attrs, "id": f"icmap-e{index}-from"}
    reaching = {**attrs, "id": f"icmap-e{index}-to"}
    if edge.backward:
        # Laid out as receiver -> label -> provider with the arrowhead at the receiver, so work
        # flowing back (feedback, usually) does not drag the layout away from the customer.
        # For feedback this crosses less than constraint=false (docs/pictures.md).
        dot.edge(receiver, label, dir="back", **reaching)
        dot.edge(label, provider, dir="none", **leaving)
    elif edge.feedback:
        # Feedback flowing toward the customer: its receiver's half is left out of the
        # ranking, so it cannot pull its receiver after its provider.
        dot.edge(provider, label, dir="none", **leaving)
        dot.edge(label, receiver, constraint="false", **reaching)
    else:
        dot.edge(provider, label, dir="none", **leaving)
        dot.edge(label, receiver, **reaching)


#: What each mode's line looks like, in the legend's words.
MODE_WORDS = {
    "collaboration": "thick band",
    "facilitating": "dotted",
    "x-as-a-service": "plain arrow",
}
#: Team types in the legend's words, with the shape (the swatch shows only the colours).
TYPE_WORDS = {
    "stream-aligned": "stream-aligned (wide)",
    "platform": "platform (wide, square)",
    "enabling": "enabling (narrow, upright)",
    "complicated-subsystem": "complicated-subsystem (octagon)",
}
#: What each node kind and role looks like, in the legend's words.
KEY_NODE_WORDS = {
    "team": "team",
    "front-line": "front-line team (serves a customer)",
    "group": "group of teams (larger: more teams)",
    "front-line-group": "group with a front-line team",
    "customer": "external customer (octagon)",
    "supplier": "outside supplier (tag)",
}
ROLE_WORDS = {
    "focus": "in focus",
    "failed": "failed",
    "downstream": "downstream: hit by the failure",
    "stranded": "stranded: no other way to a customer",
    "upstream": "upstream: feeds the failed team",
}
#: What each line style means, in the legend's words.
LINE_WORDS = {
    "handoff": "hand-off (what flows, lead time)",
    "handoffs": "counted hand-offs (thicker: more)",
    "critical": "the stream's critical path (and its teams)",
    "loop": "hand-off in a loop of mutual service",
    "feedback": "feedback hand-off (dashed)",
    "elided": "through teams left out (dashed, …)",
}


def key_node_attrs(entry: str) -> dict[str, str]:
    """How the legend draws a node kind (``front-line`` for a front-line team)."""
    if entry in ("front-line", "front-line-group"):
        return {**_KIND_ATTRS["team"], **_FRONT_LINE}
    return dict(_KIND_ATTRS["team" if entry == "group" else entry])


def role_attrs(role: str) -> dict[str, str]:
    """How the legend draws a role: a team's box in the role's colours."""
    attrs = {**_KIND_ATTRS["team"], "fillcolor": _ROLE_FILL[role]}
    if role == "failed":
        attrs.update(penwidth="3", color=styles.FAILED_BORDER)
    if role == "stranded":
        attrs["style"] += ",dashed"
    return attrs


def line_attrs(entry: str) -> dict[str, str]:
    """How the legend draws a line style (the same as :func:`edge_attrs` gives an edge)."""
    if entry == "loop":
        return {"color": styles.LOOP_LINE}
    if entry in ("feedback", "elided"):
        return {"style": "dashed"}
    if entry == "handoffs":
        return {"penwidth": f"{overview_width(9):.1f}"}
    if entry == "critical":
        return dict(CRITICAL_ATTRS)
    return {}


#: How a line style reads in the legend's table: a run of box-drawing strokes and a head.
_GLYPHS = {"solid": "────▶", "dashed": "╌╌╌╌▶", "dotted": "┈┈┈┈▶", "band": "━━━━▶"}


def _swatch(attrs: dict[str, str]) -> str:
    """A legend cell in a node's colours (the words beside it say the shape)."""
    style = attrs.get("style", "")
    border = "dashed" if "dashed" in style else "rounded" if "rounded" in style else "solid"
    fill = attrs.get("fillcolor", "#ffffff") if "filled" in style else "#ffffff"
    width = "2" if float(attrs.get("penwidth", "1")) >= 2 else "1"
    return (
        f'<TD BGCOLOR="{fill}" COLOR="{attrs.get("color", "#455a64")[:7]}" BORDER="{width}" '
        f'STYLE="{border}" FIXEDSIZE="TRUE" WIDTH="36" HEIGHT="16"></TD>'
    )


def _stroke(attrs: dict[str, str]) -> str:
    """A legend cell drawing a line style in its colour."""
    style = attrs.get("style", "solid")
    glyph = "band" if float(attrs.get("penwidth", "1")) >= 5 else style
    colour = attrs.get("color", styles.HANDOFF_LINE)[:7]
    return f'<TD><FONT COLOR="{colour}">{_GLYPHS.get(glyph, _GLYPHS["solid"])}</FONT></TD>'


def _bar(attrs: dict[str, str]) -> str:
    """A legend cell drawing a measured line: a bar as thick as the line, in its colour."""
    height = max(1, round(float(attrs["penwidth"])))
    return (
        f'<TD FIXEDSIZE="TRUE" WIDTH="36" HEIGHT="{height}" CELLPADDING="0" '
        f'BGCOLOR="{attrs["color"]}"></TD>'
    )


def legend_label(picture: Picture) -> str | None:
    """The legend as a Graphviz HTML-like table: a sample and the words for every node kind,
    role, team type and line style the picture draws; ``None`` when it draws none of them.

    Every word in it is fixed by icmap: no name from the org ever reaches an HTML-like label.
    """
    key, legend = picture.key, picture.legend
    entries = [(_swatch(key_node_attrs(k)), KEY_NODE_WORDS[k]) for k in key.nodes]
    entries += [(_swatch(role_attrs(r)), ROLE_WORDS[r]) for r in key.roles]
    entries += [(_swatch(TYPE_ATTRS[t]), TYPE_WORDS[t]) for t in legend.types]
    entries += [(_stroke(line_attrs(k)), LINE_WORDS[k]) for k in key.lines]
    entries += [(_stroke(MODE_ATTRS[m]), f"{m} ({MODE_WORDS[m]})") for m in legend.modes]
    entries += [
        (_stroke({"color": STATE_COLORS[s]}), f"{s.upper()} dependency") for s in legend.states
    ]
    measured = [(_bar(attrs), words) for attrs, words in measured_entries(picture)]
    if measured:
        entries += [*measured, ("<TD></TD>", MEASURED_LABEL_WORDS)]
    if not entries:
        return None
    # Two columns from seven entries: the legend stays short beside a wide picture.
    columns = 2 if len(entries) > 6 else 1
    rows = []
    for start in range(0, len(entries), columns):
        cells = "".join(
            f'{sample}<TD ALIGN="LEFT">{words}</TD>'
            for sample, words in entries[start : start + columns]
        )
        rows.append(f"<TR>{cells}</TR>")
    title = (
        f'<TR><TD COLSPAN="{2 * columns}" ALIGN="LEFT">'
        '<FONT COLOR="#455a64">Legend</FONT></TD></TR>'
    )
    return (
        '<<TABLE BORDER="1" COLOR="#90a4ae" CELLBORDER="0" CELLSPACING="4" CELLPADDING="2" '
        f'STYLE="rounded">{title}{"".join(rows)}</TABLE>>'
    )


def build(picture: Picture, *, legend: bool = True, labels: bool = True) -> graphviz.Digraph:
    """The Graphviz graph: work flows left to right, suppliers first, customers last.

    ``legend=False`` leaves the legend out (the HTML page draws its own, beside the picture).
    ``labels=False`` draws each hand-off as one line, its label in its tooltip only, and tells
    ``dot`` to search less for fewer crossings (:data:`UNLABELLED_LAYOUT`): the HTML page of a
    large picture, which the browser could not otherwise lay out in reasonable time.
    Nodes, edges and clusters carry ``id`` and ``class`` attributes, which Graphviz copies to
    its SVG: the HTML page finds them by those.
    """
    import graphviz

    ids = {node.id: f"n{index}" for index, node in enumerate(picture.nodes)}
    dot = graphviz.Digraph("icmap")
    title = picture.title
    if picture.stream is not None:
        from icmap.render.picture.stream_words import summary

        title = f"{title}\n{summary(picture.stream)}"
    dot.attr(rankdir="LR", fontname="Helvetica", newrank="true", label=_label(title))
    dot.attr(labelloc="t", fontsize="16", **(LAYOUT if labels else UNLABELLED_LAYOUT))
    dot.attr("node", fontname="Helvetica", fontsize="12")
    dot.attr("edge", fontname="Helvetica", fontsize="11", color=styles.HANDOFF_LINE)
    labels_in = _label_clusters(picture) if labels else {}
    _add_nodes(dot, picture, ids, labels_in)
    table = legend_label(picture) if legend else None
    if table is not None:
        # With the customers, in the last rank: the picture's far right, under them.
        with dot.subgraph(name="legend_rank") as corner:
            corner.attr(rank="sink")
            corner.node("legend", label=table, shape="plain", fontsize="11", id="icmap-legend")
    for index, edge in enumerate(picture.edges):
        if labels:
            _add_hand_off(dot, edge, index, ids, labels_in.get(index))
        else:
            _add_line(dot, edge, index, ids)
    return dot


#: Spacing, measured on examples/northwind (docs/pictures.md says how); ranksep is half the
#: 0.8 measured with edge labels, as dot halves it for them, since every hand-off spans two ranks.
#: ``nslimit`` bounds dot's placing of nodes across ranks to 3 passes of network simplex per
#: node: left unbounded it never finished on a chain of 100 teams that each also serve the
#: customer (hours; 3 s bounded), and every example and benchmark picture needs fewer.
LAYOUT = {"nodesep": "0.4", "ranksep": "0.4", "nslimit": "3"}
#: Without label nodes, ranks are a hand-off apart, not half of one; and a tenth of ``dot``'s
#: crossing minimisation, which on a 1,000-team org's 3,989 hand-offs gives the same crossings
#: within 0.01 % in half the time (docs/performance.md).
UNLABELLED_LAYOUT = {**LAYOUT, "ranksep": "0.8", "mclimit": "0.1"}


def render(picture: Picture, *, legend: bool = True, labels: bool = True) -> str:
    """The DOT source text (``labels``: as :func:`build`)."""
    return str(build(picture, legend=legend, labels=labels).source)
