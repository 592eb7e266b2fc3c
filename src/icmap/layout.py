"""Positions for drawing a Picture without Graphviz (the HTML page): layers toward the customer.

Customers sit in the right-most layer; every other node sits as many layers to the left as it
is hand-offs from the nearest customer in the picture, so the eye follows the work left to
right. Nodes with no path to a customer take a layer of their own on the far left. The order
within a layer is improved by a few barycenter sweeps (the Sugiyama heuristic) to cut crossings.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from icmap.analysis.picture import Picture

LAYER_GAP = 340.0
ROW_GAP = 70.0
#: Room above the first row for the arcs of hand-offs that flow back (loops).
TOP_MARGIN = 120.0
_SWEEPS = 4


@dataclass(frozen=True)
class Layout:
    """Centre of each node, and the size of the drawing."""

    positions: dict[str, tuple[float, float]]
    width: float
    height: float


def layered(picture: Picture) -> Layout:
    """Lay ``picture`` out in layers; deterministic for the same picture.

    >>> from icmap.analysis.picture import Picture, PictureEdge, PictureNode
    >>> p = Picture("t", [PictureNode("a", "a", "team"), PictureNode("c", "c", "customer")],
    ...             [PictureEdge("a", "c", "")])
    >>> layered(p).positions["a"][0] < layered(p).positions["c"][0]
    True
    """
    predecessors: dict[str, list[str]] = {n.id: [] for n in picture.nodes}
    successors: dict[str, list[str]] = {n.id: [] for n in picture.nodes}
    for edge in picture.edges:
        predecessors[edge.receiver].append(edge.provider)
        successors[edge.provider].append(edge.receiver)
    layer = {n.id: 0 for n in picture.nodes if n.kind == "customer"}
    queue = deque(sorted(layer))
    while queue:
        node = queue.popleft()
        for provider in sorted(predecessors[node]):
            if provider not in layer:
                layer[provider] = layer[node] + 1
                queue.append(provider)
    deepest = max(layer.values(), default=0)
    for unplaced in picture.nodes:
        layer.setdefault(unplaced.id, deepest + 1)
    groups = {n.id: n.group or "" for n in picture.nodes}
    layers: dict[int, list[str]] = {}
    for node_id in sorted(layer, key=lambda n: (groups[n], n)):
        layers.setdefault(layer[node_id], []).append(node_id)
    # One rank table, updated layer by layer: rebuilding it for every layer made the sweeps
    # quadratic in the org's size on deep orgs (170 s at 20k teams).
    rank = {n: i for members in layers.values() for i, n in enumerate(members)}

    def barycenter(node: str) -> float:
        near = [rank[m] for m in predecessors[node] + successors[node]]
        return sum(near) / len(near) if near else rank[node]

    for sweep in range(_SWEEPS):
        order = sorted(layers) if sweep % 2 == 0 else sorted(layers, reverse=True)
        for index in order:
            layers[index].sort(key=lambda n: (barycenter(n), n))
            rank.update((n, i) for i, n in enumerate(layers[index]))
    last = max(layers)
    tallest = max(len(members) for members in layers.values())
    positions = {}
    for index, members in layers.items():
        offset = (tallest - len(members)) * ROW_GAP / 2
        for row, node_id in enumerate(members):
            x = (last - index) * LAYER_GAP + 110
            positions[node_id] = (x, TOP_MARGIN + offset + row * ROW_GAP)
    return Layout(positions, (last + 1) * LAYER_GAP, TOP_MARGIN + tallest * ROW_GAP + 40)
