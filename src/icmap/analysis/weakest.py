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
    found: dict[str, float | None] = {}
    for index in view.customers:
        best, _, _ = _widest_to(view, index, pred_scores)
        finite = [score for score in best if -math.inf < score < math.inf]
        found[ids[index]] = min(finite) if finite else None
    return found


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
    found = []
    for index in view.customers:
        customer = ids[index]
        path = paths.get(customer, (customer,))
        on_path = [_link(links[u, v]) for u, v in itertools.pairwise(path) if (u, v) in links]
        weakest = min(on_path, key=lambda w: (w.satisfaction, w.provider)) if on_path else None
        best, via, via_k = _widest_to(view, index, pred_scores)
        scored = [(score, node) for node, score in enumerate(best) if -math.inf < score < math.inf]
        bound, team, bottleneck = None, None, None
        if scored:
            bound, start = min(scored)
            team = ids[start]
            node = start
            while node != index:
                node, link = via[node], pred_links[via[node]][via_k[node]]
                if link and link.satisfaction == bound:
                    bottleneck = _link(link)
                    break
        low = bound is not None and bound < threshold
        found.append(CustomerWeakness(customer, weakest, bound, team, bottleneck, low))
    return found
