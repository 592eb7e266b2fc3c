"""Critical paths that turn back inside a loop, and the hand-offs that may be unmarked feedback.

In most organisations a loop is feedback: bug reports go back to developers, discharge letters
back to the GP. Delivery does not wait on them, so such hand-offs should say
``feedback: true``. When a customer's critical path runs through a loop of delivery hand-offs
and *turns back* there, the chain it names is usually one nobody waits on. Each path is judged
by the distance to its own customer over delivery hand-offs: it turns back at a hand-off inside
the loop that takes the work farther from that customer after an earlier hand-off on the path
had brought it closer.
:func:`loop_crossings` finds those paths, names the loop by the shortest cycle through the first
such hand-off, and suggests those hand-offs as candidates: first the ones whose name sounds like
feedback (reports, letters, incidents...), then the ones that carry work farther from the
customer, then those that bring it no closer. It suggests; marking is the user's decision.

A hand-off inside the loop whose name sounds like feedback is a candidate even where the path
does not turn back, as long as it brings the work no closer; otherwise a path that only moves
away from the customer at its start (sales takes the order and hands it to production) is a
delivery chain, and is not reported.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from icmap.analysis.loops import canonical, cycle_via
from icmap.compact import collector_paused, compact_delivery
from icmap.graph import delivery_graph, relations

if TYPE_CHECKING:
    from icmap.analysis.critical import CriticalPaths
    from icmap.analysis.reach import Reach
    from icmap.compact import Compact
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
    """A hand-off on the path, inside the loop, where the path turns back from the customer.

    ``provider_hops`` and ``receiver_hops``: the fewest delivery hand-offs from the provider
    and the receiver to the path's own customer.
    """

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
def loop_crossings(
    graph: OrgGraph, critical: CriticalPaths, reach: Reach | None = None
) -> list[LoopCrossing]:
    """Each critical path that turns back inside a delivery loop, with the loop and candidates.

    Each path is judged by the distance to *its own* customer: the fewest delivery hand-offs
    (feedback ones left out) from a team to that customer. A hand-off ``u -> v`` on the path,
    inside a loop, is a candidate when ``v`` is farther from the customer than ``u`` and an
    earlier hand-off on the path had brought the work closer (the path turns back there), or
    when ``v`` is no nearer than ``u`` and its name sounds like feedback. ``reach`` is no
    longer used (its distances are to the nearest customer, whichever it is); it is accepted so
    that older calls keep working.

    >>> from icmap.analysis.critical import critical_paths
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
    >>> [crossing] = loop_crossings(g, critical_paths(g))
    >>> crossing.customer, crossing.cycle, [(c.provider, c.receiver) for c in crossing.candidates]
    ('users', ('dev', 'ops'), [('ops', 'dev')])
    """
    view = compact_delivery(graph)
    group_of: dict[int, int] = {}
    groups: list[set[str]] = []
    for component in view.components():
        if len(component) > 1:
            for node in component:
                group_of[node] = len(groups)
            groups.append(set(view.names(component)))
    if not groups:
        return []
    delivery = delivery_graph(graph)
    index = view.index
    found: list[LoopCrossing] = []
    for path in critical.paths:
        nodes = [index[n] for n in path.path]
        steps = list(itertools.pairwise(nodes))
        if not any(u in group_of and group_of[u] == group_of.get(v) for u, v in steps):
            continue  # the path crosses no loop: nothing to judge, no distances to compute
        distance = distances_to(view, nodes[-1])
        by_group: dict[int, list[tuple[str, str]]] = {}
        turning: dict[int, list[Candidate]] = {}
        moved_toward = False  # some earlier hand-off on the path brought the work closer
        for u, v in steps:
            # Every team on the path reaches its customer along the path itself.
            far_u, far_v = distance[u], distance[v]
            group = group_of.get(u)
            if group is not None and group == group_of.get(v):
                provider, receiver = view.ids[u], view.ids[v]
                by_group.setdefault(group, []).append((provider, receiver))
                if far_v >= far_u:
                    found_relations = tuple(relations(delivery, provider, receiver))
                    named = any(sounds_like_feedback(r.what) for r in found_relations)
                    turned_back = moved_toward and far_v > far_u
                    if turned_back or named:
                        turning.setdefault(group, []).append(
                            Candidate(provider, receiver, found_relations, far_u, far_v, named)
                        )
            moved_toward = moved_toward or far_v < far_u
        for group, candidates in turning.items():
            ranked = sorted(
                candidates,
                key=lambda c: (not c.named_like_feedback, c.receiver_hops <= c.provider_hops),
            )
            first = ranked[0]  # the loop is named by the cycle through the likeliest candidate
            around = cycle_via(delivery, first.provider, first.receiver, groups[group])
            found.append(
                LoopCrossing(
                    path.customer,
                    canonical(around) if around is not None else (first.provider, first.receiver),
                    tuple(sorted(groups[group])),
                    tuple(ranked),
                    tuple(by_group[group]),
                )
            )
    return found


def distances_to(view: Compact, customer: int) -> dict[int, int]:
    """Fewest hand-offs of ``view`` from each node that reaches ``customer`` to it (BFS).

    O(nodes + hand-offs) upstream of the customer; the customer itself is at 0.
    """
    distance = {customer: 0}
    queue = deque([customer])
    pred = view.pred
    while queue:
        node = queue.popleft()
        after = distance[node] + 1
        for provider in pred[node]:
            if provider not in distance:
                distance[provider] = after
                queue.append(provider)
    return distance
