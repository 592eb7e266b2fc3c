"""Critical paths that mix cadences: weeks of planning strung onto hours of delivery.

An org that declares no value streams has one flow: every hand-off on the way to a customer.
Its critical path then often strings a planning cadence (a quarterly plan, a monthly review)
onto the order flow, a chain that no single piece of work travels. When the longest hand-off
of a customer's critical path takes at least :data:`MIXED_CADENCE` times as long as its
shortest timed one, the report says so and points to value streams
(docs/format.md#value-streams), which measure each flow on its own. An org with streams
gets no such hint: it has said which flows it runs.

>>> from icmap.analysis.critical import critical_paths
>>> from icmap.graph import build_graph
>>> from icmap.loader import load_text
>>> graph = build_graph(load_text('''
... customers: {shop: {}}
... teams:
...   plan: {provides: [{what: Plan, to: pick, lead_time: 4w}]}
...   pick: {provides: [{what: Parcels, to: shop, lead_time: 2h}]}
... '''))
>>> [mix] = mixed_cadences(graph, critical_paths(graph))
>>> mix.customer, mix.slowest.provider, mix.fastest.provider, mix.ratio
('shop', 'plan', 'pick', 336.0)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from icmap.graph import relations

if TYPE_CHECKING:
    from icmap.analysis.critical import CriticalPaths
    from icmap.graph import OrgGraph

#: How many times the shortest timed hand-off the longest must take to call it mixed.
MIXED_CADENCE = 100


@dataclass(frozen=True)
class TimedHandOff:
    """A hand-off of a critical path and its lead time in hours (delivery relations only)."""

    provider: str
    receiver: str
    hours: float


@dataclass(frozen=True)
class MixedCadence:
    """A customer's critical path whose slowest hand-off takes ``ratio`` times its fastest."""

    customer: str
    slowest: TimedHandOff
    fastest: TimedHandOff
    ratio: float


def mixed_cadences(graph: OrgGraph, critical: CriticalPaths) -> tuple[MixedCadence, ...]:
    """The critical paths of ``critical`` (of ``graph``) that mix cadences, by customer.

    Empty when ``graph`` declares value streams or has no lead times. A hand-off's lead time is
    the longest of its delivery relations' (feedback does not make the path); hand-offs with
    none, or with a zero one, are not compared. Of equal ones, the first along the path is named.
    """
    if graph.graph.get("streams") or critical.unit != "hours":
        return ()
    found = []
    for path in critical.paths:
        timed = []
        for provider, receiver in itertools.pairwise(path.path):
            hours = [
                r.lead_time.hours
                for r in relations(graph, provider, receiver)
                if r.lead_time and not r.feedback
            ]
            if hours and max(hours) > 0:
                timed.append(TimedHandOff(provider, receiver, max(hours)))
        if len(timed) < 2:
            continue
        slowest = max(timed, key=lambda t: t.hours)
        fastest = min(timed, key=lambda t: t.hours)
        ratio = slowest.hours / fastest.hours
        if ratio >= MIXED_CADENCE:
            found.append(MixedCadence(path.customer, slowest, fastest, round(ratio, 6)))
    return tuple(sorted(found, key=lambda m: m.customer))
