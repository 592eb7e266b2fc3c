"""How far each team is from the external customer, and which teams do not reach it at all."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from icmap.compact import cached, collector_paused
from icmap.graph import nodes_of_kind

if TYPE_CHECKING:
    from icmap.graph import OrgGraph


@dataclass(frozen=True)
class Reach:
    """Fewest hand-offs from each team or supplier to an external customer.

    ``hops[x]`` is 1 for the front line; ``nearest[x]`` is the customer at that distance
    (the first by id on a tie). Nodes with no path to any customer are in ``disconnected``.
    """

    hops: dict[str, int]
    nearest: dict[str, str]
    disconnected: tuple[str, ...]


@collector_paused
def reach(graph: OrgGraph) -> Reach:
    """Breadth-first search backwards from every customer at once: O(nodes + edges).

    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "b"), ("b", "shop"), ("c", "c2")])
    >>> nx.set_node_attributes(g, "team", "kind"); g.nodes["shop"]["kind"] = "customer"
    >>> r = reach(g)
    >>> r.hops, r.disconnected
    ({'b': 1, 'a': 2}, ('c', 'c2'))
    """
    # Once per graph: the report, the check's rules, the overview and diff each ask for it.
    return cached(graph, "reach", lambda: _reach(graph))


def _reach(graph: OrgGraph) -> Reach:
    customers = nodes_of_kind(graph, "customer")
    hops: dict[str, int] = {}
    nearest: dict[str, str] = {}
    distance = dict.fromkeys(customers, 0)
    queue = deque(customers)
    while queue:
        node = queue.popleft()
        for provider in sorted(graph.predecessors(node)):
            if provider in distance:
                continue
            distance[provider] = hops[provider] = distance[node] + 1
            nearest[provider] = node if node in customers else nearest[node]
            queue.append(provider)
    disconnected = tuple(
        sorted(n for n in graph.nodes if n not in distance and graph.nodes[n]["kind"] != "customer")
    )
    return Reach(hops, nearest, disconnected)
