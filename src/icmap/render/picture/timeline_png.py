"""The timeline as PNG: the same layout (:func:`icmap.render.picture.timeline.layout`) handed
to Graphviz with every position pinned (``neato -n2``), so no new dependency draws it.

One layout unit is one point; drawn at 144 dpi, the PNG is the SVG at twice its size. Boxes
are fixed-size nodes; each line of text a fixed-size ``plaintext`` node as wide as the layout
measured it, justified as it is anchored; a line is an edge between two invisible points.
Texts are escaped as every DOT label is (:func:`icmap.render.picture.dot.escape`).
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from icmap.errors import UsageError
from icmap.render.picture.dot import escape
from icmap.render.picture.image import INSTALL_HINT
from icmap.render.picture.timeline import measure

if TYPE_CHECKING:
    import graphviz

    from icmap.render.picture.timeline import Layout

#: Dots per inch: one layout unit is a point (1/72 inch), so 144 draws it twice as large.
DPI = "144"


def _inches(value: float) -> str:
    return f"{value / 72:.4f}"


def build(drawn: Layout, widen: float = 1.0) -> graphviz.Digraph:
    """The DOT of the layout, every node pinned (``pos`` in points, y up)."""
    import graphviz

    height = drawn.height

    def at(x: float, y: float) -> str:
        return f"{x:.2f},{height - y:.2f}!"

    dot = graphviz.Digraph("timeline", engine="neato")
    dot.attr(
        bb=f"0,0,{drawn.width:.2f},{height:.2f}",
        splines="line",
        dpi=DPI,
        bgcolor="#ffffff",
        pad="0.15",
        outputorder="nodesfirst",
    )
    dot.attr("node", label="", margin="0", fixedsize="true")
    dot.attr("edge", arrowhead="none")
    for index, box in enumerate(drawn.boxes):
        dot.node(
            f"b{index}",
            shape="box",
            style="rounded,filled",
            fillcolor=box.fill,
            color=box.stroke,
            penwidth=f"{box.stroke_width:g}",
            width=_inches(box.width),
            height=_inches(box.height),
            pos=at(box.x + box.width / 2, box.y + box.height / 2),
        )
    for index, label in enumerate(drawn.labels):
        # Room to spare: Graphviz's text may come out a little wider than Helvetica's widths,
        # and a justified line starts (or ends) at its node's edge only inside the node.
        width = measure(label.text, label.size, label.bold) * widen + 2
        left = {"start": label.x, "middle": label.x - width / 2, "end": label.x - width}
        centre = left[label.anchor] + width / 2
        # A line of text is centred on its node: its middle is about 0.3 em above the baseline.
        end = {"start": "\\l", "middle": "", "end": "\\r"}[label.anchor]
        dot.node(
            f"t{index}",
            shape="plaintext",
            # nohtml over the whole label: a name like <b> must never read as an HTML label.
            label=graphviz.nohtml(escape(label.text) + end),
            fontname="Helvetica-Bold" if label.bold else "Helvetica",
            fontsize=f"{label.size:g}",
            fontcolor=label.colour,
            width=_inches(width),
            height=_inches(label.size * 1.2),
            pos=at(centre, label.y - 0.3 * label.size),
        )
    point = itertools.count()
    for line in drawn.lines:
        ids = []
        for x, y in line.points:
            ids.append(f"p{next(point)}")
            dot.node(ids[-1], shape="point", width="0.01", style="invis", pos=at(x, y))
        segments = list(itertools.pairwise(ids))
        for index, (a, b) in enumerate(segments):
            last = line.arrow and index == len(segments) - 1
            dot.edge(
                a,
                b,
                color=line.colour,
                penwidth=f"{line.width:g}",
                **({"arrowhead": "normal", "arrowsize": "0.7"} if last else {}),
            )
    return dot


def png(drawn: Layout, widen: float = 1.0) -> bytes:
    """The layout drawn by Graphviz as PNG bytes."""
    import graphviz

    try:
        data: bytes = build(drawn, widen).pipe(format="png", neato_no_op=2, quiet=True)
    except graphviz.ExecutableNotFound as exc:
        raise UsageError(f"png needs Graphviz, not found: {INSTALL_HINT}") from exc
    except graphviz.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode("utf-8", "replace").strip()
        raise UsageError(f"Graphviz could not draw the png: {detail}") from exc
    except OSError as exc:  # no process to start: out of descriptors (ulimit -n) or memory
        raise UsageError(f"cannot run Graphviz to draw the png: {exc.strerror or exc}") from exc
    return data
