"""Chokepoints: teams through which every path from some other team to the customer passes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from icmap.compact import cached, collector_paused, compact

if TYPE_CHECKING:
    from collections.abc import Sequence

    from icmap.compact import Compact
    from icmap.graph import OrgGraph


@dataclass(frozen=True)
class Chokepoint:
    """``team`` stands on every path from each of ``dependents`` to any external customer."""

    team: str
    dependents: tuple[str, ...]


@collector_paused
def dominator_tree(graph: OrgGraph) -> dict[str, str | None]:
    """Each node's immediate dominator toward the customers (``None``: a customer is next).

    Node ``d`` dominates ``x`` when every path from ``x`` to any external customer passes
    through ``d``. Computed on the reversed graph from a virtual sink joined to every customer,
    with Cooper, Harvey and Kennedy's iterative algorithm over the compact view
    (:mod:`icmap.compact`). Nodes with no path to a customer are absent.

    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "hub"), ("hub", "shop"), ("b", "shop")])
    >>> nx.set_node_attributes(g, "team", "kind"); g.nodes["shop"]["kind"] = "customer"
    >>> sorted(dominator_tree(g).items())
    [('a', 'hub'), ('b', None), ('hub', None)]

    Computed once per graph (:func:`icmap.compact.cached`): the chokepoints and the HTML page's
    stranded teams both read it. Treat it as read-only.
    """
    return cached(graph, "dominators", lambda: _dominator_tree(graph))


def _dominator_tree(graph: OrgGraph) -> dict[str, str | None]:
    view = compact(graph)
    idom = _immediate_dominators(view)
    sink = len(view.ids)
    customer = [k == "customer" for k in view.kinds]
    tree: dict[str, str | None] = {}
    for node, dominator in enumerate(idom):
        if dominator == -1 or customer[node]:
            continue
        tree[view.ids[node]] = (
            view.ids[dominator] if dominator != sink and not customer[dominator] else None
        )
    return tree


def _immediate_dominators(view: Compact) -> list[int]:
    """``idom[x]`` toward the customers for each node (``-1``: no path to one).

    The virtual sink is index ``len(view.ids)``; walking from it against the hand-offs, its
    successors are the customers and a node's are its providers.
    """
    sink = len(view.ids)
    pred, succ = view.pred, view.succ
    customers = view.customers

    def forward(node: int) -> Sequence[int]:  # successors in the reversed graph
        return customers if node == sink else pred[node]

    # Depth-first postorder from the sink, without recursion.
    post = [-1] * (sink + 1)
    order: list[int] = []
    seen = [False] * (sink + 1)
    seen[sink] = True
    work = [(sink, 0)]
    while work:
        node, k = work[-1]
        row = forward(node)
        if k < len(row):
            work[-1] = (node, k + 1)
            nxt = row[k]
            if not seen[nxt]:
                seen[nxt] = True
                work.append((nxt, 0))
            continue
        work.pop()
        post[node] = len(order)
        order.append(node)
    is_customer = [False] * (sink + 1)
    for c in customers:
        is_customer[c] = True
    idom = [-1] * (sink + 1)
    idom[sink] = sink

    def intersect(a: int, b: int) -> int:
        while a != b:
            while post[a] < post[b]:
                a = idom[a]
            while post[b] < post[a]:
                b = idom[b]
        return a

    changed = True
    while changed:
        changed = False
        for node in reversed(order[:-1]):  # reverse postorder, the sink (last) left out
            # A node's predecessors in the reversed graph: whom it hands work to, and the
            # sink for a customer.
            new = sink if is_customer[node] else -1
            for r in succ[node]:
                if idom[r] != -1:
                    new = r if new == -1 else intersect(r, new)
            if idom[node] != new:
                idom[node] = new
                changed = True
    return idom[:sink]


@collector_paused
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

    Computed once per graph (:func:`icmap.compact.cached`): the report, the picture's marks
    and the HTML page all ask for it.
    """
    return list(cached(graph, "chokepoints", lambda: _chokepoints(graph)))


def _chokepoints(graph: OrgGraph) -> list[Chokepoint]:
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
