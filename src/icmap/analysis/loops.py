"""Loops: groups of teams that serve each other in a cycle."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from icmap.graph import OrgGraph


def loops(graph: OrgGraph) -> list[list[str]]:
    """The strongly connected groups of more than one team, each sorted, largest first.

    Every team in a group can reach every other through hand-offs: marketing gives sales
    leads, sales gives marketing feedback. Found with Tarjan's algorithm in O(nodes + edges).
    Self-provision is rejected by the loader, so a loop always has two or more teams.

    >>> import networkx as nx
    >>> loops(nx.DiGraph([("marketing", "sales"), ("sales", "marketing"), ("sales", "buyers")]))
    [['marketing', 'sales']]
    """
    import networkx as nx

    groups = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    return sorted(groups, key=lambda group: (-len(group), group))
