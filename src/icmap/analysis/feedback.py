"""Critical paths that run through a loop, and the hand-offs that may be unmarked feedback.

In most organisations a loop is feedback: bug reports go back to developers, discharge letters
back to the GP. Delivery does not wait on them, so such hand-offs should say
``feedback: true``. When a customer's critical path still runs round a loop of delivery
hand-offs, the chain it names is usually one nobody waits on. :func:`loop_crossings` finds
those paths, names the loop by its shortest cycle, and suggests candidates: the hand-offs on
the path, inside the loop, that carry work away from the customers (the receiver is farther
from any customer than the provider), or, when there is none, those that bring it no closer.
A path whose every hand-off inside loops moves toward the customer is a plausible delivery
chain and is not reported. It suggests; marking is the user's decision.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from icmap.analysis.loops import canonical, cycle_via
from icmap.graph import delivery_graph, relations

if TYPE_CHECKING:
    from icmap.analysis.critical import CriticalPaths
    from icmap.analysis.reach import Reach
    from icmap.graph import OrgGraph
    from icmap.model import Relation


@dataclass(frozen=True)
class Candidate:
    """A hand-off on the path, inside the loop, that does not bring work closer to a customer."""

    provider: str
    receiver: str
    relations: tuple[Relation, ...]
    provider_hops: int
    receiver_hops: int


@dataclass(frozen=True)
class LoopCrossing:
    """A customer's critical path runs round a loop of delivery hand-offs."""

    customer: str
    #: The loop's shortest cycle through the first hand-off the path takes inside it.
    cycle: tuple[str, ...]
    #: Every team of the loop group (delivery hand-offs only), sorted.
    loop: tuple[str, ...]
    #: Hand-offs on the path inside the loop that are candidates for ``feedback: true``.
    candidates: tuple[Candidate, ...]
    #: The path's hand-offs inside the loop, in path order.
    inside: tuple[tuple[str, str], ...]


def loop_crossings(graph: OrgGraph, critical: CriticalPaths, reach: Reach) -> list[LoopCrossing]:
    """Each critical path that goes round a delivery loop, with the loop and the candidates.

    ``reach`` gives each team's distance to the nearest customer (``icmap report``'s
    distances); a path with a hand-off inside a loop whose receiver is no nearer than its provider
    is reported; the candidates are the ones going away from the customer, else those.

    >>> from icmap.analysis.critical import critical_paths
    >>> from icmap.analysis.reach import reach
    >>> from icmap.graph import build_graph
    >>> from icmap.loader import load_text
    >>> g = build_graph(load_text('''
    ... customers: {users: {}}
    ... teams:
    ...   dev: {provides: [{what: Builds, to: ops, lead_time: 2d}, {what: Fixes, to: qa}]}
    ...   qa: {provides: [{what: Patches, to: users}]}
    ...   ops: {provides: [{what: Service, to: users, lead_time: 1h},
    ...                    {what: Incidents, to: dev, lead_time: 3d}]}
    ... '''))
    >>> [crossing] = loop_crossings(g, critical_paths(g), reach(g))
    >>> crossing.customer, crossing.cycle, [(c.provider, c.receiver) for c in crossing.candidates]
    ('users', ('dev', 'ops'), [('ops', 'dev')])
    """
    import networkx as nx

    delivery = delivery_graph(graph)
    group_of: dict[str, int] = {}
    groups: list[set[str]] = []
    for members in nx.strongly_connected_components(delivery):
        if len(members) > 1:
            for node in members:
                group_of[node] = len(groups)
            groups.append(members)
    if not groups:
        return []
    found: list[LoopCrossing] = []
    for path in critical.paths:
        by_group: dict[int, list[tuple[str, str]]] = {}
        for u, v in itertools.pairwise(path.path):
            if u in group_of and group_of[u] == group_of.get(v):
                by_group.setdefault(group_of[u], []).append((u, v))
        for index, inside in by_group.items():
            known = [(u, v) for u, v in inside if u in reach.hops and v in reach.hops]
            away = [(u, v) for u, v in known if reach.hops[v] > reach.hops[u]]
            sideways = [(u, v) for u, v in known if reach.hops[v] == reach.hops[u]]
            candidates = tuple(
                Candidate(u, v, tuple(relations(graph, u, v)), reach.hops[u], reach.hops[v])
                for u, v in (away or sideways)
            )
            if not candidates:
                continue  # every hand-off inside the loop moves toward the customer
            u, v = candidates[0].provider, candidates[0].receiver
            around = cycle_via(delivery, u, v, groups[index])
            cycle = canonical(around) if around is not None else (u, v)
            found.append(
                LoopCrossing(
                    path.customer, cycle, tuple(sorted(groups[index])), candidates, tuple(inside)
                )
            )
    return found
