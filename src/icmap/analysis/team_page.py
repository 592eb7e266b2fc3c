"""A team's own page, in the spirit of the Team Topologies Team API template.

What the team provides and to whom, what it receives and from whom, its type, how far its
work is from each customer, whether it is on a critical path (and its slack), the value
streams it serves and its place in each, whether it is a chokepoint, and its blast radius.
Pure: the renderers in :mod:`icmap.render` print it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from icmap.analysis.chokepoints import dependents_of
from icmap.analysis.critical import CriticalPaths, Unit, critical_paths
from icmap.analysis.impact import Impact, impact
from icmap.analysis.streams import StreamFlow, TeamPlace, flows_of
from icmap.compact import collector_paused
from icmap.graph import nodes_of_kind, relations

if TYPE_CHECKING:
    from icmap.graph import OrgGraph
    from icmap.model import Kind, Measured, Relation, SurveyScore


@dataclass(frozen=True)
class HandOff:
    """One relation seen from the page's team: the other party and what passes between them."""

    party: str
    name: str
    kind: Kind
    what: str
    lead_time_hours: float | None
    satisfaction: float | None
    feedback: bool
    mode: str | None
    since: date | None
    until: date | None
    state: str | None
    #: Where a survey round scored it: the round, answers, YAML value, experienced lead time.
    survey: SurveyScore | None = None
    #: What an event log laid over the org (``--events``) measured of it, and the declared
    #: lead time, which differs from ``lead_time_hours`` with ``--lead-times measured``.
    measured: Measured | None = None
    declared_lead_time_hours: float | None = None


@dataclass(frozen=True)
class TeamPage:
    """Everything ``icmap team`` shows about one team (or outside supplier)."""

    team: str
    name: str
    kind: Kind
    type: str | None
    group: str | None
    lead: str | None
    description: str | None
    provides: tuple[HandOff, ...]
    receives: tuple[HandOff, ...]
    #: Fewest hand-offs from the team to each customer its work reaches, by customer id.
    distances: dict[str, int]
    #: Customers whose critical path runs through the team.
    critical_for: tuple[str, ...]
    #: Its slack in ``unit``: ``None`` when its delivered work reaches no customer.
    slack: float | None
    unit: Unit
    #: Teams and suppliers whose every path to a customer runs through this one.
    dependents: tuple[str, ...]
    impact: Impact
    #: The value streams the team has a hand-off in, by stream id, with its place in each.
    streams: tuple[tuple[StreamFlow, TeamPlace], ...] = ()
    #: Whether the org declares any value stream (a page says "no stream" only then).
    streams_declared: bool = False
    #: Whether the team sits in a loop of delivery hand-offs, where its slack is a lower bound.
    slack_lower_bound: bool = False
    #: Those of ``critical_for`` whose critical path the team is on only through a chain as
    #: long as the one shown (a tie).
    tied_to: tuple[str, ...] = ()

    @property
    def chokepoint(self) -> bool:
        """Whether some other team depends on this one for its line of sight."""
        return bool(self.dependents)

    def verdict(self) -> str:
        """Its blast radius in one line (:meth:`Impact.verdict`)."""
        return self.impact.verdict()


def _hand_off(graph: OrgGraph, other: str, relation: Relation) -> HandOff:
    hours = relation.lead_time.hours if relation.lead_time else None
    declared = relation.declared_lead_time
    return HandOff(
        party=other,
        name=str(graph.nodes[other]["name"]),
        kind=graph.nodes[other]["kind"],
        what=relation.what,
        lead_time_hours=hours,
        satisfaction=relation.satisfaction,
        feedback=relation.feedback,
        mode=relation.mode,
        since=relation.since,
        until=relation.until,
        state=relation.state,
        survey=relation.survey,
        measured=relation.measured,
        declared_lead_time_hours=declared.hours if declared else None,
    )


@collector_paused
def team_page(
    graph: OrgGraph,
    team: str,
    *,
    critical: CriticalPaths | None = None,
) -> TeamPage:
    """The page of ``team`` (an id in ``graph``, not a customer).

    ``critical`` reuses :func:`critical_paths` when pages of several teams are built from one
    graph.

    >>> from icmap.graph import build_graph
    >>> from icmap.loader import load_text
    >>> g = build_graph(load_text('''
    ... customers: {diners: {}}
    ... teams:
    ...   kitchen: {provides: [{what: Dishes, to: waiters, lead_time: 15m}]}
    ...   waiters: {provides: [{what: Service, to: diners}]}
    ... '''))
    >>> page = team_page(g, "waiters")
    >>> page.distances, page.critical_for, page.dependents
    ({'diners': 1}, ('diners',), ('kitchen',))
    """
    import networkx as nx

    critical = critical if critical is not None else critical_paths(graph)
    node = graph.nodes[team]
    provides = tuple(
        _hand_off(graph, receiver, r)
        for receiver in sorted(graph.successors(team))
        for r in relations(graph, team, receiver)
    )
    receives = tuple(
        _hand_off(graph, provider, r)
        for provider in sorted(graph.predecessors(team))
        for r in relations(graph, provider, team)
    )
    hops = nx.single_source_shortest_path_length(graph, team)
    distances = {c: hops[c] for c in nodes_of_kind(graph, "customer") if c in hops}
    dependents = dependents_of(graph, team)
    return TeamPage(
        team=team,
        name=str(node["name"]),
        kind=node["kind"],
        type=node.get("type"),
        group=node.get("group"),
        lead=node.get("lead"),
        description=node.get("description"),
        provides=provides,
        receives=receives,
        distances=distances,
        critical_for=tuple(sorted(p.customer for p in critical.paths if team in p.team_set)),
        slack=critical.slack.get(team),
        unit=critical.unit,
        dependents=dependents,
        impact=impact(graph, [team]),
        streams=tuple(flows_of(graph, team)),
        streams_declared=bool(graph.graph.get("streams")),
        slack_lower_bound=team in critical.looped,
        tied_to=tuple(sorted(p.customer for p in critical.paths if p.only_tied({team}))),
    )
