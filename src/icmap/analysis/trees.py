"""The trees ``icmap graph`` prints: who provides to whom, outward from a root.

Each external customer is a root; its children are the front-line teams, their children the
teams that provide to them, and so on outward. As ``cargo tree`` does, a team is expanded once
in the **whole output**, at its first appearance in print order (depth first, children by id,
customers by id); anywhere after that it is a repeat, so a repeat always points up to
something already shown. A repeat of a team on its own path is marked as closing a loop.

A feedback hand-off (``feedback: true``) is shown where it arrives, marked as feedback, and not
followed: it carries information back, not work. The one exception is a team whose work only
reaches a customer through feedback: it is expanded at its first feedback appearance, so no
team's providers go missing from the output.

The same walk serves ``--focus`` (one team's providers and, the other way, its receivers, a
few hand-offs deep) and ``--group`` (a group's teams, with teams outside it shown unexpanded).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from icmap.graph import is_feedback, nodes_of_kind, relations
from icmap.model import Relation

if TYPE_CHECKING:
    from icmap.graph import OrgGraph

#: Why a branch is not expanded where it stands.
Stop = Literal["shown", "loop", "feedback", "outside", "depth"]
Direction = Literal["providers", "receivers"]


@dataclass(frozen=True)
class Branch:
    """A team under its parent: the hand-off between them, and whether it is expanded here.

    ``repeat`` is ``None`` where the branch is expanded; otherwise why not: ``shown`` (expanded
    above), ``loop`` (it is on its own path), ``feedback`` (a feedback hand-off, not followed),
    ``outside`` (outside the group drawn) or ``depth`` (beyond ``--depth``).
    """

    id: str
    handed_over: tuple[Relation, ...]
    repeat: Stop | None = None
    feedback: bool = False


@dataclass(frozen=True)
class CustomerTree:
    """``branches[x]`` are the branches shown under ``x``; only expanded nodes have entries.

    ``customer`` is the root (a customer, or the team of ``--focus``/``--group``), and
    ``direction`` says whether children are the providers (toward the root flows work) or,
    for the downstream half of ``--focus``, the receivers.
    """

    customer: str
    branches: dict[str, tuple[Branch, ...]]
    direction: Direction = "providers"


def _reaches_by_delivery(graph: OrgGraph) -> set[str]:
    """Nodes whose work reaches a customer through delivery (non-feedback) hand-offs."""
    found = set(nodes_of_kind(graph, "customer"))
    queue = deque(found)
    while queue:
        node = queue.popleft()
        for provider in graph.predecessors(node):
            if provider not in found and not is_feedback(graph, provider, node):
                found.add(provider)
                queue.append(provider)
    return found


class _Walk:
    """One depth-first walk that remembers, across roots, which teams it has expanded."""

    def __init__(
        self,
        graph: OrgGraph,
        direction: Direction = "providers",
        *,
        keep: Callable[[str], bool] = lambda _: True,
        depth: int | None = None,
    ) -> None:
        self.graph = graph
        self.direction: Direction = direction
        self.keep = keep
        self.depth = depth
        self.expanded: set[str] = set()
        self.delivered = _reaches_by_delivery(graph)

    def _children(self, node: str) -> Iterator[tuple[str, tuple[Relation, ...], bool]]:
        graph = self.graph
        if self.direction == "providers":
            for other in sorted(graph.predecessors(node)):
                yield other, tuple(relations(graph, other, node)), is_feedback(graph, other, node)
        else:
            for other in sorted(graph.successors(node)):
                yield other, tuple(relations(graph, node, other)), is_feedback(graph, node, other)

    def _stop(self, child: str, feedback: bool, on_path: set[str], level: int) -> Stop | None:
        if child in on_path:
            return "loop"
        if child in self.expanded:
            return "shown"
        if not self.keep(child):
            return "outside"
        if feedback and (self.direction == "receivers" or child in self.delivered):
            return "feedback"
        if self.depth is not None and level >= self.depth:
            more = self.graph.in_degree if self.direction == "providers" else self.graph.out_degree
            return "depth" if more(child) else None
        return None

    def tree(self, root: str) -> CustomerTree:
        """The tree under ``root``; iterative, so a long chain cannot exhaust the stack."""
        branches: dict[str, tuple[Branch, ...]] = {}
        self.expanded.add(root)
        on_path = {root}
        stack: list[tuple[str, Iterator[tuple[str, tuple[Relation, ...], bool]], list[Branch]]]
        stack = [(root, self._children(root), [])]
        while stack:
            node, children, found = stack[-1]
            step = next(children, None)
            if step is None:
                branches[node] = tuple(found)
                on_path.discard(node)
                stack.pop()
                continue
            child, handed_over, feedback = step
            stop = self._stop(child, feedback, on_path, len(stack))
            found.append(Branch(child, handed_over, stop, feedback))
            if stop is None:
                self.expanded.add(child)
                on_path.add(child)
                stack.append((child, self._children(child), []))
        return CustomerTree(root, branches, self.direction)


def customer_tree(graph: OrgGraph, customer: str) -> CustomerTree:
    """The provider tree behind one ``customer``, on its own.

    >>> import networkx as nx
    >>> g = nx.DiGraph()
    >>> g.add_edge("a", "b", relations=[]); g.add_edge("b", "a", relations=[])
    >>> g.add_edge("b", "shop", relations=[])
    >>> nx.set_node_attributes(g, "team", "kind"); g.nodes["shop"]["kind"] = "customer"
    >>> tree = customer_tree(g, "shop")
    >>> [(b.id, b.repeat) for b in tree.branches["shop"]]
    [('b', None)]
    >>> [(b.id, b.repeat) for b in tree.branches["a"]]
    [('b', 'loop')]
    """
    return _Walk(graph).tree(customer)


def customer_trees(graph: OrgGraph) -> list[CustomerTree]:
    """One tree per external customer, in id order; each team expanded once in all of them."""
    walk = _Walk(graph)
    return [walk.tree(c) for c in nodes_of_kind(graph, "customer")]


def focus_trees(graph: OrgGraph, team: str, depth: int) -> list[CustomerTree]:
    """``team``'s providers and then its receivers, each up to ``depth`` hand-offs away."""
    return [
        _Walk(graph, "providers", depth=depth).tree(team),
        _Walk(graph, "receivers", depth=depth).tree(team),
    ]


def group_trees(graph: OrgGraph, group: str) -> list[CustomerTree]:
    """Provider trees of one group's teams; teams outside the group are shown, not expanded.

    The roots are the group's teams whose work leaves the group (each in id order), then any
    member not yet shown.
    """
    members = sorted(n for n in graph.nodes if graph.nodes[n].get("group") == group)
    inside = set(members)
    exits = [m for m in members if any(s not in inside for s in graph.successors(m))]
    walk = _Walk(graph, keep=inside.__contains__)
    trees = []
    for root in exits + members:
        if root not in walk.expanded:
            trees.append(walk.tree(root))
    return trees
