"""Chokepoints: teams through which every path from some other team to the customer passes."""

from __future__ import annotations

from bisect import insort
from dataclasses import dataclass
from typing import TYPE_CHECKING

from icmap.compact import cached, collector_paused, compact

if TYPE_CHECKING:
    from collections.abc import Sequence

    from icmap.compact import Compact
    from icmap.graph import OrgGraph


#: Dependents listed per chokepoint, the first by id; :func:`dependents_of` gives them all.
LISTED_DEPENDENTS = 20


@dataclass(frozen=True)
class Chokepoint:
    """``team`` stands on every path from each of its dependents to any external customer.

    ``stranded`` counts them all; ``dependents`` lists the first :data:`LISTED_DEPENDENTS`
    of them by id (all of them when there are no more), since along a chain of teams every
    team strands all those before it and the lists together grow with the chain's square.
    """

    team: str
    dependents: tuple[str, ...]
    stranded: int


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

    A chokepoint's dependents are all the nodes it dominates (not only the immediate ones).
    These are the organisation's single points of failure: if the chokepoint fails, the
    dependents' work no longer reaches any customer. Linear in the org's size whatever its
    shape: each chokepoint lists its first :data:`LISTED_DEPENDENTS` dependents by id and
    counts the rest.

    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "hub"), ("b", "hub"), ("hub", "shop"), ("c", "shop")])
    >>> nx.set_node_attributes(g, "team", "kind"); g.nodes["shop"]["kind"] = "customer"
    >>> chokepoints(g)
    [Chokepoint(team='hub', dependents=('a', 'b'), stranded=2)]

    Computed once per graph (:func:`icmap.compact.cached`): the report, the picture's marks
    and the HTML page all ask for it.
    """
    return list(cached(graph, "chokepoints", lambda: _chokepoints(graph)))


def dependents_of(graph: OrgGraph, team: str) -> tuple[str, ...]:
    """Every node ``team`` strands (that it dominates), sorted; ``()`` for none.

    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "b"), ("b", "hub"), ("hub", "shop")])
    >>> nx.set_node_attributes(g, "team", "kind"); g.nodes["shop"]["kind"] = "customer"
    >>> dependents_of(g, "hub"), dependents_of(g, "a")
    (('a', 'b'), ())
    """
    children = cached(graph, "dominated", lambda: _children(dominator_tree(graph)))
    found: list[str] = []
    stack = list(children.get(team, ()))
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(children.get(node, ()))
    return tuple(sorted(found))


def _children(tree: dict[str, str | None]) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {}
    for node, parent in tree.items():
        if parent is not None:
            children.setdefault(parent, []).append(node)
    return children


def _chokepoints(graph: OrgGraph) -> list[Chokepoint]:
    tree = dominator_tree(graph)
    children = _children(tree)
    # Children before parents: each node's subtree is summed once, and passes on only its
    # first LISTED_DEPENDENTS ids (itself included), so a chain costs its length, not its
    # square.
    order: list[str] = []
    stack = [node for node, parent in tree.items() if parent is None]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(children.get(node, ()))
    size: dict[str, int] = {}
    first: dict[str, list[str]] = {}
    found: list[Chokepoint] = []
    for node in reversed(order):
        below = children.get(node)
        if below is None:
            size[node], first[node] = 1, [node]
            continue
        listed = sorted(id_ for child in below for id_ in first.pop(child))[:LISTED_DEPENDENTS]
        stranded = sum(size.pop(child) for child in below)
        found.append(Chokepoint(node, tuple(listed), stranded))
        size[node] = stranded + 1
        insort(listed, node)
        first[node] = listed[:LISTED_DEPENDENTS]
    found.sort(key=lambda point: point.team)
    return found
