"""Mermaid flowcharts of a :class:`~icmap.analysis.picture.Picture`, ready for GitHub markdown.

Node ids are synthetic (``n0``, …); names appear only inside quoted labels, with every
character that Mermaid could read as syntax written as an entity code (``#quot;``, ``#lt;``):
a backslash escapes nothing in Mermaid.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from icmap.model import format_share
from icmap.render.picture import styles

if TYPE_CHECKING:
    from icmap.analysis.picture import Legend, Picture, PictureEdge, PictureNode

_ENTITIES = {
    "#": "#35;",
    '"': "#quot;",
    "&": "#amp;",
    "<": "#lt;",
    ">": "#gt;",
    "`": "#96;",
    "%": "#37;",
    "|": "#124;",
    ";": "#59;",
    "\\": "#92;",
}
_TABLE = str.maketrans(_ENTITIES)

_NODE = styles.NODE_COLOURS
_ROLE = styles.ROLE_FILLS
_CLASSES = {
    "customer": f"fill:{_NODE['customer'][0]},stroke:{_NODE['customer'][1]},stroke-width:2px",
    "supplier": f"fill:{_NODE['supplier'][0]},stroke:{_NODE['supplier'][1]}",
    "team": f"fill:{_NODE['team'][0]},stroke:{_NODE['team'][1]}",
    "frontline": "fill:{},stroke:{},stroke-width:2px".format(*styles.FRONT_LINE_COLOURS),
    # Mermaid draws a role's border in a colour of its own: its boxes have no other mark.
    "failed": f"fill:{_ROLE['failed']},stroke:{styles.FAILED_BORDER},stroke-width:3px",
    "downstream": f"fill:{_ROLE['downstream']},stroke:#ef6c00",
    "stranded": f"fill:{_ROLE['stranded']},stroke:#616161,stroke-dasharray:4",
    "upstream": f"fill:{_ROLE['upstream']},stroke:#1565c0",
    "focus": f"fill:{_ROLE['focus']},stroke:#f9a825,stroke-width:3px",
}
#: Team Topologies team types (the colours of
#: :data:`icmap.render.picture.styles.TYPE_COLOURS`), only when used.
TYPE_CLASSES = {
    team_type: (
        team_type.replace("-", ""),
        f"fill:{fill},stroke:{border},stroke-width:2px",
    )
    for team_type, (fill, border) in styles.TYPE_COLOURS.items()
}
#: Link styles of interaction modes and marked states (x-as-a-service is the plain arrow).
MODE_STYLES = {
    "collaboration": f"stroke:{styles.MODE_LINES['collaboration']},stroke-width:6px",
    "facilitating": f"stroke:{styles.MODE_LINES['facilitating']},stroke-width:2px",
}
_BLOCKING = styles.STATE_LINES["blocking"]
STATE_STYLES = {
    "blocking": f"stroke:{_BLOCKING},stroke-width:3px,color:{_BLOCKING}",
    # Darker text than the line: amber text on white is hard to read.
    "slowing": f"stroke:{styles.STATE_LINES['slowing']},stroke-width:3px,color:#b38600",
}
#: The legend's words for modes and states: plain boxes.
LEGEND_NOTE = "fill:#ffffff,stroke:#cfd8dc"
#: The legend's line for each mode and state.
LEGEND_WORDS = {
    "x-as-a-service": "x-as-a-service: plain arrow",
    "collaboration": "collaboration: thick band",
    "facilitating": "facilitating: dotted arrow",
    "slowing": "SLOWING dependency: amber",
    "blocking": "BLOCKING dependency: red",
}


def escape(text: str) -> str:
    """Label text with Mermaid syntax characters as entity codes and line breaks as ``<br/>``.

    >>> escape('say "hi" <b> & end%%')
    'say #quot;hi#quot; #lt;b#gt; #amp; end#37;#37;'
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br/>".join(line.translate(_TABLE) for line in lines)


def _shape(node: PictureNode, node_id: str) -> str:
    # A node of the group overview stands for many: its label says what, with no id.
    named = node.label == node.id or node.teams is not None
    label = escape(node.label if named else f"{node.label}\n({node.id})")
    if node.kind == "customer":
        return f'{node_id}(["{label}"])'
    if node.kind == "supplier":
        return f'{node_id}[/"{label}"/]'
    if node.kind == "team" and node.type == "complicated-subsystem":
        return f'{node_id}{{{{"{label}"}}}}'
    return f'{node_id}["{label}"]'


def _class(node: PictureNode) -> str:
    if node.role is not None:
        return node.role
    if node.kind == "team" and node.type in TYPE_CLASSES:
        return TYPE_CLASSES[node.type][0]
    if node.kind == "team" and node.front_line:
        return "frontline"
    return node.kind


def _link_style(edge: PictureEdge) -> str:
    """The link's style: its mode's, with its state's colour over it ("" when plain)."""
    parts: dict[str, str] = {}
    for style in (MODE_STYLES.get(edge.mode or ""), STATE_STYLES.get(edge.state or "")):
        for item in (style or "").split(","):
            if item:
                key, value = item.split(":", 1)
                parts[key] = value
    if edge.mode == "collaboration":
        parts["stroke-width"] = "6px"
    if edge.measured is not None and not edge.state:
        # As in DOT: as wide as its hand-offs, in its return rate's colour.
        parts["stroke-width"] = f"{edge.measured.width:g}px"
        parts["stroke"] = styles.RETURN_LINES[edge.measured.band]
        parts["color"] = styles.RETURN_TEXT[edge.measured.band]
    if edge.handoffs is not None and edge.handoffs > 1 and "stroke-width" not in parts:
        from icmap.render.picture.dot import overview_width

        # The group overview: as in DOT, the more hand-offs, the thicker the line.
        parts["stroke-width"] = f"{overview_width(edge.handoffs):.1f}px"
    return ",".join(f"{key}:{value}" for key, value in parts.items())


def _arrow(edge: PictureEdge) -> str:
    """Thick for collaboration, dotted for facilitating, feedback and elided edges."""
    if edge.elided or edge.feedback or edge.mode == "facilitating":
        return "-.->"
    return "==>" if edge.mode == "collaboration" else "-->"


def _legend_words(picture: Picture) -> list[str]:
    """The legend's lines in words: each mode and state used, then the measured map's scale."""
    legend = picture.legend
    words = [LEGEND_WORDS[word] for word in (*legend.modes, *legend.states)]
    key = picture.measured
    if key is not None:
        low, high = (format_share(edge) for edge in key.bands)
        widths = ", ".join(f"{n:,}" for n, _ in key.widths)
        words += [
            f"line width: hand-offs ({widths})",
            f"grey: under {low} handed straight back",
            f"amber: {low} to under {high} back",
            f"red: {high} or more back",
            "label: N× hand-offs · median · p85 (time with the provider)",
        ]
    return words


def _legend(picture: Picture, group: int, first: int) -> list[str]:
    """A "Legend" subgraph: a node per team type used, in its shape, and a line per mode and
    state used, and the measured map's scale. Its ids continue the picture's (``g…``,
    ``n…``); its labels are fixed words."""
    lines = [f'  subgraph g{group}["Legend"]', "    direction TB"]
    index = first
    for team_type in picture.legend.types:
        shape = ('{{"', '"}}') if team_type == "complicated-subsystem" else ('["', '"]')
        lines.append(f"    n{index}{shape[0]}{team_type}{shape[1]}")
        index += 1
    for word in _legend_words(picture):
        lines.append(f'    n{index}["{escape(word)}"]')
        index += 1
    return [*lines, "  end"]


def _class_lines(picture: Picture, ids: dict[str, str], legend: Legend) -> list[str]:
    """The ``classDef`` lines (team types only when used) and each class's nodes."""
    lines = [f"  classDef {name} {style}" for name, style in _CLASSES.items()]
    for team_type in legend.types:
        lines.append(f"  classDef {TYPE_CLASSES[team_type][0]} {TYPE_CLASSES[team_type][1]}")
    by_class: dict[str, list[str]] = {}
    for node in picture.nodes:
        by_class.setdefault(_class(node), []).append(ids[node.id])
    for index, team_type in enumerate(legend.types):
        by_class.setdefault(TYPE_CLASSES[team_type][0], []).append(f"n{len(ids) + index}")
    words = len(_legend_words(picture))
    if words:
        lines.append(f"  classDef legendnote {LEGEND_NOTE}")
        first = len(ids) + len(legend.types)
        by_class["legendnote"] = [f"n{first + i}" for i in range(words)]
    lines += [f"  class {','.join(found)} {name}" for name, found in sorted(by_class.items())]
    # The group overview sizes a node by the teams it stands for; a second class adds that.
    sized: dict[str, list[str]] = {}
    for node in picture.nodes:
        if node.teams is not None and _size(node.teams):
            sized.setdefault(_size(node.teams), []).append(ids[node.id])
    for name, found in sorted(sized.items()):
        lines += [f"  classDef {name} {SIZE_CLASSES[name]}", f"  class {','.join(found)} {name}"]
    return lines


#: Font sizes of the group overview's nodes by how many teams each stands for.
SIZE_CLASSES = {"teams10": "font-size:16px", "teams50": "font-size:20px"}


def _size(teams: int) -> str:
    """The size class of an overview node standing for ``teams`` teams ("" for under 10)."""
    return "teams50" if teams >= 50 else "teams10" if teams >= 10 else ""


def _title(picture: Picture) -> str:
    """The picture's title; a value stream's says its numbers after it."""
    if picture.stream is None:
        return picture.title
    from icmap.render.picture.stream_words import summary

    return f"{picture.title}: {summary(picture.stream)}"


def render(picture: Picture) -> str:
    """The Mermaid source, starting with a title block and ``flowchart LR``."""
    ids = {node.id: f"n{index}" for index, node in enumerate(picture.nodes)}
    lines = ["---", f'title: "{escape(_title(picture))}"', "---", "flowchart LR"]
    groups: dict[str, list[PictureNode]] = {}
    for node in picture.nodes:
        if node.kind == "team" and node.group:
            groups.setdefault(node.group, []).append(node)
        else:
            lines.append(f"  {_shape(node, ids[node.id])}")
    for index, (group, members) in enumerate(sorted(groups.items())):
        lines.append(f'  subgraph g{index}["{escape(group)}"]')
        lines += [f"    {_shape(node, ids[node.id])}" for node in members]
        lines.append("  end")
    legend = picture.legend
    if legend or picture.measured is not None:
        lines += _legend(picture, len(groups), len(ids))
    entries = len(legend.types) + len(_legend_words(picture))
    loop_links: list[int] = []
    styled: dict[str, list[int]] = {}
    for index, edge in enumerate(picture.edges):
        arrow = _arrow(edge)
        style = _link_style(edge)
        if style:
            styled.setdefault(style, []).append(index)
        source, target = ids[edge.provider], ids[edge.receiver]
        if edge.label:
            lines.append(f'  {source} {arrow}|"{escape(edge.label)}"| {target}')
        else:
            lines.append(f"  {source} {arrow} {target}")
        if edge.in_loop and edge.measured is None:  # a measured line has its return colour
            loop_links.append(index)
    # Invisible links stack the legend's entries in a column; after the picture's own links,
    # so linkStyle's numbers stay the same.
    legend_ids = [f"n{len(ids) + i}" for i in range(entries)]
    lines += [f"  {a} ~~~ {b}" for a, b in itertools.pairwise(legend_ids)]
    lines += _class_lines(picture, ids, legend)
    if loop_links:
        loop = styles.LOOP_LINE
        lines.append(f"  linkStyle {','.join(map(str, loop_links))} stroke:{loop},color:{loop}")
    for style, links in styled.items():
        # After the loops' orange: a state's colour is the one that must be seen.
        lines.append(f"  linkStyle {','.join(map(str, links))} {style}")
    lines += _critical_lines(picture, ids)
    return "\n".join(lines) + "\n"


#: A value stream's critical path: its hand-offs and the borders of its teams.
CRITICAL_LINK = f"stroke:{styles.CRITICAL_LINE},stroke-width:3px,color:{styles.CRITICAL_LINE}"
CRITICAL_NODE = f"stroke:{styles.CRITICAL_LINE},stroke-width:3px"


def _critical_lines(picture: Picture, ids: dict[str, str]) -> list[str]:
    """Last, so the critical path's colour wins over a loop's or a state's."""
    links = [str(i) for i, edge in enumerate(picture.edges) if edge.critical]
    lines = [f"  linkStyle {','.join(links)} {CRITICAL_LINK}"] if links else []
    lines += [f"  style {ids[n.id]} {CRITICAL_NODE}" for n in picture.nodes if n.critical]
    return lines
