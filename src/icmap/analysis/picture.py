"""What a picture of the graph shows: which nodes and edges, and the role of each.

Choosing what to draw is computation, so it happens here; the renderers in
:mod:`icmap.render` (DOT, Mermaid, JSON, HTML) only format a :class:`Picture`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from icmap.analysis.frontline import front_line
from icmap.analysis.loops import loops
from icmap.analysis.measured import (
    RETURN_BANDS,
    EdgeMeasure,
    MeasuredKey,
    busiest_edge,
    edge_measure,
    measured_key,
)
from icmap.analysis.reach import reach
from icmap.compact import collector_paused
from icmap.graph import is_feedback, relations
from icmap.model import Kind, Relation, format_hours, format_share
from icmap.topologies import MODES, STATES, TEAM_TYPES

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator, Sequence

    from icmap.analysis.impact import Impact
    from icmap.analysis.streams import StreamFlow
    from icmap.graph import OrgGraph

Role = Literal["failed", "downstream", "stranded", "upstream", "focus"]


@dataclass(frozen=True, slots=True)
class PictureNode:
    id: str
    label: str
    kind: Kind
    group: str | None = None
    front_line: bool = False
    role: Role | None = None
    lead: str | None = None
    description: str | None = None
    #: Team Topologies team type (stream-aligned, platform, enabling, complicated-subsystem).
    type: str | None = None
    #: In the group overview, how many teams (or customers, suppliers) this node stands for;
    #: ``None`` for a node that is one team, customer or supplier.
    teams: int | None = None
    #: In a value stream's picture: on the stream's critical path (or a chain as long).
    critical: bool = False


@dataclass(frozen=True, slots=True)
class PictureEdge:
    """A hand-off to draw; ``elided`` stands for a chain through teams left out of the picture."""

    provider: str
    receiver: str
    label: str
    in_loop: bool = False
    elided: bool = False
    relations: tuple[Relation, ...] = ()
    #: Flows away from the customer (the provider is no farther from one than the receiver):
    #: drawn without pulling the layout, so the main flow still reads toward the customer.
    backward: bool = False
    #: Marked ``feedback: true`` (every relation on it): drawn dashed.
    feedback: bool = False
    #: The interaction mode drawn: the most involved of its relations' (collaboration, then
    #: facilitating, then x-as-a-service); ``None`` when none says.
    mode: str | None = None
    #: The worst state of its relations (blocking, then slowing, then ok); ``None`` when none says.
    state: str | None = None
    #: In the group overview, how many hand-offs (team-to-team edges) this edge stands for;
    #: ``None`` for an edge that is one hand-off.
    handoffs: int | None = None
    #: In a value stream's picture: a step of the stream's critical path (or of a chain as long).
    critical: bool = False
    #: What an event log measured of it (its relations' ``measured:``): drawn as wide as its
    #: hand-offs, in its return rate's colour. ``None`` when none of its relations says.
    measured: EdgeMeasure | None = None


#: Modes from the most involved: a hand-off mixing modes is drawn as the first one it has.
_MODE_ORDER = ("collaboration", "facilitating", "x-as-a-service")
#: States from the worst.
_STATE_ORDER = ("blocking", "slowing", "ok")
#: States a picture marks on the edge, in colour and in words.
MARKED_STATES = ("blocking", "slowing")


def edge_mode(found: Sequence[Relation]) -> str | None:
    """The mode a hand-off is drawn with: the most involved one among its relations."""
    modes = {r.mode for r in found}
    return next((m for m in _MODE_ORDER if m in modes), None)


def edge_state(found: Sequence[Relation]) -> str | None:
    """The state a hand-off is drawn with: the worst among its relations."""
    states = {r.state for r in found}
    return next((s for s in _STATE_ORDER if s in states), None)


@dataclass(frozen=True)
class Legend:
    """The Team Topologies words a picture uses, in the order Team Topologies gives them."""

    types: tuple[str, ...]
    modes: tuple[str, ...]
    states: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.types or self.modes or self.states)


#: Node marks a legend explains, in the order it lists them.
KEY_NODES = ("team", "front-line", "group", "front-line-group", "customer", "supplier")
#: Line styles a legend explains (besides Team Topologies' modes and states); ``handoffs``
#: is an overview's edge, drawn thicker the more hand-offs it counts.
KEY_LINES = ("handoff", "handoffs", "critical", "loop", "feedback", "elided")
#: Roles of an impact, focus or group picture, in the order a legend lists them.
KEY_ROLES: tuple[Role, ...] = ("focus", "failed", "downstream", "stranded", "upstream")


@dataclass(frozen=True)
class Key:
    """The kinds of node, roles and line styles a picture draws: every legend entry it needs."""

    nodes: tuple[str, ...]
    roles: tuple[Role, ...]
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Picture:
    title: str
    nodes: list[PictureNode]
    edges: list[PictureEdge]
    notes: list[str] = field(default_factory=list)
    #: In the group overview and a drill-down's edge: each org node drawn as part of a node
    #: that stands for several (a group, all customers), with that node's id.
    stands_for: dict[str, str] = field(default_factory=dict)
    #: In a value stream's picture (``icmap graph --stream``): the stream's numbers.
    stream: StreamFlow | None = None
    #: When some hand-off drawn carries measured numbers: the widths and return-rate
    #: thresholds the legend explains.
    measured: MeasuredKey | None = None

    @property
    def key(self) -> Key:
        """What a full legend lists beside :attr:`legend`: only what the picture draws."""
        # A typed team is drawn in its type's colours, which :attr:`legend` explains.
        plain = [n for n in self.nodes if n.kind != "team" or n.type not in TEAM_TYPES]
        nodes: set[str] = {n.kind for n in plain if n.kind != "team"}
        for n in plain:
            # A team in a role is drawn in the role's colours, which the role's entry shows;
            # only a front-line border stays to explain.
            if n.kind == "team" and (n.role is None or n.front_line):
                # An overview's group is drawn as a team is, larger the more teams it holds.
                word = "team" if n.teams is None else "group"
                nodes.add(f"front-line-{word}" if n.front_line else word)
        nodes = {"front-line" if k == "front-line-team" else k for k in nodes}
        roles = {n.role for n in self.nodes}
        # A critical step is drawn in the critical path's colour, whatever else it is.
        # A measured hand-off is drawn in its return rate's colour, which the measured key
        # explains, even in a loop.
        plain_lines = [
            e
            for e in self.edges
            if not (e.in_loop or e.feedback or e.elided or e.critical or e.measured)
        ]
        lines = {"handoff" if e.handoffs is None else "handoffs" for e in plain_lines}
        lines |= {"critical" for e in self.edges if e.critical}
        lines |= {"loop" for e in self.edges if e.in_loop and not (e.critical or e.measured)}
        lines |= {"feedback" for e in self.edges if e.feedback}
        lines |= {"elided" for e in self.edges if e.elided}
        return Key(
            tuple(k for k in KEY_NODES if k in nodes),
            tuple(r for r in KEY_ROLES if r in roles),
            tuple(k for k in KEY_LINES if k in lines),
        )

    @property
    def legend(self) -> Legend:
        """What the legend explains: empty (falsy) for an org without Team Topologies fields."""
        types = {n.type for n in self.nodes}
        modes = {e.mode for e in self.edges}
        states = {e.state for e in self.edges}
        return Legend(
            tuple(t for t in TEAM_TYPES if t in types),
            tuple(m for m in MODES if m in modes),
            tuple(s for s in STATES if s in states and s in MARKED_STATES),
        )


def edge_label(graph: OrgGraph, provider: str, receiver: str) -> str:
    """What flows on a hand-off, with lead times: ``Plated dishes (15m)``; one line per thing.

    A relation an event log measured says its numbers on a line under it instead of the lead
    time (:func:`measured_text`).
    """
    return _label(relations(graph, provider, receiver))


def _label(found: Sequence[Relation]) -> str:
    lines = []
    for relation in found:
        state = f" · {relation.state.upper()}" if relation.state in MARKED_STATES else ""
        if relation.measured is not None:
            lines += [f"{relation.what}{state}", measured_text(relation)]
            continue
        lead = f" ({format_hours(relation.lead_time.hours)})" if relation.lead_time else ""
        lines.append(f"{relation.what}{lead}{state}")
    return "\n".join(lines)


def measured_text(relation: Relation) -> str:
    """A measured relation's numbers as a label says them: ``992× · median 24s · p85 17.8h``,
    and `` · 39% back`` from the first return-rate threshold on (where its line turns amber).

    >>> from icmap.model import Duration, Measured, Relation
    >>> measured = Measured(429, 370, Duration(0.03), Duration(1.32), 0.387)
    >>> measured_text(Relation("EMPTY", "Group 1", "T06", (), measured=measured))
    '429× · median 1.8m · p85 1.32h · 38.7% back'
    """
    found = relation.measured
    if found is None:
        return ""
    parts = [f"{found.handoffs:,}×"]
    if found.median is not None:
        parts.append(f"median {format_hours(found.median.hours, weeks=False)}")
    if found.p85 is not None:
        parts.append(f"p85 {format_hours(found.p85.hours, weeks=False)}")
    if found.return_rate is not None and found.return_rate >= RETURN_BANDS[0]:
        parts.append(f"{format_share(found.return_rate)} back")
    return " · ".join(parts)


# Past 100,000 teams the hand-offs' objects would otherwise set off the collector's full passes
# over everything alive, again and again: most of the 13 s an --all picture took there.
@collector_paused
def _picture(
    graph: OrgGraph,
    keep: set[str],
    roles: dict[str, Role],
    title: str,
    notes: list[str],
    *,
    around: set[str] | None = None,
    onward: Collection[str] = (),
    elide: bool = True,
    handoffs: bool = True,
) -> Picture:
    """The picture of the ``keep`` nodes; with ``around``, only the hand-offs with an end in it,
    or from a node of ``onward`` (downstream of it) to a customer (and elided chains ending in
    it or at a customer), so the other nodes stay at the edge.
    ``handoffs=False``: the nodes alone."""
    front = {f.team for f in front_line(graph)}
    # Each team in a loop -> its loop: a hand-off between two loops is in neither.
    loop_of = {n: index for index, group in enumerate(loops(graph)) for n in group}
    hops = reach(graph).hops

    def backward(u: str, v: str) -> bool:
        return u in hops and v in hops and hops[u] <= hops[v]

    nodes = [
        PictureNode(
            id=node,
            label=str(graph.nodes[node]["name"]),
            kind=graph.nodes[node]["kind"],
            group=graph.nodes[node].get("group"),
            front_line=node in front,
            role=roles.get(node),
            lead=graph.nodes[node].get("lead"),
            description=graph.nodes[node].get("description"),
            type=graph.nodes[node].get("type"),
        )
        for node in sorted(keep)
    ]
    if not handoffs:
        return Picture(title, nodes, [], notes)

    def drawn() -> Iterator[tuple[str, str]]:
        # In the order of sorted(graph.edges), made each time it is read instead of a list
        # of every pair held while the edges are made (70 MB at a million hand-offs).
        for u in sorted(graph.succ):
            if u in keep:
                for v in sorted(graph.succ[u]):
                    # A team at the edge that the work reaches hands it to a customer drawn:
                    # that hand-off is drawn too (the customer is there because of it).
                    if v in keep and (
                        around is None
                        or u in around
                        or v in around
                        or (u in onward and graph.nodes[v]["kind"] == "customer")
                    ):
                        yield u, v

    # One scale for every measured line of the picture: the busiest drawn is the widest.
    busiest = busiest_edge(graph, drawn())
    edges = []
    for u, v in drawn():
        found = relations(graph, u, v)
        edges.append(
            PictureEdge(
                u,
                v,
                _label(found),
                in_loop=u in loop_of and loop_of[u] == loop_of.get(v),
                relations=tuple(found),
                backward=backward(u, v),
                feedback=is_feedback(graph, u, v),
                mode=edge_mode(found),
                state=edge_state(found),
                measured=_measure(found, busiest),
            )
        )
    elided = _elided_edges(graph, keep) if elide else []
    if around is not None:
        elided = [
            e
            for e in elided
            if e.receiver in around or graph.nodes[e.receiver]["kind"] == "customer"
        ]
    key = measured_key(busiest) if busiest else None
    return Picture(title, nodes, edges + elided, notes, measured=key)


def _measure(found: Sequence[Relation], busiest: int) -> EdgeMeasure | None:
    if not busiest or all(r.measured is None for r in found):
        return None
    return edge_measure(found, busiest)


def _elided_edges(graph: OrgGraph, keep: set[str]) -> list[PictureEdge]:
    """Dashed edges for kept pairs linked only through teams left out of the picture."""
    import networkx as nx

    # Only kept nodes that hand work to a left-out node can need one; in a whole-org picture
    # there are none, and this stays linear instead of a search from every node.
    starts = [n for n in sorted(keep) if any(s not in keep for s in graph.successors(n))]
    kept = graph.subgraph(keep)
    found = []
    for start in starts:
        already = nx.descendants(kept, start)
        seen: set[str] = set()
        frontier = [n for n in graph.successors(start) if n not in keep]
        targets: set[str] = set()
        while frontier:
            node = frontier.pop()
            if node in seen:
                continue
            seen.add(node)
            for succ in graph.successors(node):
                if succ in keep:
                    targets.add(succ)
                elif succ not in seen:
                    frontier.append(succ)
        for target in sorted(targets - {start} - already):
            if not graph.has_edge(start, target):
                found.append(PictureEdge(start, target, "…", elided=True, backward=True))
    return found


#: Above this many nodes a whole-org picture is hard to read; icmap says so.
READABLE_NODES = 120


def wants_overview(graph: OrgGraph) -> bool:
    """Whether a picture of the whole org should be the group overview instead: more than
    :data:`READABLE_NODES` nodes, and at least two groups to draw (counting "no group")."""
    if graph.number_of_nodes() <= READABLE_NODES:
        return False
    found = {g or None for n, g in graph.nodes(data="group") if graph.nodes[n]["kind"] == "team"}
    return len(found) >= 2


def neighbourhood(graph: OrgGraph, centre: str, depth: int) -> set[str]:
    """``centre`` and every node at most ``depth`` hand-offs from it, in either direction."""
    import networkx as nx

    undirected = graph.to_undirected(as_view=True)
    return set(nx.single_source_shortest_path_length(undirected, centre, cutoff=depth))


def focus(graph: OrgGraph, centre: str, depth: int = 2) -> Picture:
    """One team's neighbourhood, plus the customers its work reaches (linked by elided edges)."""
    import networkx as nx

    keep = neighbourhood(graph, centre, depth)
    customers = {n for n in nx.descendants(graph, centre) if graph.nodes[n]["kind"] == "customer"}
    keep |= customers
    name = graph.nodes[centre]["name"]
    title = f"{name}: the teams within {depth} hand-off{'s' if depth != 1 else ''} of it"
    left_out = graph.number_of_nodes() - len(keep)
    notes = [
        f"{left_out} of {graph.number_of_nodes()} nodes left out; dashed edges pass through them"
    ]
    return _picture(graph, keep, {centre: "focus"}, title, notes if left_out else [])


def group_picture(graph: OrgGraph, group: str) -> Picture:
    """The teams of one group, with at the edge the teams one hand-off away and the customers
    the group's work reaches.

    Only the group's own hand-offs are drawn (between its teams, and to and from the teams at
    the edge), plus a dashed "…" edge where work reaches a customer or comes back into the
    group through teams left out, so a group of a large org stays readable.
    """
    members = {n for n in graph.nodes if graph.nodes[n].get("group") == group}
    neighbours: set[str] = set()
    for node in members:
        neighbours |= set(graph.predecessors(node)) | set(graph.successors(node))
    neighbours -= members
    # One search from all the members at once, not one per member.
    reached, frontier = set(members), list(members)
    while frontier:
        for succ in graph.successors(frontier.pop()):
            if succ not in reached:
                reached.add(succ)
                frontier.append(succ)
    customers = {n for n in reached if graph.nodes[n]["kind"] == "customer"}
    keep = members | neighbours | customers
    roles: dict[str, Role] = dict.fromkeys(members, "focus")
    teams = sum(1 for n in neighbours if graph.nodes[n]["kind"] == "team")
    inside = f"{len(members)} team{'' if len(members) == 1 else 's'} in {group}"
    around = f"{teams} other team{'' if teams == 1 else 's'} one hand-off away"
    notes = [f"{inside}; {around}"] if teams else []
    title = f"{group} and the teams it works with"
    return _picture(graph, keep, roles, title, notes, around=members, onward=reached)


def members_picture(graph: OrgGraph, members: set[str], title: str) -> Picture:
    """Only ``members`` (drawn in focus) and the hand-offs between them, nothing elided."""
    roles: dict[str, Role] = dict.fromkeys(members, "focus")
    return _picture(graph, members, roles, title, [], elide=False)


def groups(graph: OrgGraph) -> list[str]:
    """Every group named by a team, sorted."""
    return sorted({str(g) for _, g in graph.nodes(data="group") if g})


def whole_org(graph: OrgGraph, *, handoffs: bool = True) -> Picture:
    """Every team, customer and supplier, and every hand-off (``handoffs=False``: none of
    them, for a page that neither draws nor lists them)."""
    title = str(graph.graph.get("name") or "Internal-customer graph")
    return _picture(graph, set(graph.nodes), {}, title, [], handoffs=handoffs)


def impact_picture(graph: OrgGraph, result: Impact) -> Picture:
    """The failed teams, everything they reach and everything that feeds them."""
    roles: dict[str, Role] = {}
    for hit in result.upstream:
        roles[hit.team] = "upstream"
    for team in result.stranded:
        roles[team] = "stranded"
    for hit in result.downstream:
        roles[hit.team] = "downstream"
    for team in result.failed:
        roles[team] = "failed"
    keep = set(roles) | {c.customer for c in result.customers}
    chains = itertools.chain.from_iterable(h.path for h in (*result.downstream, *result.upstream))
    keep |= set(chains)
    return _picture(graph, keep, roles, result.verdict(), [])
