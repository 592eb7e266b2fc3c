"""Mermaid flowcharts of a :class:`~icmap.analysis.picture.Picture`, ready for GitHub markdown.

Node ids are synthetic (``n0``, …); names appear only inside quoted labels, with every
character that Mermaid could read as syntax written as an entity code (``#quot;``, ``#lt;``):
a backslash escapes nothing in Mermaid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from icmap.analysis.picture import Picture, PictureNode

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

_CLASSES = {
    "customer": "fill:#d9f2d9,stroke:#2e7d32,stroke-width:2px",
    "supplier": "fill:#f3e5f5,stroke:#7b1fa2",
    "team": "fill:#ffffff,stroke:#455a64",
    "frontline": "fill:#e3f2fd,stroke:#1565c0,stroke-width:2px",
    "failed": "fill:#ef9a9a,stroke:#c62828,stroke-width:3px",
    "downstream": "fill:#ffe0b2,stroke:#ef6c00",
    "stranded": "fill:#e0e0e0,stroke:#616161,stroke-dasharray:4",
    "upstream": "fill:#e3f2fd,stroke:#1565c0",
    "focus": "fill:#fff59d,stroke:#f9a825,stroke-width:3px",
}


def escape(text: str) -> str:
    """Label text with Mermaid syntax characters as entity codes and line breaks as ``<br/>``.

    >>> escape('say "hi" <b> & end%%')
    'say #quot;hi#quot; #lt;b#gt; #amp; end#37;#37;'
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br/>".join(line.translate(_TABLE) for line in lines)


def _shape(node: PictureNode, node_id: str) -> str:
    label = escape(node.label if node.label == node.id else f"{node.label}\n({node.id})")
    if node.kind == "customer":
        return f'{node_id}(["{label}"])'
    if node.kind == "supplier":
        return f'{node_id}[/"{label}"/]'
    return f'{node_id}["{label}"]'


def _class(node: PictureNode) -> str:
    if node.role is not None:
        return node.role
    if node.kind == "team" and node.front_line:
        return "frontline"
    return node.kind


def render(picture: Picture) -> str:
    """The Mermaid source, starting with a title block and ``flowchart LR``."""
    ids = {node.id: f"n{index}" for index, node in enumerate(picture.nodes)}
    lines = ["---", f'title: "{escape(picture.title)}"', "---", "flowchart LR"]
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
    loop_links: list[int] = []
    for index, edge in enumerate(picture.edges):
        arrow = "-.->" if edge.elided or edge.feedback else "-->"
        source, target = ids[edge.provider], ids[edge.receiver]
        if edge.label:
            lines.append(f'  {source} {arrow}|"{escape(edge.label)}"| {target}')
        else:
            lines.append(f"  {source} {arrow} {target}")
        if edge.in_loop:
            loop_links.append(index)
    for name, style in _CLASSES.items():
        lines.append(f"  classDef {name} {style}")
    by_class: dict[str, list[str]] = {}
    for node in picture.nodes:
        by_class.setdefault(_class(node), []).append(ids[node.id])
    for name, node_ids in sorted(by_class.items()):
        lines.append(f"  class {','.join(node_ids)} {name}")
    if loop_links:
        lines.append(f"  linkStyle {','.join(map(str, loop_links))} stroke:#ef6c00,color:#ef6c00")
    return "\n".join(lines) + "\n"
