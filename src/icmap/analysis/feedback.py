"""Critical paths that turn back inside a loop, and the hand-offs that may be unmarked feedback.

In most organisations a loop is feedback: bug reports go back to developers, discharge letters
back to the GP. Delivery does not wait on them, so such hand-offs should say
``feedback: true``. When a customer's critical path runs through a loop of delivery hand-offs
and *turns back* there (it had already moved toward a customer and been as close to one as the
team it is at, and the next hand-off takes the work no closer), the chain it names is usually
one nobody waits on.
:func:`loop_crossings` finds those paths, names the loop by the shortest cycle through the first
such hand-off, and suggests those hand-offs as candidates: first the ones whose name sounds like
feedback (reports, letters, incidents...), then the ones that carry work farther from the
customers, then those that bring it no closer. It suggests; marking is the user's decision.

A hand-off whose name sounds like feedback is a candidate even where the path does not turn
back; otherwise a path that only moves away from the customers at its start (sales takes the
order and hands it to production) is a delivery chain, and is not reported.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from icmap.analysis.loops import canonical, cycle_via
from icmap.compact import collector_paused, compact_delivery
from icmap.graph import delivery_graph, relations

if TYPE_CHECKING:
    from icmap.analysis.critical import CriticalPaths
    from icmap.analysis.reach import Reach
    from icmap.graph import OrgGraph
    from icmap.model import Relation


#: Words in a ``what`` that usually mean information flowing back, not work (lower case).
FEEDBACK_WORDS = (
    "feedback",
    "report",
    "incident",
    "bug",
    "issue",
    "complaint",
    "exception",
    "status",
    "letter",
    "notice",
    "notification",
    "alert",
    "survey",
    "lesson",
    "insight",
    "update",
)


@dataclass(frozen=True)
class Candidate:
    """A hand-off on the path, inside the loop, where the path turns back from the customer."""

    provider: str
    receiver: str
    relations: tuple[Relation, ...]
    provider_hops: int
    receiver_hops: int
    #: A relation on it has a name that sounds like feedback (see :data:`FEEDBACK_WORDS`).
    named_like_feedback: bool = False


def sounds_like_feedback(what: str) -> bool:
    """Whether a relation's name suggests information flowing back.

    >>> sounds_like_feedback("Discharge letters"), sounds_like_feedback("Plated dishes")
    (True, False)
    """
    lowered = what.lower()
    return any(word in lowered for word in FEEDBACK_WORDS)


@dataclass(frozen=True)
class LoopCrossing:
    """A customer's critical path runs round a loop of delivery hand-offs."""

    customer: str
    #: The loop's shortest cycle through the first (likeliest) candidate hand-off.
    cycle: tuple[str, ...]
    #: Every team of the loop group (delivery hand-offs only), sorted.
    loop: tuple[str, ...]
    #: Hand-offs on the path inside the loop that are candidates for ``feedback: true``.
    candidates: tuple[Candidate, ...]
    #: The path's hand-offs inside the loop, in path order.
    inside: tuple[tuple[str, str], ...]


@collector_paused
def loop_crossings(graph: OrgGraph, critical: CriticalPaths, reach: Reach) -> list[LoopCrossing]:
    """Each critical path that turns back inside a delivery loop, with the loop and candidates.

    ``reach`` gives each team's distance to the nearest customer (``icmap report``'s
    distances). A hand-off ``u -> v`` on the path, inside a loop, with ``v`` no nearer a
    customer than ``u``, is a candidate when the path had already moved toward a customer and
    some team before ``u`` was as near as ``u`` (the path turns back there), or when its name
    sounds like feedback.

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
    view = compact_delivery(graph)
    group_of: dict[str, int] = {}
    groups: list[set[str]] = []
    for component in view.components():
        if len(component) > 1:
            members = set(view.names(component))
            for node in members:
                group_of[node] = len(groups)
            groups.append(members)
    if not groups:
        return []
    delivery = delivery_graph(graph)
    found: list[LoopCrossing] = []
    hops = reach.hops
    for path in critical.paths:
        by_group: dict[int, list[tuple[str, str]]] = {}
        turning: dict[int, list[Candidate]] = {}
        closest = None  # the nearest any team before this one on the path came to a customer
        moved_toward = False  # some earlier hand-off on the path brought the work closer
        for u, v in itertools.pairwise(path.path):
            inside = u in group_of and group_of[u] == group_of.get(v)
            if inside:
                by_group.setdefault(group_of[u], []).append((u, v))
            if inside and u in hops and v in hops and hops[v] >= hops[u]:
                found_relations = tuple(relations(delivery, u, v))  # feedback ones aside
                named = any(sounds_like_feedback(r.what) for r in found_relations)
                turned_back = moved_toward and closest is not None and closest <= hops[u]
                if turned_back or named:
                    turning.setdefault(group_of[u], []).append(
                        Candidate(u, v, found_relations, hops[u], hops[v], named)
                    )
            if u in hops:
                closest = hops[u] if closest is None else min(closest, hops[u])
                moved_toward = moved_toward or (v in hops and hops[v] < hops[u])
        for index, candidates in turning.items():
            ranked = sorted(
                candidates,
                key=lambda c: (not c.named_like_feedback, c.receiver_hops <= c.provider_hops),
            )
            first = ranked[0]  # the loop is named by the cycle through the likeliest candidate
            around = cycle_via(delivery, first.provider, first.receiver, groups[index])
            found.append(
                LoopCrossing(
                    path.customer,
                    canonical(around) if around is not None else (first.provider, first.receiver),
                    tuple(sorted(groups[index])),
                    tuple(ranked),
                    tuple(by_group[index]),
                )
            )
    return found
