"""Weakest links: a customer is never served better than the internal chain that feeds it.

Each hand-off's score is the lowest ``satisfaction`` among its relations (the latest survey
round's mean where a survey scored it, see :mod:`icmap.loader.surveys`); hand-offs without a
score are ignored (no news is not bad news). For each customer this reports

- the lowest-scored hand-off on its critical path, and
- its *bound*: for every upstream team, take its best-scored chain to the customer (the chain
  whose lowest score is highest); the bound is the lowest of those. Some team's work can reach
  the customer only through a hand-off scored that low, whichever way it goes.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from icmap.compact import collector_paused, compact
from icmap.graph import all_weakest_relations

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from icmap.analysis.critical import CriticalPaths
    from icmap.compact import Compact
    from icmap.graph import OrgGraph
    from icmap.model import Relation

#: Scores below this are reported as low (the middle of the 1-5 survey scale).
LOW_SATISFACTION = 3.0


@dataclass(frozen=True)
class WeakLink:
    """One scored hand-off."""

    provider: str
    receiver: str
    what: str
    satisfaction: float
    #: The survey round the score comes from, and its number of answers; ``None``: the YAML.
    survey_round: str | None = None
    answers: int = 0


@dataclass(frozen=True)
class CustomerWeakness:
    """What bounds the service one customer gets (``None`` where nothing is scored)."""

    customer: str
    critical_path_weakest: WeakLink | None
    bound: float | None
    bounded_team: str | None
    bottleneck: WeakLink | None
    low: bool


def _weakest_of(relations: Iterable[Relation]) -> dict[tuple[str, str], Relation]:
    """The weakest scored of ``relations`` on each hand-off (first of equals, as ``min``)."""
    found: dict[tuple[str, str], Relation] = {}
    for r in relations:
        if r.satisfaction is None:
            continue
        key = (r.provider, r.receiver)
        kept = found.get(key)
        if kept is None or (r.satisfaction, r.what) < (kept.satisfaction, kept.what):
            found[key] = r
    return found


def _link(r: Relation) -> WeakLink:
    """A scored relation as a WeakLink."""
    assert r.satisfaction is not None
    scored = r.survey is not None and r.survey.mean is not None
    survey_round = r.survey.round if scored and r.survey else None
    answers = r.survey.answers if scored and r.survey else 0
    return WeakLink(r.provider, r.receiver, r.what, r.satisfaction, survey_round, answers)


def _widest_to(
    view: Compact, customer: int, pred_scores: list[list[float]]
) -> tuple[list[float], list[int], list[int]]:
    """For each upstream node, the best achievable lowest score on a chain to ``customer``.

    A maximin variant of Dijkstra's algorithm on the reversed graph: O(edges · log nodes).
    Unscored hand-offs count as +inf; nodes that do not reach ``customer`` keep -inf. The next
    node on x's best chain is ``via[x]``, and the hand-off is ``pred[via[x]][via_k[x]]``.
    Nodes are indices of the compact view, which order as their ids do.
    """
    size = len(view.pred)
    best = [-math.inf] * size
    best[customer] = math.inf
    via, via_k = [-1] * size, [-1] * size
    heap: list[tuple[float, int]] = [(-math.inf, customer)]
    done = [False] * size
    pred = view.pred
    while heap:
        negative, node = heapq.heappop(heap)
        if done[node]:
            continue
        done[node] = True
        reached = -negative
        scores = pred_scores[node]
        for k, provider in enumerate(pred[node]):
            if done[provider]:
                continue
            score = scores[k]
            score = min(score, reached)
            if score > best[provider]:
                best[provider], via[provider], via_k[provider] = score, node, k
                heapq.heappush(heap, (-score, provider))
    return best, via, via_k


class _Reach:
    """Which customers each node reaches through hand-offs scored at least ``t``, for every
    ``t`` at once: the hand-offs are added from the best-scored down (unscored ones first), and
    each time a node comes to reach new customers the threshold and those customers are noted.

    A node's best chain to customer ``c`` has lowest score ``t`` exactly when ``c`` joins it at
    threshold ``t`` (:func:`_widest_to`'s ``best``): one pass gives what a maximin search per
    customer gave. Customers are bits of Python integers, so the pass costs O(edges · log
    edges) word operations, plus a step for each time a node's set grows (at most once per
    distinct score, in practice once or twice).
    """

    def __init__(self, view: Compact, pred_scores: list[list[float]]) -> None:
        self.view = view
        self.customers = view.customers
        self.bit = {c: 1 << i for i, c in enumerate(view.customers)}
        pred = view.pred
        size = len(pred)
        reach = [0] * size
        for c, b in self.bit.items():
            reach[c] = b
        #: For each node, ``[threshold, customers]`` in decreasing threshold order.
        self.events: list[list[list[float | int]]] = [[] for _ in range(size)]
        events = self.events
        by_score: dict[float, list[tuple[int, int]]] = {}
        for v, row in enumerate(pred):
            scores = pred_scores[v]
            for k, u in enumerate(row):
                by_score.setdefault(scores[k], []).append((u, v))
        for t in sorted(by_score, reverse=True):
            stack: list[int] = []
            for u, v in by_score[t]:
                new = reach[v] & ~reach[u]
                if new:
                    reach[u] |= new
                    stack.append(u)
                    _note(events[u], t, new)
            while stack:
                v = stack.pop()
                has = reach[v]
                scores = pred_scores[v]
                for k, u in enumerate(pred[v]):
                    if scores[k] < t:
                        continue
                    new = has & ~reach[u]
                    if new:
                        reach[u] |= new
                        stack.append(u)
                        _note(events[u], t, new)

    def bounds(self) -> dict[int, float]:
        """Each customer's bound: the lowest finite best score of a node reaching it."""
        joined: dict[float, int] = {}
        for noted in self.events:
            for t, new in noted:
                if t < math.inf:
                    joined[t] = joined.get(t, 0) | int(new)
        found: dict[int, float] = {}
        left = sum(self.bit.values())
        for t in sorted(joined):
            hits = joined[t] & left
            if not hits:
                continue
            left &= ~hits
            for c in self._of(hits):
                found[c] = t
        return found

    def first_at(self, bounds: dict[int, float]) -> dict[int, int]:
        """For each customer, the first node (by index, so by id) whose best score is its bound."""
        wanted: dict[float, int] = {}
        for c, t in bounds.items():
            wanted[t] = wanted.get(t, 0) | self.bit[c]
        found: dict[int, int] = {}
        for node, noted in enumerate(self.events):
            for t, new in noted:
                hits = wanted.get(float(t), 0) & int(new)
                if hits:
                    wanted[float(t)] &= ~hits
                    for c in self._of(hits):
                        found[c] = node
        return found

    def _of(self, bits: int) -> list[int]:
        """The customers whose bits ``bits`` holds."""
        found = []
        while bits:
            low = bits & -bits
            found.append(self.customers[low.bit_length() - 1])
            bits ^= low
        return found

    def best(self, node: int, customer: int) -> float:
        """``node``'s best lowest score on a chain to ``customer`` (-inf: it does not reach it)."""
        if node == customer:
            return math.inf
        b = self.bit[customer]
        for t, new in self.events[node]:
            if int(new) & b:
                return float(t)
        return -math.inf


def _note(noted: list[list[float | int]], t: float, new: int) -> None:
    """Note that a node reaches the customers ``new`` from threshold ``t`` down."""
    if noted and noted[-1][0] == t:
        noted[-1][1] = int(noted[-1][1]) | new
    else:
        noted.append([t, new])


@collector_paused
def customer_bounds(
    graph: OrgGraph, scores: Mapping[tuple[str, str], float]
) -> dict[str, float | None]:
    """Each customer's bound (see :func:`weakest_links`) with hand-offs scored by ``scores``.

    ``scores`` maps ``(provider, receiver)`` to the hand-off's score; hand-offs missing from it
    are unscored. The survey trends use it to bound each round's scores on one graph.

    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "b"), ("b", "shop")])
    >>> nx.set_node_attributes(g, "team", "kind"); g.nodes["shop"]["kind"] = "customer"
    >>> customer_bounds(g, {("a", "b"): 2.5, ("b", "shop"): 4.0})
    {'shop': 2.5}
    """
    view = compact(graph)
    ids = view.ids
    pred_scores = [
        [scores.get((ids[p], ids[v]), math.inf) for p in row] for v, row in enumerate(view.pred)
    ]
    bounds = _Reach(view, pred_scores).bounds()
    return {ids[index]: bounds.get(index) for index in view.customers}


@collector_paused
def weakest_links(
    graph: OrgGraph,
    critical: CriticalPaths,
    threshold: float = LOW_SATISFACTION,
    *,
    relations: Iterable[Relation] | None = None,
) -> list[CustomerWeakness]:
    """For each customer (by id): the weakest hand-off on its critical path, and its bound.

    ``relations`` scores the hand-offs instead of the graph's own: the same hand-offs as an
    earlier survey round scored them (the survey trends), with no graph built per round.

    >>> import networkx as nx
    >>> from icmap.model import Relation
    >>> from icmap.analysis.critical import critical_paths
    >>> g = nx.DiGraph()
    >>> g.add_nodes_from(["a", "b"], kind="team"); g.add_node("shop", kind="customer")
    >>> g.add_edge("a", "b", relations=[Relation("a", "b", "parts", (), None, 2.5)])
    >>> g.add_edge("b", "shop", relations=[Relation("b", "shop", "goods", (), None, 4.0)])
    >>> [w] = weakest_links(g, critical_paths(g))
    >>> w.bound, w.bounded_team, w.bottleneck.what, w.low
    (2.5, 'a', 'parts', True)
    """
    paths = {p.customer: p.path for p in critical.paths}
    # The weakest scored relation of every hand-off; made a WeakLink only where it is shown.
    links = all_weakest_relations(graph) if relations is None else _weakest_of(relations)
    view = compact(graph)
    ids = view.ids
    pred_links = [[links.get((ids[p], ids[v])) for p in row] for v, row in enumerate(view.pred)]
    pred_scores = [
        [r.satisfaction if r and r.satisfaction is not None else math.inf for r in row]
        for row in pred_links
    ]
    succ_scores: list[list[float]] = [[] for _ in view.succ]
    for v, row in enumerate(view.pred):  # in increasing receiver order: as each succ row
        for k, u in enumerate(row):
            succ_scores[u].append(pred_scores[v][k])
    reach = _Reach(view, pred_scores)
    bounds = reach.bounds()
    teams = reach.first_at(bounds)
    found = []
    for index in view.customers:
        customer = ids[index]
        path = paths.get(customer, (customer,))
        on_path = [_link(links[u, v]) for u, v in itertools.pairwise(path) if (u, v) in links]
        weakest = min(on_path, key=lambda w: (w.satisfaction, w.provider)) if on_path else None
        bound, team, bottleneck = bounds.get(index), None, None
        if bound is not None:
            start = teams[index]
            team = ids[start]
            chain = _best_chain(view, reach, succ_scores, customer=index, start=start, bound=bound)
            if chain is None:  # chains tie where only the search's order tells them apart
                _, via, via_k = _widest_to(view, index, pred_scores)
                chain = []
                node = start
                while node != index:
                    node, k = via[node], via_k[node]
                    chain.append((node, k))
            for receiver, k in chain:
                link = pred_links[receiver][k]
                if link and link.satisfaction == bound:
                    bottleneck = _link(link)
                    break
        low = bound is not None and bound < threshold
        found.append(CustomerWeakness(customer, weakest, bound, team, bottleneck, low))
    return found


def _best_chain(
    view: Compact,
    reach: _Reach,
    succ_scores: list[list[float]],
    *,
    customer: int,
    start: int,
    bound: float,
) -> list[tuple[int, int]] | None:
    """The chain :func:`_widest_to` keeps from ``start`` (whose best score is ``bound``) up to
    its first hand-off scored ``bound``, as ``(receiver, index in its pred row)`` steps.

    The search reaches a node first from the receiver with the highest best score among those
    that give it its own; on a chain of nodes whose best is ``bound`` that is unique but where
    two receivers tie, and then only the search's order of equals tells: ``None``.
    """
    node = start
    chain: list[tuple[int, int]] = []
    while node != customer:
        higher: list[tuple[float, int]] = []
        level: list[int] = []
        for y, score in zip(view.succ[node], succ_scores[node], strict=True):
            if y == node:
                continue
            after = reach.best(y, customer)
            if after == -math.inf or min(score, after) != bound:
                continue
            if after > bound:
                higher.append((after, y))
            else:
                level.append(y)
        if higher:
            top = max(after for after, _ in higher)
            tops = [y for after, y in higher if after == top]
            if len(tops) != 1:
                return None
            (receiver,) = tops
        elif len(level) == 1:
            (receiver,) = level
        else:
            return None
        k = bisect.bisect_left(view.pred[receiver], node)
        chain.append((receiver, k))
        if succ_scores[node][bisect.bisect_left(view.succ[node], receiver)] == bound:
            return chain
        node = receiver
    return chain
