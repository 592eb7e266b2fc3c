"""A self-contained HTML page of a Picture: inline SVG, pan and zoom, click a team for details.

Nothing is fetched: the CSS, the drawing and the ~60 lines of script are all in the file, and
no JavaScript library is embedded. Every name is escaped for HTML, and the data the script
reads is JSON with ``<``, ``>`` and ``&`` written as ``\\u`` escapes, so no name can close the
script element or inject markup. The script puts names on the page with ``textContent`` only.
"""

from __future__ import annotations

import html
import json
import math
from typing import TYPE_CHECKING, Any

from icmap.analysis.picture import MARKED_STATES
from icmap.model import format_hours
from icmap.topologies import MODES, TEAM_TYPES

if TYPE_CHECKING:
    from icmap.analysis.picture import Legend, Picture, PictureEdge
    from icmap.layout import Layout

NODE_WIDTH = 180.0
NODE_HEIGHT = 40.0
_MAX_LABEL = 26

_STYLE = """
body{margin:0;font:14px/1.4 system-ui,sans-serif;color:#263238;display:flex;height:100vh}
#canvas{flex:1;overflow:hidden;cursor:grab;background:#fafafa}
#canvas:active{cursor:grabbing}
aside{width:320px;padding:16px;border-left:1px solid #cfd8dc;overflow:auto;background:#fff}
h1{font-size:17px;margin:0 0 4px}h2{font-size:14px;margin:16px 0 4px}
ul{padding-left:18px;margin:4px 0}.muted{color:#78909c}
button{margin:8px 4px 0 0}
.node{cursor:pointer}.node text{font-size:12px;pointer-events:none}
.node rect,.node polygon{stroke-width:1.5}
.kind-team rect{fill:#fff;stroke:#455a64}
.front-line rect{fill:#e3f2fd;stroke:#1565c0;stroke-width:2.5}
.kind-customer rect{fill:#d9f2d9;stroke:#2e7d32;stroke-width:2.5}
.kind-supplier polygon{fill:#f3e5f5;stroke:#7b1fa2}
.role-focus rect{fill:#fff59d;stroke:#f9a825;stroke-width:3}
.role-failed rect{fill:#ef9a9a;stroke:#c62828;stroke-width:3}
.role-downstream rect{fill:#ffe0b2}.role-upstream rect{fill:#e3f2fd}
.role-stranded rect{fill:#e0e0e0;stroke-dasharray:4}
.selected rect,.selected polygon{stroke:#d81b60;stroke-width:3}
.edge{fill:none;stroke:#90a4ae;stroke-width:1.4}
.edge.loop{stroke:#ef6c00}.edge.elided,.edge.feedback{stroke-dasharray:6 4}
.edge-label{font-size:10px;fill:#546e7a}
"""
#: Team Topologies, added only to pages that use it: the colours of render/dot.py's shape key.
_TOPOLOGY_STYLE = """
.type-stream-aligned rect{fill:#ffedb3;stroke:#c9a227;stroke-width:2}
.type-platform rect{fill:#cfe2f3;stroke:#3d78b8;stroke-width:2}
.type-enabling rect{fill:#e6dcf5;stroke:#7e57c2;stroke-width:2}
.type-complicated-subsystem polygon{fill:#ffd9b8;stroke:#d9661f;stroke-width:2}
.front-line.type-stream-aligned rect,.front-line.type-platform rect{stroke-width:3}
.edge.mode-collaboration{stroke:#b39ddb;stroke-width:7;opacity:.85}
.edge.mode-facilitating{stroke:#7e57c2;stroke-width:2;stroke-dasharray:2 4}
.edge.state-slowing{stroke:#e0a800;stroke-width:3}.edge.state-blocking{stroke:#c62828;stroke-width:3}
.edge.mode-collaboration.state-slowing,.edge.mode-collaboration.state-blocking{stroke-width:7}
#legend svg{display:block}#legend text{font-size:11px;fill:#263238}
"""
#: How the legend shows each team type (the same classes as the drawing's nodes).
_LEGEND_SHAPES = {
    "stream-aligned": '<rect x="2" y="3" width="60" height="16" rx="4"/>',
    "platform": '<rect x="2" y="3" width="60" height="16"/>',
    "enabling": '<rect x="22" y="0" width="20" height="22" rx="4"/>',
    "complicated-subsystem": '<polygon points="8,3 56,3 62,11 56,19 8,19 2,11"/>',
}
#: An arrowhead that keeps its size on thick edges (the default one grows with the stroke).
_FIXED_ARROW = (
    '<defs><marker id="arrow-fixed" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="10" '
    'markerHeight="10" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
    '<path d="M0,0 L10,5 L0,10 z" fill="#78909c"/></marker></defs>'
)
_LEGEND_WORDS = {
    "x-as-a-service": "x-as-a-service: plain arrow",
    "collaboration": "collaboration: thick band",
    "facilitating": "facilitating: dotted",
    "slowing": "SLOWING dependency",
    "blocking": "BLOCKING dependency",
}

_SCRIPT = """
(function(){
const data=JSON.parse(document.getElementById('icmap-data').textContent);
const svg=document.getElementById('drawing'),view=document.getElementById('viewport');
const panel=document.getElementById('details');
let scale=1,tx=0,ty=0,drag=null;
function apply(){view.setAttribute('transform','translate('+tx+','+ty+') scale('+scale+')');}
function fit(){const r=svg.getBoundingClientRect();
 scale=Math.min(r.width/data.width,r.height/data.height,1.5);
 tx=(r.width-data.width*scale)/2;ty=(r.height-data.height*scale)/2;apply();}
svg.addEventListener('wheel',function(e){e.preventDefault();
 const r=svg.getBoundingClientRect(),f=e.deltaY<0?1.15:1/1.15;
 const mx=e.clientX-r.left,my=e.clientY-r.top;
 tx=mx-(mx-tx)*f;ty=my-(my-ty)*f;scale*=f;apply();},{passive:false});
svg.addEventListener('pointerdown',function(e){drag={x:e.clientX,y:e.clientY,tx:tx,ty:ty};});
window.addEventListener('pointermove',function(e){if(!drag)return;
 tx=drag.tx+e.clientX-drag.x;ty=drag.ty+e.clientY-drag.y;apply();});
window.addEventListener('pointerup',function(){drag=null;});
function item(list,text){const li=document.createElement('li');li.textContent=text;list.appendChild(li);}
function section(title,entries,empty){const h=document.createElement('h2');h.textContent=title;
 const ul=document.createElement('ul');entries.forEach(function(t){item(ul,t);});
 if(!entries.length)item(ul,empty);panel.append(h,ul);}
function show(index){const n=data.nodes[index];panel.replaceChildren();
 document.querySelectorAll('.selected').forEach(function(g){g.classList.remove('selected');});
 document.querySelector('[data-index="'+index+'"]').classList.add('selected');
 const h=document.createElement('h1');h.textContent=n.label;
 const p=document.createElement('p');p.className='muted';
 p.textContent=[n.id,n.type||n.kind,n.group,n.lead&&('lead: '+n.lead)].filter(Boolean).join(' · ');
 panel.append(h,p);
 if(n.description){const d=document.createElement('p');d.textContent=n.description;panel.append(d);}
 section('Provides',n.provides,'nothing in this picture');
 section('Receives',n.receives,'nothing in this picture');}
document.querySelectorAll('.node').forEach(function(g){
 g.addEventListener('click',function(){show(Number(g.dataset.index));});});
document.getElementById('fit').addEventListener('click',fit);
fit();
})();
"""


def _relation_text(edge: PictureEdge, other: str, arrow: str) -> list[str]:
    if not edge.relations:
        return [f"{arrow} {other} (through teams not shown)"]
    texts = []
    for relation in edge.relations:
        details = []
        if relation.lead_time is not None:
            details.append(format_hours(relation.lead_time.hours))
        if relation.satisfaction is not None:
            details.append(f"satisfaction {relation.satisfaction:.1f}")
        if relation.mode:
            details.append(relation.mode)
        if relation.state:
            details.append(relation.state)
        suffix = f" ({', '.join(details)})" if details else ""
        texts.append(f"{relation.what} {arrow} {other}{suffix}")
    return texts


def page_data(picture: Picture, layout: Layout) -> dict[str, Any]:
    """What the script shows when a node is clicked."""
    provided: dict[str, list[str]] = {node.id: [] for node in picture.nodes}
    received: dict[str, list[str]] = {node.id: [] for node in picture.nodes}
    for e in picture.edges:  # one pass over the edges, not one per node
        provided[e.provider].extend(_relation_text(e, e.receiver, "→"))
        received[e.receiver].extend(_relation_text(e, e.provider, "←"))
    nodes = []
    for node in picture.nodes:
        provides, receives = provided[node.id], received[node.id]
        nodes.append(
            {
                "id": node.id,
                "label": node.label,
                "kind": node.kind,
                "group": node.group,
                "lead": node.lead,
                "description": node.description,
                **({"type": node.type} if node.type else {}),
                "provides": provides,
                "receives": receives,
            }
        )
    return {"nodes": nodes, "width": layout.width, "height": layout.height}


def _script_json(data: dict[str, Any]) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1] + "…"


def _edge_path(start: tuple[float, float], end: tuple[float, float]) -> str:
    (x1, y1), (x2, y2) = start, end
    if x2 > x1:  # forward: leave from the right side, arrive on the left
        x1, x2 = x1 + NODE_WIDTH / 2, x2 - NODE_WIDTH / 2
        bend = (x2 - x1) / 2
        return f"M{x1:.1f},{y1:.1f} C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
    # backward or same layer (a loop): arc above the nodes
    y1, y2 = y1 - NODE_HEIGHT / 2, y2 - NODE_HEIGHT / 2
    lift = 40 + abs(x1 - x2) / 4 + math.copysign(0, 1)
    top = min(y1, y2) - lift
    return f"M{x1:.1f},{y1:.1f} C{x1:.1f},{top:.1f} {x2:.1f},{top:.1f} {x2:.1f},{y2:.1f}"


def _node_svg(index: int, picture: Picture, layout: Layout) -> str:
    node = picture.nodes[index]
    x, y = layout.positions[node.id]
    classes = [f"node kind-{node.kind}"]
    if node.front_line and node.kind == "team":
        classes.append("front-line")
    if node.role:
        classes.append(f"role-{node.role}")
    team_type = node.type if node.kind == "team" and node.type in TEAM_TYPES else None
    if team_type:
        classes.append(f"type-{team_type}")
    left, top = x - NODE_WIDTH / 2, y - NODE_HEIGHT / 2
    lines = [_short(node.label)]
    if team_type == "complicated-subsystem":
        right, bottom, cut = left + NODE_WIDTH, top + NODE_HEIGHT, 12
        corners = [
            (left + cut, top),
            (right - cut, top),
            (right, y),
            (right - cut, bottom),
            (left + cut, bottom),
            (left, y),
        ]
        shape = f'<polygon points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in corners)}"/>'
    elif team_type == "enabling":
        # Team Topologies draws enabling teams upright: narrower and taller, two lines.
        width, height = NODE_WIDTH * 0.62, NODE_HEIGHT * 1.5
        shape = (
            f'<rect x="{x - width / 2:.1f}" y="{y - height / 2:.1f}" width="{width:.1f}" '
            f'height="{height:.1f}" rx="6"/>'
        )
        lines = _two_lines(node.label)
    elif team_type == "platform":
        shape = (
            f'<rect x="{left:.1f}" y="{top:.1f}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" '
            'rx="0"/>'
        )
    elif node.kind == "supplier":
        points = f"{left + 12},{top} {left + NODE_WIDTH},{top} {left + NODE_WIDTH - 12},{top + NODE_HEIGHT} {left},{top + NODE_HEIGHT}"
        shape = f'<polygon points="{points}"/>'
    else:
        radius = NODE_HEIGHT / 2 if node.kind == "customer" else 6
        shape = (
            f'<rect x="{left:.1f}" y="{top:.1f}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" '
            f'rx="{radius}"/>'
        )
    title = html.escape(f"{node.label} ({node.id})")
    first = y + 4 - 7 * (len(lines) - 1)
    texts = "".join(
        f'<text x="{x:.1f}" y="{first + 14 * i:.1f}" text-anchor="middle">{html.escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    return (
        f'<g class="{" ".join(classes)}" data-index="{index}"><title>{title}</title>{shape}'
        f"{texts}</g>"
    )


def _two_lines(label: str) -> list[str]:
    """A label on at most two short lines, split between words where one can be."""
    words = " ".join(label.split()).split(" ")
    best = [" ".join(words)]
    if len(words) > 1:
        cut = min(
            range(1, len(words)),
            key=lambda i: abs(len(" ".join(words[:i])) - len(" ".join(words[i:]))),
        )
        best = [" ".join(words[:cut]), " ".join(words[cut:])]
    return [line if len(line) <= 16 else line[:15] + "…" for line in best]


def _legend_html(legend: Legend) -> str:
    """The side panel's legend: a small drawing and the words for each type, mode and state."""
    rows = []
    for team_type in legend.types:
        rows.append(
            f'<g class="type-{team_type}">{_LEGEND_SHAPES[team_type]}</g>'
            f'<text x="72" y="15">{team_type}</text>'
        )
    for word in (*legend.modes, *legend.states):
        kind = "mode" if word in legend.modes else "state"
        rows.append(
            f'<path class="edge {kind}-{word}" d="M2,11 L60,11" marker-end="url(#arrow-fixed)"/>'
            f'<text x="72" y="15">{_LEGEND_WORDS[word]}</text>'
        )
    body = "".join(f'<g transform="translate(0,{26 * i})">{row}</g>' for i, row in enumerate(rows))
    return (
        f'<div id="legend"><h2>Legend</h2><svg width="280" height="{26 * len(rows)}" '
        f'role="img" aria-label="Legend">{_FIXED_ARROW}{body}</svg>'
        '<p class="muted">A typed team on the front line has a thicker border.</p></div>'
    )


def render(picture: Picture, layout: Layout) -> str:
    """The whole page."""
    edges = []
    for edge in picture.edges:
        start, end = layout.positions[edge.provider], layout.positions[edge.receiver]
        classes = (
            "edge"
            + (" loop" if edge.in_loop else "")
            + (" elided" if edge.elided else "")
            + (" feedback" if edge.feedback else "")
            + (f" mode-{edge.mode}" if edge.mode in MODES else "")
            + (f" state-{edge.state}" if edge.state in MARKED_STATES else "")
        )
        title = html.escape(f"{edge.provider} → {edge.receiver}: {edge.label}")
        marker = "arrow-fixed" if edge.mode in MODES or edge.state in MARKED_STATES else "arrow"
        edges.append(
            f'<path class="{classes}" d="{_edge_path(start, end)}" marker-end="url(#{marker})">'
            f"<title>{title}</title></path>"
        )
        first = edge.label.split("\n")[0]
        if first and end[0] > start[0]:
            mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2 - 4
            edges.append(
                f'<text class="edge-label" x="{mx:.1f}" y="{my:.1f}" text-anchor="middle">'
                f"{html.escape(_short(first))}</text>"
            )
    nodes = [_node_svg(i, picture, layout) for i in range(len(picture.nodes))]
    title = html.escape(picture.title)
    legend = picture.legend
    style = _STYLE + (_TOPOLOGY_STYLE if legend else "")
    key = _legend_html(legend) if legend else ""
    notes = "".join(f'<p class="muted">{html.escape(n)}</p>' for n in picture.notes)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="icmap">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<div id="canvas"><svg id="drawing" xmlns="http://www.w3.org/2000/svg" width="100%" height="100%" role="img" aria-label="{title}">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#90a4ae"/></marker></defs>
<g id="viewport">
{chr(10).join(edges)}
{chr(10).join(nodes)}
</g></svg></div>
<aside><h1>{title}</h1>{notes}
<p class="muted">Work flows left to right, toward the external customers (green, right).
Front-line teams are blue; outside suppliers purple; orange edges are loops; dashed edges
are feedback hand-offs, or pass through teams left out. Drag to pan, scroll to zoom, click a
team for what it provides and receives.</p>
{key}<button id="fit" type="button">Fit to window</button>
<div id="details"></div></aside>
<script type="application/json" id="icmap-data">{_script_json(page_data(picture, layout))}</script>
<script>{_SCRIPT}</script>
</body>
</html>
"""
