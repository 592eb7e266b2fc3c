"""Measured flow: what an event log showed moving between teams, ranked for the report and
scaled for the pictures.

The numbers come from each relation's :class:`~icmap.model.Measured` (``icmap import
events`` writes them, ``--from events`` reads them straight from a log); an org without any
has no measured flow, and :func:`measured_flow` returns ``None``. Nothing is re-measured here:
this module only ranks and sums what the relations carry (docs/events.md, "Reading the
measured map").

>>> from icmap.graph import build_graph
>>> from icmap.loader import load_text
>>> org = load_text('''
... customers: {users: {}}
... teams:
...   desk:
...     provides:
...       - {what: Tickets, to: experts, measured: {handoffs: 40, cases: 30, median: 2h,
...          p85: 1d, return_rate: 25%}}
...       - {what: Closed cases, to: users, measured: {handoffs: 90, cases: 90, median: 1h,
...          p85: 3h, alone: 60}}
...   experts:
...     provides:
...       - {what: Answers, to: desk, measured: {handoffs: 12, cases: 10, median: 3d,
...          p85: 5d, return_rate: 0%}}
...       - {what: Closed cases, to: users, measured: {handoffs: 10, cases: 10, alone: 0}}
... ''')
>>> flow = measured_flow(build_graph(org))
>>> flow.cases, flow.handoffs, [(p.provider, p.handoffs) for p in flow.busiest]
(100, 52, [('desk', 40), ('experts', 12)])
>>> [(p.pair.provider, p.pair.return_rate, p.back.handoffs) for p in flow.ping_pong]
[('desk', 0.25, 12)]
>>> flow.alone, flow.alone_share
(60, 0.6)
>>> [(e.team, e.cases, e.share) for e in flow.endings]
[('desk', 90, 0.9), ('experts', 10, 0.1)]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import date

    from icmap.graph import OrgGraph
    from icmap.model import EventOverlay, Measured, Relation

#: Return rates from which a hand-off is drawn amber, then red (below the first: as any
#: hand-off), and from which its label says the rate.
RETURN_BANDS = (0.05, 0.20)
#: A hand-off needs this many to rank among the slowest and the ping-pong pairs: the 85th
#: percentile of two hand-offs, or one of one coming back, says little.
MIN_HANDOFFS = 5
#: Rows of each ranked list.
TOP = 10


@dataclass(frozen=True)
class FlowPair:
    """One measured relation: what the log shows of one hand-off between two teams."""

    provider: str
    receiver: str
    what: str
    handoffs: int
    cases: int
    median_hours: float | None
    p85_hours: float | None
    #: The share of these hand-offs the receiver handed straight back (``None``: not measured).
    return_rate: float | None
    #: Its colour band (:func:`band`): 0 below the first of :data:`RETURN_BANDS`, 1, 2.
    band: int = 0


@dataclass(frozen=True)
class PingPong:
    """A hand-off whose receiver hands work straight back, with the hand-off back, if measured."""

    pair: FlowPair
    #: The same two teams the other way (``None``: the log shows no hand-off back... measured
    #: as a relation of its own).
    back: FlowPair | None


@dataclass(frozen=True)
class Ending:
    """A team whose stays end cases: they go to ``customer``."""

    team: str
    customer: str
    cases: int
    #: Of every case the map shows ending.
    share: float
    #: Of these cases, how many never left the team (``None``: the org does not say).
    alone: int | None
    #: The time from the first event of the last stay to the case's last event.
    median_hours: float | None
    p85_hours: float | None


@dataclass(frozen=True)
class MeasuredFlow:
    """The report's measured section: the flow as the log shows it, ranked."""

    #: Cases the map shows ending with a customer (each case ends once).
    cases: int
    #: Hand-offs between teams, and the relations (pairs) that carry them.
    handoffs: int
    pairs: int
    first: date | None
    last: date | None
    #: Most hand-offs first.
    busiest: tuple[FlowPair, ...]
    #: Highest 85th percentile first, among pairs of at least :data:`MIN_HANDOFFS`.
    slowest: tuple[FlowPair, ...]
    #: Highest return rate first, among pairs of at least :data:`MIN_HANDOFFS` with any return.
    ping_pong: tuple[PingPong, ...]
    #: Pairs with returns left out of :attr:`ping_pong` for having too few hand-offs.
    ping_pong_too_few: int
    #: Most cases first.
    endings: tuple[Ending, ...]
    #: Cases one team took from their first event to their last, and their share of
    #: :attr:`cases`; ``None`` when no relation to a customer says (an older org file).
    alone: int | None
    alone_share: float | None
    #: Relations with no measured numbers (in an org that mixes declared and measured ones).
    unmeasured: int
    #: The thresholds used, for the words around the lists.
    min_handoffs: int = MIN_HANDOFFS
    #: With a log laid over a declared org (``--events``), what the lists leave out of it;
    #: ``None`` otherwise (an org whose numbers came with it).
    left_out: LeftOut | None = None


@dataclass(frozen=True)
class LeftOut:
    """What an event log laid over a declared org shows that the measured section cannot:
    the drift ``icmap check --events`` lists (IC701, IC705)."""

    #: The log's cases, and those not counted as ending with a customer (they end with a team
    #: the org does not have, one whose customer it does not say, or by an undeclared hand-off).
    log_cases: int
    cases: int
    #: Hand-offs between the org's teams that the org does not declare, and their pairs.
    undeclared_handoffs: int
    undeclared_pairs: int
    #: Teams of the log that match none of the org's.
    unmatched_teams: int


def _pair(relation: Relation, measured: Measured) -> FlowPair:
    return FlowPair(
        relation.provider,
        relation.receiver,
        relation.what,
        measured.handoffs,
        measured.cases,
        measured.median.hours if measured.median else None,
        measured.p85.hours if measured.p85 else None,
        measured.return_rate,
        band(measured.return_rate),
    )


def measured_flow(
    graph: OrgGraph, top: int = TOP, overlay: EventOverlay | None = None
) -> MeasuredFlow | None:
    """The measured section of ``graph``'s report; ``None`` when no relation carries measured
    numbers. Each ranked list holds at most ``top`` entries. ``overlay``: the log laid over
    the org, whose cases and hand-offs the org does not declare are counted as left out."""
    pairs: list[FlowPair] = []
    ends: list[tuple[Relation, Measured]] = []
    days: list[date] = []
    unmeasured = 0
    for _, receiver, data in graph.edges(data=True):
        for relation in data.get("relations") or ():
            measured = relation.measured
            if measured is None:
                unmeasured += 1
                continue
            days += [day for day in (measured.first, measured.last) if day is not None]
            # Looked up only for a measured relation: most orgs have none, and at 100,000
            # teams a lookup per hand-off was half of finding that out.
            if graph.nodes[receiver]["kind"] == "customer":
                ends.append((relation, measured))
            else:
                pairs.append(_pair(relation, measured))
    if not pairs and not ends:
        return None
    busiest = sorted(pairs, key=lambda p: (-p.handoffs, *_named(p)))
    enough = [p for p in pairs if p.handoffs >= MIN_HANDOFFS]
    slowest = sorted(
        (p for p in enough if p.p85_hours is not None),
        key=lambda p: (-(p.p85_hours or 0.0), -p.handoffs, *_named(p)),
    )
    bouncing = [p for p in pairs if p.return_rate]
    way: dict[tuple[str, str], FlowPair] = {}
    for pair in busiest:  # the busiest relation stands for each direction
        way.setdefault((pair.provider, pair.receiver), pair)
    ping_pong = sorted(
        (p for p in bouncing if p.handoffs >= MIN_HANDOFFS),
        key=lambda p: (-(p.return_rate or 0.0), -p.handoffs, *_named(p)),
    )
    cases = sum(m.cases for _, m in ends)
    endings = sorted(
        (
            Ending(
                r.provider,
                r.receiver,
                m.cases,
                _share(m.cases, cases),
                m.alone,
                m.median.hours if m.median else None,
                m.p85.hours if m.p85 else None,
            )
            for r, m in ends
        ),
        key=lambda e: (-e.cases, e.team, e.customer),
    )
    told = [m.alone for _, m in ends if m.alone is not None]
    alone = sum(told) if told else None
    return MeasuredFlow(
        cases=cases,
        handoffs=sum(p.handoffs for p in pairs),
        pairs=len(pairs),
        first=min(days, default=None),
        last=max(days, default=None),
        busiest=tuple(busiest[:top]),
        slowest=tuple(slowest[:top]),
        ping_pong=tuple(PingPong(p, way.get((p.receiver, p.provider))) for p in ping_pong[:top]),
        ping_pong_too_few=len(bouncing) - len(ping_pong),
        endings=tuple(endings[:top]),
        alone=alone,
        alone_share=None if alone is None else _share(alone, cases),
        unmeasured=unmeasured,
        left_out=None if overlay is None else _left_out(graph, overlay, cases),
    )


def _left_out(graph: OrgGraph, overlay: EventOverlay, cases: int) -> LeftOut:
    declared = {
        (provider, receiver)
        for provider, receiver, data in graph.edges(data=True)
        for relation in data.get("relations") or ()
        if relation.measured is not None
    }
    undeclared = [
        pair
        for pair in overlay.pairs
        if (pair.provider, pair.receiver) not in declared
        and graph.has_node(pair.receiver)
        and graph.nodes[pair.receiver]["kind"] != "customer"
    ]
    return LeftOut(
        overlay.cases,
        max(0, overlay.cases - cases),
        sum(pair.measured.handoffs for pair in undeclared),
        len(undeclared),
        len(overlay.unmatched),
    )


def _named(pair: FlowPair) -> tuple[str, str, str]:
    """The tie-breaker of every ranking: provider, receiver, what."""
    return (pair.provider, pair.receiver, pair.what)


def _share(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0


# --- the pictures -------------------------------------------------------------------------


@dataclass(frozen=True)
class EdgeMeasure:
    """What a picture draws of one measured hand-off: its width and its colour."""

    #: Every measured relation's hand-offs on the edge, summed.
    handoffs: int
    #: Returns over hand-offs of the relations that measured a return rate; ``None`` for none
    #: (a hand-off to a customer).
    return_rate: float | None
    #: 0 below the first of :data:`RETURN_BANDS`, 1 from it, 2 from the second.
    band: int
    #: The line's width, 1 (one hand-off) to :data:`WIDEST` (the busiest edge drawn).
    width: float


#: The widest measured line, in points.
WIDEST = 7.0


@dataclass(frozen=True)
class MeasuredKey:
    """What a legend says of a measured map: sample widths and the return-rate thresholds."""

    #: ``(hand-offs, width)`` for three counts from 1 to the busiest edge drawn.
    widths: tuple[tuple[int, float], ...]
    bands: tuple[float, float] = RETURN_BANDS


def band(rate: float | None) -> int:
    """The colour band of a return rate (:data:`RETURN_BANDS`).

    >>> band(None), band(0.049), band(0.05), band(0.3)
    (0, 0, 1, 2)
    """
    if rate is None:
        return 0
    return sum(1 for edge in RETURN_BANDS if rate >= edge)


def width(handoffs: int, busiest: int) -> float:
    """A measured line's width: 1 for one hand-off, :data:`WIDEST` for the busiest, growing
    with the square root in between (so a pair ten times as busy is about three times as wide).

    >>> width(1, 992), width(992, 992), width(100, 992)
    (1.0, 7.0, 2.9)
    """
    if busiest <= 1:
        return 1.0
    scaled = math.sqrt(max(handoffs - 1, 0) / (busiest - 1))
    return round(1 + (WIDEST - 1) * min(scaled, 1.0), 2)


def edge_measure(relations: Sequence[Relation], busiest: int) -> EdgeMeasure:
    """The measure drawn for an edge whose relations carry measured numbers."""
    measured = [r.measured for r in relations if r.measured is not None]
    handoffs = sum(m.handoffs for m in measured)
    rated = [m for m in measured if m.return_rate is not None]
    total = sum(m.handoffs for m in rated)
    rate = (
        round(sum((m.return_rate or 0.0) * m.handoffs for m in rated) / total, 6)
        if rated and total
        else None
    )
    return EdgeMeasure(handoffs, rate, band(rate), width(handoffs, busiest))


def busiest_edge(graph: OrgGraph, edges: Iterable[tuple[str, str]] | None = None) -> int:
    """The most hand-offs any edge (of ``edges``, default all) carries; 0 without measured
    numbers."""
    found = 0
    chosen = graph.edges if edges is None else edges
    for u, v in chosen:
        total = sum(r.measured.handoffs for r in graph.edges[u, v]["relations"] if r.measured)
        found = max(found, total)
    return found


def measured_key(busiest: int) -> MeasuredKey:
    """The legend's sample widths: one hand-off, about a quarter of the busiest (rounded to a
    readable number), and the busiest.

    >>> [n for n, _ in measured_key(992).widths]
    [1, 250, 992]
    >>> [n for n, _ in measured_key(3).widths]
    [1, 3]
    """
    middle = {_round(busiest / 4)} if busiest >= 8 else set()
    counts = sorted({1, max(busiest, 1), *middle})
    return MeasuredKey(tuple((n, width(n, busiest)) for n in counts))


def _round(value: float) -> int:
    """A readable count near ``value``: one or two significant digits, 1, 2 or 5 leading.

    >>> _round(248), _round(13.5), _round(0.75), _round(3600)
    (250, 10, 1, 5000)
    """
    if value < 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    steps = [1.0, 2.0, 2.5, 5.0, 10.0]
    best = min(steps, key=lambda s: abs(math.log(value / (s * magnitude))))
    found: int = round(best * magnitude)
    return found
