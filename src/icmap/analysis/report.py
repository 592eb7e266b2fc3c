"""Every analysis of one org in one result, as ``icmap report`` shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from icmap.analysis.cadence import MixedCadence, mixed_cadences
from icmap.analysis.chokepoints import Chokepoint, chokepoints
from icmap.analysis.critical import CriticalPaths, critical_paths
from icmap.analysis.feedback import LoopCrossing, loop_crossings
from icmap.analysis.frontline import FrontLineTeam, front_line
from icmap.analysis.loops import Loop, loop_cycles
from icmap.analysis.measured import MeasuredFlow, measured_flow
from icmap.analysis.reach import Reach, reach
from icmap.analysis.streams import StreamFlow, stream_flows
from icmap.analysis.weakest import CustomerWeakness, weakest_links
from icmap.compact import collector_paused
from icmap.graph import nodes_of_kind
from icmap.topologies import MODES, TEAM_TYPES

if TYPE_CHECKING:
    from icmap.analysis.surveys import SurveyTrends
    from icmap.graph import OrgGraph
    from icmap.model import EventOverlay, Org, Relation


@dataclass(frozen=True)
class Dependency:
    """A hand-off its receiver calls blocking or slowing, and the critical paths it is on."""

    provider: str
    receiver: str
    what: str
    state: str
    #: Customers whose critical path runs through it (empty: it is on none), ties included.
    critical_to: tuple[str, ...]
    #: Those of ``critical_to`` where it is on a chain as long as the path shown, not on it.
    tied_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class PastEnd:
    """A hand-off whose ``until`` is before today."""

    provider: str
    receiver: str
    what: str
    mode: str | None
    until: date
    days: int


@dataclass(frozen=True)
class Topologies:
    """The org in Team Topologies terms: only built when it uses those fields."""

    today: date
    #: Team ids by type, in Team Topologies' order; teams with no type under ``None``.
    team_types: dict[str | None, tuple[str, ...]]
    #: Hand-offs by interaction mode; those with none under ``None``.
    modes: dict[str | None, tuple[Relation, ...]]
    dependencies: tuple[Dependency, ...]
    past_end: tuple[PastEnd, ...]


@dataclass(frozen=True)
class Report:
    """The results of every analysis, plus the counts a summary starts with."""

    organisation: str
    counts: dict[str, int]
    front_line: list[FrontLineTeam]
    reach: Reach
    critical: CriticalPaths
    chokepoints: list[Chokepoint]
    loops: list[Loop]
    weakest: list[CustomerWeakness]
    suppliers: tuple[str, ...] = ()
    #: Critical paths that turn back inside a loop of delivery hand-offs (unmarked feedback?).
    crossings: tuple[LoopCrossing, ...] = ()
    #: Teams and suppliers whose work reaches a customer only through feedback hand-offs: no
    #: delivery chain, so no critical path and no slack.
    feedback_only: tuple[str, ...] = ()
    #: Team types, modes, dependency states and end dates; ``None`` when the org uses none.
    topologies: Topologies | None = None
    #: Survey rounds: scores per hand-off and provider team, bounds round by round.
    surveys: SurveyTrends | None = None
    #: Each value stream's numbers, by stream id; empty when the org declares none.
    streams: tuple[StreamFlow, ...] = ()
    #: Without streams: the critical paths that string weeks of planning onto hours of
    #: delivery, which streams would measure apart (:mod:`icmap.analysis.cadence`).
    mixed_cadences: tuple[MixedCadence, ...] = ()
    #: The event log laid over the org (``--events``), and whether its medians replaced the
    #: declared lead times (``--lead-times measured``); ``None`` without a log.
    events: EventOverlay | None = None
    #: What an event log measured (busiest, slowest and ping-pong hand-offs, where cases
    #: end); ``None`` when no relation carries measured numbers.
    measured: MeasuredFlow | None = None

    @property
    def scored(self) -> bool:
        """Whether any hand-off on the way to a customer has a satisfaction score."""
        return any(item.bound is not None for item in self.weakest)


def _relations(graph: OrgGraph) -> list[Relation]:
    found: list[Relation] = []
    for _, _, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])):
        found += data.get("relations") or []
    return found


def topologies(graph: OrgGraph, critical: CriticalPaths, today: date) -> Topologies | None:
    """The Team Topologies sections of the report, or ``None`` when the org uses no such field.

    Past its end means ``until`` is before ``today``, whatever the mode.
    """
    relations = _relations(graph)
    teams = sorted(nodes_of_kind(graph, "team"))
    typed = {n: graph.nodes[n].get("type") for n in teams}
    used = any(typed.values()) or any(r.mode or r.state or r.since or r.until for r in relations)
    if not used:
        return None
    team_types: dict[str | None, tuple[str, ...]] = {}
    for kind in (*TEAM_TYPES, None):
        members = tuple(n for n in teams if typed[n] == kind)
        if members:
            team_types[kind] = members
    modes: dict[str | None, tuple[Relation, ...]] = {}
    for mode in (*MODES, None):
        having = tuple(r for r in relations if r.mode == mode)
        if having:
            modes[mode] = having
    on_path = critical.critical_handoffs()  # ties included: every hand-off with no slack
    tied: dict[tuple[str, str], list[str]] = {}
    for path in critical.paths:
        for edge in path.ties:
            tied.setdefault(edge, []).append(path.customer)
    dependencies = tuple(
        Dependency(
            r.provider,
            r.receiver,
            r.what,
            r.state,
            () if r.feedback else tuple(on_path.get((r.provider, r.receiver), ())),
            () if r.feedback else tuple(tied.get((r.provider, r.receiver), ())),
        )
        for state in ("blocking", "slowing")
        for r in relations
        if r.state == state
    )
    past_end = tuple(
        sorted(
            (
                PastEnd(r.provider, r.receiver, r.what, r.mode, r.until, (today - r.until).days)
                for r in relations
                if r.until is not None and r.until < today
            ),
            key=lambda p: (p.until, p.provider, p.receiver, p.what),
        )
    )
    return Topologies(today, team_types, modes, dependencies, past_end)


def _trends(org: Org | None, critical: CriticalPaths, graph: OrgGraph) -> SurveyTrends | None:
    if org is None or not org.surveys:
        return None
    # Imported only for an org with survey rounds: most have none, and it is a fair part of
    # a small org's `icmap report` start-up (docs/performance.md#start-up).
    from icmap.analysis.surveys import survey_trends

    return survey_trends(org, critical, graph)


@collector_paused
def build_report(graph: OrgGraph, today: date | None = None, org: Org | None = None) -> Report:
    """Run every analysis on ``graph``; ``today`` (default: the real date) judges end dates.

    ``org`` (the one ``graph`` was built from) adds the trends of its survey rounds.
    """
    counts = {"teams": 0, "customers": 0, "suppliers": 0, "handoffs": graph.number_of_edges()}
    for node in graph.nodes:
        counts[graph.nodes[node]["kind"] + "s"] += 1
    critical = critical_paths(graph)
    distances = reach(graph)
    return Report(
        organisation=str(graph.graph.get("name") or ""),
        counts=counts,
        front_line=front_line(graph),
        reach=distances,
        critical=critical,
        chokepoints=chokepoints(graph),
        loops=loop_cycles(graph),
        weakest=weakest_links(graph, critical),
        suppliers=tuple(nodes_of_kind(graph, "supplier")),
        crossings=tuple(loop_crossings(graph, critical)),
        feedback_only=tuple(
            sorted(
                n
                for n in distances.hops
                if n not in critical.slack and graph.nodes[n]["kind"] != "customer"
            )
        ),
        topologies=topologies(graph, critical, today or date.today()),
        surveys=_trends(org, critical, graph),
        streams=tuple(stream_flows(graph)),
        mixed_cadences=mixed_cadences(graph, critical),
        events=org.events if org is not None else None,
        measured=measured_flow(graph, overlay=org.events if org is not None else None),
    )
