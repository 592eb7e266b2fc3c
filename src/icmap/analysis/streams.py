"""Value streams: each flow the organisation runs for a customer, measured on its own.

A value stream (an order to its delivery, a return to its refund) is the hand-offs whose
relations name it (:func:`icmap.graph.stream_graphs`). Each is measured as value stream
mapping measures a process, over a graph of teams instead of a line of steps
(docs/analyses.md#value-streams):

- its **critical path** and **lead time**: the longest chain of its hand-offs to its customer
  (:func:`icmap.analysis.critical.critical_paths` on the stream alone), and each team's slack;
- **flow efficiency**: process time ÷ lead time along that path, over the hand-offs that give
  a process time (``process_known`` of ``len(steps)``);
- **rolled first-pass quality** (rolled %C&A): the product of every stream hand-off's %C&A.
  Every input a team needs must arrive right, so all of the stream's hand-offs count, not only
  the critical path's; those without a %C&A count as 1 and are not in ``ca_known``;
- **lead time with rework**: a hand-off found wrong is redone, so each step of the critical
  path takes its lead time ÷ its %C&A in expectation; summed along the path;
- its **constraints**: the step of the critical path with the longest lead time, and the
  hand-off of the stream with the lowest %C&A;
- its **target**: met or missed by how much.

One hand-off may carry several of the stream's relations: it weighs the longest lead time and
the longest process time among them (the receiver waits for all, worked side by side), and its
%C&A is their product (each must arrive right).

>>> from icmap.graph import build_graph
>>> from icmap.loader import load_text
>>> org = load_text('''
... customers: {shop: {}}
... streams: {order: {customer: shop, target: 2d}}
... teams:
...   a: {provides: [{what: Parts, to: b, streams: order,
...                   lead_time: 1d, process_time: 2h, complete_accurate: 80%}]}
...   b: {provides: [{what: Goods, to: shop, streams: order,
...                   lead_time: 2d, process_time: 4h, complete_accurate: 0.5}]}
... ''')
>>> [flow] = stream_flows(build_graph(org))
>>> flow.path, flow.lead_time, flow.flow_efficiency, flow.rolled_ca
(('a', 'b', 'shop'), 72.0, 0.083333, 0.4)
>>> flow.lead_time_with_rework, flow.target_gap
(126.0, 24.0)
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from icmap.analysis.critical import (
    CriticalPath,
    Unit,
    cut_order,
    paths_of_view,
    split_view,
    unit_of_view,
)
from icmap.compact import StreamView, cached, collector_paused, stream_views

if TYPE_CHECKING:
    from icmap.graph import OrgGraph
    from icmap.model import Relation, Stream

#: How many of the lowest-%C&A hand-offs ``costliest`` lists.
COSTLIEST = 3


@dataclass(frozen=True)
class StreamStep:
    """One hand-off of a stream, with the numbers value stream mapping puts under a step.

    Times are in hours (``None`` where no relation on it gives one); ``what`` lists the
    stream's relations on it.
    """

    provider: str
    receiver: str
    what: tuple[str, ...]
    lead_time: float | None
    process_time: float | None
    complete_accurate: float | None

    @property
    def waiting(self) -> float | None:
        """The lead time less the process time: what the work spends waiting."""
        if self.lead_time is None or self.process_time is None:
            return None
        return _tidy(self.lead_time - self.process_time)


@dataclass(frozen=True)
class StreamFlow:
    """One value stream's numbers. ``steps`` follow ``path`` (its critical path)."""

    stream: Stream
    unit: Unit
    path: tuple[str, ...]
    steps: tuple[StreamStep, ...]
    #: The critical path's lead time: hours, or hand-offs when no step has a lead time.
    lead_time: float
    missing_lead_times: int
    #: False when a large loop inside the stream was cut to find its path (see critical.py).
    exact: bool
    #: Hand-offs off the path on a chain as long as it (see CriticalPath.ties).
    ties: tuple[tuple[str, str], ...]
    #: Each team's and supplier's slack within the stream (0 on the critical path).
    slack: dict[str, float]
    handoffs: int
    #: Teams and suppliers with a hand-off in the stream (its customer not counted).
    teams: tuple[str, ...]
    process_time: float | None
    process_known: int
    flow_efficiency: float | None
    rolled_ca: float | None
    ca_known: int
    #: The stream's hand-offs with the lowest %C&A below 100%, lowest first (at most 3).
    costliest: tuple[StreamStep, ...]
    lead_time_with_rework: float | None
    #: The step of the critical path with the longest lead time.
    constraint: StreamStep | None
    #: The hand-off of the stream with the lowest %C&A (below 100%).
    quality_constraint: StreamStep | None
    #: Lead time less the target, in hours: above 0 missed, 0 or below met.
    target_gap: float | None
    #: Every hand-off of the stream, (provider, receiver), sorted: what a picture of it lights.
    edges: tuple[tuple[str, str], ...] = ()
    #: Teams in a loop of the stream's hand-offs: their slack in it is a lower bound.
    looped: frozenset[str] = frozenset()

    @property
    def id(self) -> str:
        return self.stream.id

    @property
    def customer(self) -> str:
        return self.stream.customer

    @property
    def target_met(self) -> bool | None:
        """Whether the lead time is within the target (``None`` without a target or hours)."""
        return None if self.target_gap is None else self.target_gap <= 0

    def place(self, team: str) -> TeamPlace | None:
        """Where ``team`` stands in this stream, or ``None`` when it has no hand-off in it."""
        if team not in self.slack and team not in self.teams:
            return None
        on_path = team in self.path
        position = self.path.index(team) + 1 if on_path else None
        return TeamPlace(
            self.stream.id,
            on_path,
            position,
            len(self.path) - 1,
            self.slack.get(team),
            team in self.looped,
            not on_path and any(provider == team for provider, _ in self.ties),
        )


@dataclass(frozen=True)
class TeamPlace:
    """A team's place in one stream: on its critical path (step ``position`` of ``steps``)
    or off it with ``slack``."""

    stream: str
    on_critical_path: bool
    position: int | None
    steps: int
    slack: float | None
    #: Whether the team sits in a loop of the stream's hand-offs: its slack is a lower bound.
    slack_lower_bound: bool = False
    #: Off the path shown, but on a chain as long as it (one of the stream's ``ties``): no
    #: slack, critical too.
    tied: bool = False


def _step(provider: str, receiver: str, relations: list[Relation]) -> StreamStep:
    leads = [r.lead_time.hours for r in relations if r.lead_time]
    processes = [r.process_time.hours for r in relations if r.process_time]
    shares = [r.complete_accurate for r in relations if r.complete_accurate is not None]
    return StreamStep(
        provider,
        receiver,
        tuple(r.what for r in relations),
        max(leads) if leads else None,
        max(processes) if processes else None,
        _tidy(math.prod(shares)) if shares else None,
    )


@collector_paused
def stream_flows(graph: OrgGraph) -> list[StreamFlow]:
    """Every value stream's numbers, in the order of their ids (empty without streams).

    Computed once per graph (:func:`icmap.compact.cached`); each stream costs a pass over its
    own hand-offs, on arrays picked out of the org's in one pass for all streams
    (:func:`icmap.compact.stream_views`): no graph per stream.
    """
    return cached(graph, "streams", lambda: _stream_flows(graph))


def stream_flow_alone(graph: OrgGraph, stream: str) -> StreamFlow:
    """The numbers :func:`stream_flows` gives ``stream``, measuring no other stream:
    ``icmap graph --stream ID`` shows one."""
    streams: dict[str, Stream] = graph.graph.get("streams") or {}
    views = stream_views(graph)
    if stream not in views:  # whatever stream_flows does with it, the same here
        return next(f for f in stream_flows(graph) if f.id == stream)
    return _flow(streams[stream], views[stream])


def _stream_flows(graph: OrgGraph) -> list[StreamFlow]:
    streams: dict[str, Stream] = graph.graph.get("streams") or {}
    views = stream_views(graph)
    return [_flow(streams[stream], views[stream]) for stream in sorted(views)]


def _flow(stream: Stream, mine: StreamView) -> StreamFlow:
    view, delivery = mine.view, mine.delivery
    ids = view.ids
    unit, missing = unit_of_view(view)
    split = split_view(delivery, unit, functools.partial(_cut_order, mine))
    critical = paths_of_view(split, unit, view.edges, missing)
    found = next(
        (p for p in critical.paths if p.customer == stream.customer),
        # None of its hand-offs delivers to its customer (a source that does not refuse
        # that, as the loader does with IC108): a path of the customer alone, as for a
        # customer no delivery hand-off reaches.
        CriticalPath(stream.customer, (stream.customer,), 0.0, 0),
    )
    index = view.index
    along = tuple(
        _step(u, v, mine.relations_of(index[u], index[v]))
        for u, v in itertools.pairwise(found.path)
    )
    hours = critical.unit == "hours"

    measured = [s for s in along if s.process_time is not None and s.lead_time is not None]
    worked = sum(s.process_time or 0.0 for s in measured)
    process_time = _tidy(worked) if measured else None
    measured_lead = sum(s.lead_time or 0.0 for s in measured)
    efficiency = None
    if measured and measured_lead > 0:
        # From the sums as they are: rounding the work first skewed short steps (1m of 1m).
        efficiency = _tidy(worked / measured_lead)

    # Every hand-off's %C&A counts; a full step is made only for the few shown. Indices order
    # as ids do, so the lowest are found on indices and named after.
    shares: list[tuple[float, int, int]] = []
    share: float | None
    for (u, v), share in zip(mine.edges, mine.shares, strict=True):
        if share is not None:
            shares.append((_tidy(share), u, v))
    # In one order whatever order the hand-offs come in: a product of floats rounds
    # differently in another order, and a stream's numbers must not depend on it.
    rolled = _tidy(math.prod(sorted(share for share, _, _ in shares))) if shares else None
    rework = None
    if hours and any(s.complete_accurate is not None for s in along):
        rework = _tidy(sum((s.lead_time or 0.0) / (s.complete_accurate or 1.0) for s in along))
    lowest = heapq.nsmallest(COSTLIEST, (entry for entry in shares if entry[0] < 1.0))
    below = [_step(ids[u], ids[v], mine.relations_of(u, v)) for _, u, v in lowest]
    timed = [s for s in along if s.lead_time is not None]
    constraint = max(timed, key=lambda s: s.lead_time or 0.0) if timed else None
    gap = None
    if stream.target is not None and hours:
        gap = _tidy(found.total - stream.target.hours)
    teams = tuple(ids[u] for u, row in enumerate(view.succ) if row)
    return StreamFlow(
        stream,
        critical.unit,
        found.path,
        along,
        found.total,
        found.missing_lead_times,
        found.exact,
        found.ties,
        dict(critical.slack),
        view.edges,
        teams,
        process_time,
        len(measured),
        efficiency,
        rolled,
        len(shares),
        tuple(below),
        rework,
        constraint,
        below[0] if below else None,
        gap,
        tuple((ids[u], ids[v]) for u, v in mine.edges),
        critical.looped,
    )


def _cut_order(mine: StreamView, members: list[int]) -> dict[int, int]:
    return cut_order(members, mine.order)


def flows_of(graph: OrgGraph, team: str) -> list[tuple[StreamFlow, TeamPlace]]:
    """The streams ``team`` has a hand-off in, with its place in each."""
    found = []
    for flow in stream_flows(graph):
        place = flow.place(team)
        if place is not None:
            found.append((flow, place))
    return found


def _tidy(value: float) -> float:
    return round(value, 6)
