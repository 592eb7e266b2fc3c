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
import functools
import heapq
import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from icmap.compact import collector_paused, compact
from icmap.graph import weakest_relation

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

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


class _Bounds:
    """Each customer's bound, and which nodes sit at it, in passes linear in nodes + hand-offs.

    Customers are bits of Python integers. The bound of ``c`` is the largest ``t`` such that
    every node upstream of ``c`` reaches it through hand-offs scored at least ``t``. Taking the
    strongly connected components from the sinks up, a component passes at ``t`` when each of
    its nodes reaches, inside it and at ``t``, a hand-off scored at least ``t`` leaving it
    towards ``c`` (or ``c`` itself). For a lone team that is its best-scored hand-off towards
    ``c``: so the bound is the lowest, over nodes, of that local value, and no node's best
    score per customer is needed. Loops (components of several nodes) run the threshold sweep
    of :func:`_sweep` over their own hand-offs only.

    A node sits at ``c``'s bound ``b`` (its best chain to ``c`` is no better) when it does not
    reach ``c`` through hand-offs scored above ``b``: a second pass from the sinks up, each
    hand-off letting through the customers whose bound is below its score.
    """

    def __init__(self, view: Compact, succ_scores: list[list[float]]) -> None:
        self.view = view
        self.succ_scores = succ_scores
        self.customers = view.customers
        size = len(view.succ)
        own = [0] * size
        for i, c in enumerate(view.customers):
            own[c] = 1 << i
        self.own = own
        self.order = list(reversed(view.components()))
        #: ``reach[x]``: the customers ``x`` reaches (its own bit included).
        self.reach = [0] * size
        self.found: dict[int, float] = {}
        self._bounds()

    def _bounds(self) -> None:
        succ, scores, own, reach = self.view.succ, self.succ_scores, self.own, self.reach
        joined: dict[float, int] = {}
        for part in self.order:
            if len(part) > 1:
                self._loop(part, joined)
                continue
            (x,) = part
            pairs = [
                (s, reach[y])
                for y, s in zip(succ[x], scores[x], strict=True)
                if y != x and reach[y]
            ]
            if not pairs:
                reach[x] = own[x]
                continue
            if len(pairs) > 1:
                pairs.sort(key=_first, reverse=True)
            seen = 0
            for s, bits in pairs:
                new = bits & ~seen
                if new:
                    seen |= new
                    if s < math.inf:
                        joined[s] = joined.get(s, 0) | new
            reach[x] = seen | own[x]
        left = (1 << len(self.customers)) - 1
        for t in sorted(joined):
            hits = joined[t] & left
            if hits:
                left &= ~hits
                for c in self._of(hits):
                    self.found[c] = t

    def _loop(self, part: list[int], joined: dict[float, int]) -> None:
        """Note when each member of a loop comes to reach each customer, and what it reaches."""
        own, reach = self.own, self.reach
        exits = self._exits(part, reach)
        for noted in _sweep(self.view, self.succ_scores, part, exits, own).values():
            for t, new in noted:
                if t < math.inf:
                    joined[t] = joined.get(t, 0) | new
        gets = 0
        for x in part:
            gets |= own[x]
        for _, _, bits in exits:
            gets |= bits
        for x in part:
            reach[x] = gets

    def _exits(
        self, part: list[int], bits_of: list[int], passing: Callable[[float], int] | None = None
    ) -> list[tuple[int, float, int]]:
        """The hand-offs leaving the component ``part``: ``(provider, score, customers)``."""
        inside = set(part)
        succ, scores = self.view.succ, self.succ_scores
        found = []
        for x in part:
            for y, s in zip(succ[x], scores[x], strict=True):
                if y not in inside and bits_of[y]:
                    bits = bits_of[y] if passing is None else bits_of[y] & passing(s)
                    if bits:
                        found.append((x, s, bits))
        return found

    def at_bound(self) -> list[int]:
        """For each node, the customers whose bound its best chain does not beat."""
        bounds = self.found
        levels = sorted(set(bounds.values()))
        masks = [0]
        for t in levels:
            mask = masks[-1]
            for c, b in bounds.items():
                if b == t:
                    mask |= self.own[c]
            masks.append(mask)
        cache: dict[float, int] = {}

        def passing(s: float) -> int:
            """The customers whose bound is below ``s``."""
            mask = cache.get(s)
            if mask is None:
                mask = cache[s] = masks[bisect.bisect_left(levels, s)]
            return mask

        succ, scores, own = self.view.succ, self.succ_scores, self.own
        above = [0] * len(
            succ
        )  # the customers each node reaches through hand-offs above their bound
        for part in self.order:
            if len(part) > 1:
                exits = self._exits(part, above, passing)
                events = _sweep(self.view, scores, part, exits, own)
                for x in part:
                    got = own[x]
                    for t, new in events[x]:
                        got |= new & passing(t)
                    above[x] = got
                continue
            (x,) = part
            got = own[x]
            for y, s in zip(succ[x], scores[x], strict=True):
                if y != x and above[y]:
                    cached = cache.get(s)
                    got |= above[y] & (passing(s) if cached is None else cached)
            above[x] = got
        reach = self.reach
        return [(reach[x] & ~above[x]) & ~own[x] for x in range(len(succ))]

    def first_at(self) -> tuple[dict[int, int], list[int]]:
        """For each customer, the first node (by index, so by id) at its bound; and each node's
        customers at their bound."""
        at = self.at_bound()
        wanted = 0
        for c in self.found:
            wanted |= self.own[c]
        found: dict[int, int] = {}
        for node, bits in enumerate(at):
            hits = bits & wanted
            if hits:
                wanted &= ~hits
                for c in self._of(hits):
                    found[c] = node
                if not wanted:
                    break
        return found, at

    def _of(self, bits: int) -> list[int]:
        """The customers whose bits ``bits`` holds."""
        found = []
        while bits:
            low = bits & -bits
            found.append(self.customers[low.bit_length() - 1])
            bits ^= low
        return found


def _first(pair: tuple[float, int]) -> float:
    """A ``(score, customers)`` pair's score: sorting on it alone keeps equal scores in order."""
    return pair[0]


def _inside(
    view: Compact, succ_scores: list[list[float]], part: list[int]
) -> tuple[dict[int, list[tuple[int, float]]], dict[float, list[tuple[int, int]]]]:
    """A loop's own hand-offs: each member's providers with scores, and the hand-offs by score."""
    inside = set(part)
    pred: dict[int, list[tuple[int, float]]] = {x: [] for x in part}
    by_score: dict[float, list[tuple[int, int]]] = {}
    succ = view.succ
    for u in part:
        for v, s in zip(succ[u], succ_scores[u], strict=True):
            if v in inside and v != u:
                pred[v].append((u, s))
                by_score.setdefault(s, []).append((u, v))
    return pred, by_score


def _sweep(
    view: Compact,
    succ_scores: list[list[float]],
    part: list[int],
    exits: list[tuple[int, float, int]],
    own: list[int],
) -> dict[int, list[tuple[float, int]]]:
    """Inside one loop: when each member comes to reach which customers, as the threshold falls.

    The loop's hand-offs and the ``exits`` (``(member, score, customers)``: what leaving it
    reaches) are taken from the best-scored down; a member's own customer bit is there from the
    start. Returns each member's ``(threshold, customers new at it)`` in decreasing threshold
    order. A member's set grows once per distinct score at most: the cost is the loop's size
    times that, not the org's.
    """
    pred, by_score = _inside(view, succ_scores, part)
    seeds: dict[float, list[tuple[int, int]]] = {}
    for x, s, bits in exits:
        seeds.setdefault(s, []).append((x, bits))
    reach = {x: own[x] for x in part}
    events: dict[int, list[tuple[float, int]]] = {x: [] for x in part}

    def note(x: int, t: float, new: int) -> None:
        noted = events[x]
        if noted and noted[-1][0] == t:
            noted[-1] = (t, noted[-1][1] | new)
        else:
            noted.append((t, new))

    for t in sorted({*by_score, *seeds}, reverse=True):
        stack: list[int] = []
        for x, bits in seeds.get(t, ()):
            new = bits & ~reach[x]
            if new:
                reach[x] |= new
                stack.append(x)
                note(x, t, new)
        for u, v in by_score.get(t, ()):
            new = reach[v] & ~reach[u]
            if new:
                reach[u] |= new
                stack.append(u)
                note(u, t, new)
        while stack:
            v = stack.pop()
            has = reach[v]
            for u, s in pred[v]:
                if s < t:
                    continue
                new = has & ~reach[u]
                if new:
                    reach[u] |= new
                    stack.append(u)
                    note(u, t, new)
    return events


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
    succ_scores = [
        [scores.get((ids[u], ids[v]), math.inf) for v in row] for u, row in enumerate(view.succ)
    ]
    bounds = _Bounds(view, succ_scores).found
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
    view = compact(graph)
    ids = view.ids
    link_of: Callable[[str, str], Relation | None]
    if relations is None:
        succ_scores = _scores(graph, view)
        link_of = functools.partial(weakest_relation, graph)
    else:
        links = _weakest_of(relations)
        succ_scores = [
            [_score(links.get((ids[u], ids[v]))) for v in row] for u, row in enumerate(view.succ)
        ]
        link_of = _getter(links)
    found_bounds = _Bounds(view, succ_scores)
    bounds = found_bounds.found
    teams, at = found_bounds.first_at()
    chains = _Chains(view, succ_scores, found_bounds.reach, at, found_bounds.own)
    found = []
    for index in view.customers:
        customer = ids[index]
        path = paths.get(customer, (customer,))
        on_path = [_link(r) for u, v in itertools.pairwise(path) if (r := link_of(u, v))]
        weakest = min(on_path, key=lambda w: (w.satisfaction, w.provider)) if on_path else None
        bound, team, bottleneck = bounds.get(index), None, None
        if bound is not None:
            start = teams[index]
            team = ids[start]
            chain = chains.best_chain(customer=index, start=start, bound=bound)
            if chain is None:  # chains tie where only the search's order tells them apart
                chain = _searched_chain(view, succ_scores, index, start)
            for provider, receiver in chain:
                link = link_of(ids[provider], ids[receiver])
                if link and link.satisfaction == bound:
                    bottleneck = _link(link)
                    break
        low = bound is not None and bound < threshold
        found.append(CustomerWeakness(customer, weakest, bound, team, bottleneck, low))
    return found


def _score(relation: Relation | None) -> float:
    """A hand-off's score: its weakest scored relation's, +inf where none is scored."""
    return math.inf if relation is None or relation.satisfaction is None else relation.satisfaction


def _scores(graph: OrgGraph, view: Compact) -> list[list[float]]:
    """Each hand-off's score along the view's successor rows, read off the graph's edges."""
    ids, index, adjacency = view.ids, view.index, graph.succ
    found: list[list[float]] = []
    inf = math.inf
    for u in ids:
        pairs: list[tuple[int, float]] = []
        for v, data in adjacency[u].items():
            relations = data["relations"]
            if len(relations) == 1:
                score = relations[0].satisfaction
                pairs.append((index[v], inf if score is None else score))
            else:
                known = [r.satisfaction for r in relations if r.satisfaction is not None]
                pairs.append((index[v], min(known) if known else inf))
        pairs.sort()  # as the view's rows: by receiver index
        found.append([score for _, score in pairs])
    return found


def _getter(
    links: dict[tuple[str, str], Relation],
) -> Callable[[str, str], Relation | None]:
    def link_of(provider: str, receiver: str) -> Relation | None:
        return links.get((provider, receiver))

    return link_of


def _searched_chain(
    view: Compact, succ_scores: list[list[float]], customer: int, start: int
) -> list[tuple[int, int]]:
    """The chain :func:`_widest_to` keeps from ``start``, by running it."""
    pred_scores: list[list[float]] = [[] for _ in view.pred]
    for u, row in enumerate(view.succ):  # in increasing provider order: as each pred row
        for v, score in zip(row, succ_scores[u], strict=True):
            pred_scores[v].append(score)
    _, via, _ = _widest_to(view, customer, pred_scores)
    chain = []
    node = start
    while node != customer:
        chain.append((node, via[node]))
        node = via[node]
    return chain


class _Chains:
    """The chain :func:`_widest_to` keeps from a customer's bounded team, without its search.

    The search reaches a node first from the receiver with the highest best score among those
    that give it its own. Along the chain every node's best is the bound ``b`` until the first
    hand-off scored ``b``, so which receivers qualify follows from which nodes reach the
    customer and which sit at its bound; the exact best score of a receiver above ``b`` is
    searched for only where two of them compete, and only downstream of them.
    """

    def __init__(
        self,
        view: Compact,
        succ_scores: list[list[float]],
        reach: list[int],
        at: list[int],
        own: list[int],
    ) -> None:
        self.view, self.succ_scores, self.reach, self.at, self.own = (
            view,
            succ_scores,
            reach,
            at,
            own,
        )

    def best_chain(
        self, *, customer: int, start: int, bound: float
    ) -> list[tuple[int, int]] | None:
        """The chain from ``start`` (whose best score is ``bound``) up to its first hand-off
        scored ``bound``, as ``(provider, receiver)`` steps; ``None`` where two
        receivers tie, so that only the search's order of equals would tell."""
        view, reach, at = self.view, self.reach, self.at
        bit = self.own[customer]
        node = start
        chain: list[tuple[int, int]] = []
        while node != customer:
            higher: list[int] = []
            level: list[int] = []
            for y, score in zip(view.succ[node], self.succ_scores[node], strict=True):
                if y == node or not reach[y] & bit:
                    continue
                if y != customer and at[y] & bit:  # its best is the bound
                    if score >= bound:
                        level.append(y)
                elif score == bound:
                    higher.append(y)
            if len(higher) > 1:
                ranked = [(self._best_from(y, customer), y) for y in higher]
                top = max(after for after, _ in ranked)
                higher = [y for after, y in ranked if after == top]
                if len(higher) != 1:
                    return None
            if higher:
                (receiver,) = higher
            elif len(level) == 1:
                (receiver,) = level
            else:
                return None
            chain.append((node, receiver))
            if self.succ_scores[node][bisect.bisect_left(view.succ[node], receiver)] == bound:
                return chain
            node = receiver
        return chain

    def _best_from(self, start: int, customer: int) -> float:
        """``start``'s best lowest score on a chain to ``customer``: a maximin search downstream
        of ``start`` over the nodes that reach the customer, stopped when it settles it."""
        if start == customer:
            return math.inf
        bit, reach, succ, scores = self.own[customer], self.reach, self.view.succ, self.succ_scores
        best: dict[int, float] = {start: math.inf}
        heap: list[tuple[float, int]] = [(-math.inf, start)]
        done: set[int] = set()
        while heap:
            negative, node = heapq.heappop(heap)
            if node in done:
                continue
            if node == customer:
                return -negative
            done.add(node)
            for y, s in zip(succ[node], scores[node], strict=True):
                if y in done or not reach[y] & bit:
                    continue
                score = min(s, -negative)
                if score > best.get(y, -math.inf):
                    best[y] = score
                    heapq.heappush(heap, (-score, y))
        return -math.inf
