"""The tree of providers behind each external customer, as ``icmap graph`` shows it.

Each customer is the root; its children are the front-line teams, their children the teams
that provide to them, and so on outward. A team is expanded once, at its shortest distance from
the customer (breadth-first); anywhere else it appears as a repeat, as ``cargo tree`` does, and
a repeat that closes a loop is marked as such.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from icmap.graph import nodes_of_kind, relations
from icmap.model import Relation

if TYPE_CHECKING:
    from icmap.graph import OrgGraph

Repeat = Literal["shown", "loop"]


@dataclass(frozen=True)
class Branch:
    """A provider under its receiver: what it hands over, and whether it is a repeat."""

    id: str
    handed_over: tuple[Relation, ...]
    repeat: Repeat | None = None


@dataclass(frozen=True)
class CustomerTree:
    """``branches[x]`` are the providers shown under ``x``; only expanded nodes have entries."""

    customer: str
    branches: dict[str, tuple[Branch, ...]]


def _is_ancestor(candidate: str, node: str, parent: dict[str, str | None]) -> bool:
    current: str | None = node
    while current is not None:
        if current == candidate:
            return True
        current = parent[current]
    return False


def customer_tree(graph: OrgGraph, customer: str) -> CustomerTree:
    """The provider tree behind ``customer``, built breadth-first in O(nodes + edges · depth).

    >>> import networkx as nx
    >>> g = nx.DiGraph()
    >>> g.add_edge("a", "b", relations=[]); g.add_edge("b", "a", relations=[])
    >>> g.add_edge("b", "shop", relations=[])
    >>> tree = customer_tree(g, "shop")
    >>> [(b.id, b.repeat) for b in tree.branches["shop"]]
    [('b', None)]
    >>> [(b.id, b.repeat) for b in tree.branches["a"]]
    [('b', 'loop')]
    """
    parent: dict[str, str | None] = {customer: None}
    branches: dict[str, tuple[Branch, ...]] = {}
    queue = deque([customer])
    while queue:
        node = queue.popleft()
        found: list[Branch] = []
        for provider in sorted(graph.predecessors(node)):
            handed_over = tuple(relations(graph, provider, node))
            if provider not in parent:
                parent[provider] = node
                queue.append(provider)
                found.append(Branch(provider, handed_over))
            else:
                repeat: Repeat = "loop" if _is_ancestor(provider, node, parent) else "shown"
                found.append(Branch(provider, handed_over, repeat))
        branches[node] = tuple(found)
    return CustomerTree(customer, branches)


def customer_trees(graph: OrgGraph) -> list[CustomerTree]:
    """One tree per external customer, in id order."""
    return [customer_tree(graph, c) for c in nodes_of_kind(graph, "customer")]
