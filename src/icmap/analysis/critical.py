"""Critical paths to each customer, and every team's slack, as in the critical path method.

A hand-off ``provider -> receiver`` weighs its lead time (the longest of its relations'): how
long the receiver waits. The critical path to a customer is the chain of hand-offs ending at
that customer whose lead times add up to the most, visiting no team twice. A team's slack is
how much later its deliveries could arrive without lengthening that chain (CPM total float).

Method. Loops make "longest path" hard in general (it is NP-hard on arbitrary graphs), so
the graph is split into its strongly connected groups (loops), which form a DAG:

- Between loops, longest paths are exact dynamic programming over the DAG: O(nodes + edges).
- Inside a loop, the longest simple path between every entry and exit team is searched
  exhaustively when the search takes at most :data:`EXACT_LOOP_STEPS` steps (always the case
  for loops of a handful of teams). A larger loop is cut into a DAG by keeping only the edges
  that go forward in a depth-first order; its paths are then real chains but possibly not the
  longest, and the result says so (``exact`` is false and the loop is listed).
- Slack of a team inside a loop adds its longest arrival and departure independently; they may
  share teams, so it is a lower bound (never an overstatement of the float).

Feedback hand-offs (every relation on them marked ``feedback: true``) carry information back,
not the work the customer waits for: critical paths and slack follow delivery hand-offs only
(:func:`icmap.graph.delivery_graph`). Loops left among delivery hand-offs are handled as above.

Without any lead time in the org, hops count instead (each hand-off weighs 1) and ``unit`` is
``"hops"``; where only some hand-offs have one, the others weigh 0 and are counted.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from icmap.graph import all_lead_time_hours, delivery_graph, lead_time_hours, nodes_of_kind

if TYPE_CHECKING:
    from icmap.graph import OrgGraph

Unit = Literal["hours", "hops"]
#: Depth-first steps allowed per loop for the exact search before approximating it.
EXACT_LOOP_STEPS = 50_000


@dataclass(frozen=True)
class CriticalPath:
    """The longest chain of hand-offs ending at ``customer``: ids from first provider to it."""

    customer: str
    path: tuple[str, ...]
    total: float
    missing_lead_times: int
    exact: bool = True


@dataclass(frozen=True)
class CriticalPaths:
    """Critical paths per customer, slack per team, and how they were weighed."""

    unit: Unit
    paths: list[CriticalPath]
    slack: dict[str, float]
    handoffs: int
    missing_lead_times: int
    approximated_loops: list[list[str]] = field(default_factory=list)
    #: Teams in a loop of delivery hand-offs: their slack is a lower bound.
    looped: frozenset[str] = frozenset()


@dataclass
class _Inner:
    """Longest simple paths inside one loop: ``best[u][v] = (weight, path from u to v)``."""

    best: dict[str, dict[str, tuple[float, tuple[str, ...]]]]
    exact: bool


class _Weights:
    """Each hand-off's weight, computed once for the whole graph."""

    def __init__(self, graph: OrgGraph, unit: Unit) -> None:
        hours = all_lead_time_hours(graph)
        if unit == "hops":
            self._weight = dict.fromkeys(hours, 1.0)
        else:
            self._weight = {edge: value or 0.0 for edge, value in hours.items()}

    def __call__(self, u: str, v: str) -> float:
        return self._weight[u, v]


def _exact_inner(
    graph: OrgGraph, members: set[str], weight: _Weights
) -> dict[str, dict[str, tuple[float, tuple[str, ...]]]] | None:
    """Every simple path inside the loop by depth-first search; ``None`` if over budget."""
    steps = 0
    best: dict[str, dict[str, tuple[float, tuple[str, ...]]]] = {}
    for start in sorted(members):
        found: dict[str, tuple[float, tuple[str, ...]]] = {start: (0.0, (start,))}
        stack: list[tuple[str, float, tuple[str, ...]]] = [(start, 0.0, (start,))]
        while stack:
            node, total, path = stack.pop()
            for succ in sorted(graph.successors(node)):
                if succ not in members or succ in path:
                    continue
                steps += 1
                if steps > EXACT_LOOP_STEPS:
                    return None
                extended = (total + weight(node, succ), (*path, succ))
                if succ not in found or extended[0] > found[succ][0]:
                    found[succ] = extended
                stack.append((succ, *extended))
        best[start] = found
    return best


def _dag_inner(
    graph: OrgGraph, members: set[str], weight: _Weights
) -> dict[str, dict[str, tuple[float, tuple[str, ...]]]]:
    """Longest paths inside a loop cut into a DAG (edges forward in a depth-first order)."""
    import networkx as nx

    order = {
        n: i for i, n in enumerate(nx.dfs_preorder_nodes(graph.subgraph(members), min(members)))
    }
    for node in sorted(members):
        order.setdefault(node, len(order))
    ranked = sorted(members, key=order.__getitem__)
    best: dict[str, dict[str, tuple[float, tuple[str, ...]]]] = {}
    for start in ranked:
        found: dict[str, tuple[float, tuple[str, ...]]] = {start: (0.0, (start,))}
        for node in ranked[order[start] :]:
            if node not in found:
                continue
            total, path = found[node]
            for succ in graph.successors(node):
                if succ in members and order[succ] > order[node]:
                    candidate = (total + weight(node, succ), (*path, succ))
                    if succ not in found or candidate[0] > found[succ][0]:
                        found[succ] = candidate
        best[start] = found
    return best


def _inner_paths(graph: OrgGraph, members: set[str], weight: _Weights) -> _Inner:
    if len(members) == 1:
        (only,) = members
        return _Inner({only: {only: (0.0, (only,))}}, exact=True)
    exact = _exact_inner(graph, members, weight)
    if exact is not None:
        return _Inner(exact, exact=True)
    return _Inner(_dag_inner(graph, members, weight), exact=False)


def _unit_of(graph: OrgGraph) -> tuple[Unit, int]:
    missing = sum(1 for hours in all_lead_time_hours(graph).values() if hours is None)
    unit: Unit = (
        "hops" if graph.number_of_edges() and missing == graph.number_of_edges() else "hours"
    )
    return unit, missing


def critical_paths(
    graph: OrgGraph, *, with_slack: bool = True, split: tuple[_Loops, list[int]] | None = None
) -> CriticalPaths:
    """The critical path to each customer (by id) and each team's and supplier's slack.

    Only delivery hand-offs count (feedback ones are left out). ``slack`` holds, for every
    team and supplier whose delivered work reaches a customer, the least slack over the
    customers it reaches; teams on a critical path have 0. ``with_slack=False``
    skips it (it is half the work); ``split`` reuses :func:`split_loops` from another call.

    >>> import networkx as nx
    >>> from icmap.model import Duration, Relation
    >>> g = nx.DiGraph()
    >>> g.add_nodes_from(["a", "b", "c"], kind="team"); g.add_node("shop", kind="customer")
    >>> def hand_off(u, v, days):
    ...     g.add_edge(u, v, relations=[Relation(u, v, "w", (), Duration.of(days, "d"))])
    >>> hand_off("a", "c", 2); hand_off("b", "c", 1); hand_off("c", "shop", 3)
    >>> result = critical_paths(g)
    >>> result.paths[0].path, result.paths[0].total, result.slack["b"]
    (('a', 'c', 'shop'), 120.0, 24.0)
    """
    import networkx as nx

    unit, missing = _unit_of(graph)
    handoffs = graph.number_of_edges()
    graph = delivery_graph(graph)
    loops_split, topo = split or _split(graph, unit)
    components, component_of, inner = (
        loops_split.components,
        loops_split.component_of,
        loops_split.inner,
    )
    approximated = sorted(sorted(components[i]) for i, found in inner.items() if not found.exact)

    paths: list[CriticalPath] = []
    slack: dict[str, float] = {}
    # A node's longest path in does not depend on the customer it leads to: one forward pass
    # serves every customer, and only the backward pass (for slack) is per customer.
    forward = _Forward(loops_split)
    forward.run(topo)
    for customer in nodes_of_kind(graph, "customer"):
        total = forward.leave[customer][0]
        path = forward.path_to(customer)
        lacking = sum(
            1 for u, v in itertools.pairwise(path) if lead_time_hours(graph, u, v) is None
        )
        upstream: set[str] = set()
        if with_slack or approximated:
            upstream = nx.ancestors(graph, customer) | {customer}
        involved = {component_of[n] for n in upstream}
        exact = all(inner[i].exact for i in involved)
        paths.append(
            CriticalPath(customer, path, _tidy(total), lacking if unit == "hours" else 0, exact)
        )
        if not with_slack:
            continue
        order = [i for i in topo if i in involved]
        to_customer = _to_customer(loops_split, order, customer)
        for node in upstream - {customer}:
            through = min(total, forward.leave[node][0] + to_customer[node])
            float_ = _tidy(max(0.0, total - through))
            slack[node] = min(slack.get(node, math.inf), float_)
    looped = frozenset(n for members in components if len(members) > 1 for n in members)
    return CriticalPaths(
        unit, paths, dict(sorted(slack.items())), handoffs, missing, approximated, looped
    )


Score = tuple[float, int]  # (weight, hops): on equal weight the longer chain wins


@dataclass(frozen=True)
class _Loops:
    """The graph split into strongly connected groups, with each group's inner paths."""

    graph: OrgGraph
    components: list[set[str]]
    component_of: dict[str, int]
    inner: dict[int, _Inner]
    weight: _Weights


class _Forward:
    """Longest paths ending at each node, component by component in topological order."""

    def __init__(self, loops: _Loops, starts: set[str] | None = None) -> None:
        # With ``starts``, chains may only begin at those nodes; otherwise anywhere.
        self.starts = starts
        self.graph, self.components, self.inner = loops.graph, loops.components, loops.inner
        self.weight, self.component_of = loops.weight, loops.component_of
        self.leave: dict[str, Score] = {}  # best path ending at the node
        self.entry: dict[str, str] = {}  # where that path entered the node's loop
        self.came_from: dict[str, str | None] = {}  # entry -> the node before it, if any

    def run(self, order: list[int]) -> None:
        for index in order:
            members = sorted(self.components[index])
            arrive: dict[str, Score] = {}
            for u in members:
                best: Score | None = (0.0, 0) if self.starts is None or u in self.starts else None
                source: str | None = None
                for p in sorted(self.graph.predecessors(u)):
                    if self.component_of[p] == index or p not in self.leave:
                        continue
                    weight, hops = self.leave[p]
                    candidate = (weight + self.weight(p, u), hops + 1)
                    if best is None or candidate > best:
                        best, source = candidate, p
                if best is not None:
                    arrive[u], self.came_from[u] = best, source
            table = self.inner[index].best
            for x in members:
                best_x: Score | None = None
                for u in arrive:
                    if x in table[u]:
                        inner_weight, inner_path = table[u][x]
                        candidate = (
                            arrive[u][0] + inner_weight,
                            arrive[u][1] + len(inner_path) - 1,
                        )
                        if best_x is None or candidate > best_x:
                            best_x, self.entry[x] = candidate, u
                if best_x is not None:
                    self.leave[x] = best_x

    def path_to(self, node: str) -> tuple[str, ...]:
        segments: list[tuple[str, ...]] = []
        current: str | None = node
        while current is not None:
            entry = self.entry[current]
            segments.append(self.inner[self.component_of[current]].best[entry][current][1])
            current = self.came_from[entry]
        return tuple(n for segment in reversed(segments) for n in segment)


def _to_customer(loops: _Loops, order: list[int], customer: str) -> dict[str, float]:
    """Longest path weight from each upstream node to ``customer``, in reverse topological order."""
    graph, components, inner = loops.graph, loops.components, loops.inner
    weight, component_of = loops.weight, loops.component_of
    longest: dict[str, float] = {}
    for index in reversed(order):
        members = components[index]
        depart: dict[str, float] = {}
        for v in members:
            if v == customer:
                depart[v] = 0.0
                continue
            exits = [
                weight(v, y) + longest[y]
                for y in graph.successors(v)
                if component_of[y] != index and y in longest
            ]
            depart[v] = max(exits, default=-math.inf)
        table = inner[index].best
        for x in members:
            longest[x] = max(w + depart[v] for v, (w, _) in table[x].items())
    return longest


def split_loops(graph: OrgGraph) -> tuple[_Loops, list[int]]:
    """The loop structure :func:`longest_chain` needs, to compute once for several calls."""
    return _split(delivery_graph(graph), _unit_of(graph)[0])


def _split(graph: OrgGraph, unit: Unit) -> tuple[_Loops, list[int]]:
    """The graph's loops with their inner paths, and the loops in topological order."""
    import networkx as nx

    weight = _Weights(graph, unit)
    components = list(nx.strongly_connected_components(graph))
    component_of = {node: index for index, members in enumerate(components) for node in members}
    topo = list(nx.topological_sort(nx.condensation(graph, components)))
    inner = {i: _inner_paths(graph, components[i], weight) for i in range(len(components))}
    return _Loops(graph, components, component_of, inner, weight), topo


def longest_chain(
    graph: OrgGraph,
    sources: set[str],
    target: str,
    *,
    split: tuple[_Loops, list[int]] | None = None,
) -> CriticalPath | None:
    """The chain from any of ``sources`` to ``target`` whose lead times add up to the most.

    Same weights, method and limits as :func:`critical_paths` (delivery hand-offs only);
    ``None`` when no source reaches ``target`` through them.

    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c")], relations=[])
    >>> nx.set_edge_attributes(g, [], "relations")
    >>> longest_chain(g, {"a"}, "c").path
    ('a', 'b', 'c')
    """
    return longest_chains(graph, sources, [target], split=split).get(target)


def longest_chains(
    graph: OrgGraph,
    sources: set[str],
    targets: Iterable[str],
    *,
    split: tuple[_Loops, list[int]] | None = None,
) -> dict[str, CriticalPath]:
    """:func:`longest_chain` to each of ``targets`` that ``sources`` reach, in one pass.

    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c"), ("b", "d")], relations=[])
    >>> nx.set_edge_attributes(g, [], "relations")
    >>> {t: chain.path for t, chain in longest_chains(g, {"a"}, ["c", "d", "a"]).items()}
    {'c': ('a', 'b', 'c'), 'd': ('a', 'b', 'd'), 'a': ('a',)}
    """
    import networkx as nx

    unit, _ = _unit_of(graph)
    graph = delivery_graph(graph)
    loops_split, topo = split or _split(graph, unit)
    starts = {source for source in sources if source in graph}
    reachable: set[str] = set()
    for source in sorted(starts):
        if source not in reachable:
            reachable |= {source} | nx.descendants(graph, source)
    inner = loops_split.inner
    approximated = any(not found.exact for found in inner.values())
    involved = {loops_split.component_of[n] for n in reachable}
    forward = _Forward(loops_split, starts=starts)
    forward.run([i for i in topo if i in involved])
    chains: dict[str, CriticalPath] = {}
    for target in targets:
        if target not in forward.leave:
            continue
        path = forward.path_to(target)
        lacking = sum(
            1 for u, v in itertools.pairwise(path) if lead_time_hours(graph, u, v) is None
        )
        exact = not approximated or all(
            inner[loops_split.component_of[n]].exact
            for n in (nx.ancestors(graph, target) | {target}) & reachable
        )
        total = _tidy(forward.leave[target][0])
        chains[target] = CriticalPath(target, path, total, lacking if unit == "hours" else 0, exact)
    return chains


def _tidy(value: float) -> float:
    return round(value, 6)
