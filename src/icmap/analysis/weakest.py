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

from icmap.graph import all_weakest_relations, nodes_of_kind

if TYPE_CHECKING:
    from icmap.analysis.critical import CriticalPaths
    from icmap.graph import OrgGraph

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


def _links(graph: OrgGraph) -> dict[tuple[str, str], WeakLink]:
    """The weakest scored relation of every hand-off, as a WeakLink."""
    found = {}
    for (u, v), r in all_weakest_relations(graph).items():
        if r.satisfaction is None:
            continue
        scored = r.survey is not None and r.survey.mean is not None
        survey_round = r.survey.round if scored and r.survey else None
        answers = r.survey.answers if scored and r.survey else 0
        found[u, v] = WeakLink(u, v, r.what, r.satisfaction, survey_round, answers)
    return found


def _widest_to(
    graph: OrgGraph, customer: str, links: dict[tuple[str, str], WeakLink]
) -> tuple[dict[str, float], dict[str, str]]:
    """For each upstream node, the best achievable lowest score on a chain to ``customer``.

    A maximin variant of Dijkstra's algorithm on the reversed graph: O(edges · log nodes).
    Unscored hand-offs count as +inf. ``via[x]`` is the next node on x's best chain.
    """
    best: dict[str, float] = {customer: math.inf}
    via: dict[str, str] = {}
    heap: list[tuple[float, str]] = [(-math.inf, customer)]
    done: set[str] = set()
    while heap:
        negative, node = heapq.heappop(heap)
        if node in done:
            continue
        done.add(node)
        for provider in graph.predecessors(node):
            link = links.get((provider, node))
            score = min(-negative, link.satisfaction if link else math.inf)
            if provider not in done and (provider not in best or score > best[provider]):
                best[provider], via[provider] = score, node
                heapq.heappush(heap, (-score, provider))
    return best, via


def weakest_links(
    graph: OrgGraph, critical: CriticalPaths, threshold: float = LOW_SATISFACTION
) -> list[CustomerWeakness]:
    """For each customer (by id): the weakest hand-off on its critical path, and its bound.

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
    links = _links(graph)
    found = []
    for customer in nodes_of_kind(graph, "customer"):
        path = paths.get(customer, (customer,))
        on_path = [links[u, v] for u, v in itertools.pairwise(path) if (u, v) in links]
        weakest = min(on_path, key=lambda w: (w.satisfaction, w.provider)) if on_path else None
        best, via = _widest_to(graph, customer, links)
        scored = sorted((score, node) for node, score in best.items() if math.isfinite(score))
        bound, team, bottleneck = None, None, None
        if scored:
            bound, team = scored[0]
            node = team
            while node != customer:
                link = links.get((node, via[node]))
                if link and link.satisfaction == bound:
                    bottleneck = link
                    break
                node = via[node]
        low = bound is not None and bound < threshold
        found.append(CustomerWeakness(customer, weakest, bound, team, bottleneck, low))
    return found
