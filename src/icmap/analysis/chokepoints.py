"""Chokepoints: teams through which every path from some other team to the customer passes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from icmap.graph import nodes_of_kind

if TYPE_CHECKING:
    from icmap.graph import OrgGraph

# A node that cannot clash with an id: ids are strings, this is not.
_SINK = ("icmap", "every customer")


@dataclass(frozen=True)
class Chokepoint:
    """``team`` stands on every path from each of ``dependents`` to any external customer."""

    team: str
    dependents: tuple[str, ...]


def dominator_tree(graph: OrgGraph) -> dict[str, str | None]:
    """Each node's immediate dominator toward the customers (``None``: a customer is next).

    Node ``d`` dominates ``x`` when every path from ``x`` to any external customer passes
    through ``d``. Computed on the reversed graph from a virtual sink joined to every customer,
    with networkx's ``immediate_dominators`` (Cooper, Harvey and Kennedy). Nodes with no path
    to a customer are absent.
    """
    import networkx as nx

    reverse: nx.DiGraph[object] = nx.DiGraph()
    reverse.add_nodes_from(graph.nodes)
    reverse.add_edges_from((v, u) for u, v in graph.edges)
    reverse.add_node(_SINK)
    reverse.add_edges_from((_SINK, c) for c in nodes_of_kind(graph, "customer"))
    idom = nx.immediate_dominators(reverse, _SINK)
    customers = set(nodes_of_kind(graph, "customer"))
    tree: dict[str, str | None] = {}
    for node, dominator in idom.items():
        if node == _SINK or node in customers:
            continue
        assert isinstance(node, str)
        tree[node] = (
            dominator if isinstance(dominator, str) and dominator not in customers else None
        )
    return tree


def chokepoints(graph: OrgGraph) -> list[Chokepoint]:
    """Every team that some other team or supplier depends on for its line of sight.

    ``dependents`` are all the nodes it dominates (not only the immediate ones), sorted.
    These are the organisation's single points of failure: if the chokepoint fails, the
    dependents' work no longer reaches any customer.

    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "hub"), ("b", "hub"), ("hub", "shop"), ("c", "shop")])
    >>> nx.set_node_attributes(g, "team", "kind"); g.nodes["shop"]["kind"] = "customer"
    >>> chokepoints(g)
    [Chokepoint(team='hub', dependents=('a', 'b'))]
    """
    tree = dominator_tree(graph)
    children: dict[str, list[str]] = {}
    for node, parent in tree.items():
        if parent is not None:
            children.setdefault(parent, []).append(node)
    found = []
    for team in sorted(children):
        dependents: list[str] = []
        stack = list(children[team])
        while stack:
            node = stack.pop()
            dependents.append(node)
            stack.extend(children.get(node, ()))
        found.append(Chokepoint(team, tuple(sorted(dependents))))
    return found
