"""The group overview: a large org drawn as one node per group, one edge per pair of groups.

A whole-org picture stops being readable long before an org stops growing (see
:data:`~icmap.analysis.picture.READABLE_NODES`). The overview draws each ``group`` as one node
that says how many teams it holds, teams without a group together as one "(no group)" node,
and each pair of nodes with hand-offs between them as one edge labelled with how many. It is
a :class:`~icmap.analysis.picture.Picture` like any other, so every renderer draws it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from icmap.analysis.frontline import front_line
from icmap.analysis.picture import MARKED_STATES, Picture, PictureEdge, PictureNode, edge_state
from icmap.analysis.reach import reach
from icmap.compact import collector_paused
from icmap.graph import is_feedback, relations

if TYPE_CHECKING:
    from icmap.graph import OrgGraph
    from icmap.model import Kind, Relation

#: The node that stands for every team without a ``group``.
NO_GROUP = "(no group)"
#: Up to this many external customers (or outside suppliers) keep a node each; more are drawn
#: as one node for all of them, so a few hundred suppliers do not swamp the groups.
MAX_OWN_NODES = 12
#: Team names listed in a group node's description (shown when it is clicked in the HTML page).
_NAMES_LISTED = 20


def edge_budget(nodes: int) -> int:
    """How many group-to-group edges a drawn overview keeps: about two per node, at least 60.

    A synthetic org whose teams hand work to random teams has an edge between nearly every
    pair of groups (1,548 for 40 groups); twice the nodes keeps the picture a map, not a mesh.
    """
    return max(2 * nodes, 60)


@dataclass
class _Link:
    """What one overview edge adds up."""

    handoffs: int = 0
    feedback: int = 0
    found: list[Relation] = field(default_factory=list)
    states: dict[str, int] = field(default_factory=dict)

    def add(self, graph: OrgGraph, provider: str, receiver: str) -> None:
        """Count the hand-off ``provider -> receiver`` in."""
        self.handoffs += 1
        self.feedback += is_feedback(graph, provider, receiver)
        found = relations(graph, provider, receiver)
        self.found.extend(found)
        # Most hand-offs say no state: no need to rank their relations' states.
        if any(r.state for r in found):
            state = edge_state(found)
            if state is not None:
                self.states[state] = self.states.get(state, 0) + 1


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _link_label(link: _Link) -> str:
    """``12 hand-offs (2 feedback) · 1 BLOCKING``; ``3 feedback hand-offs`` when all are."""
    if link.feedback == link.handoffs:
        text = f"{link.handoffs:,} feedback hand-off{'' if link.handoffs == 1 else 's'}"
    else:
        text = _plural(link.handoffs, "hand-off")
        if link.feedback:
            text += f" ({link.feedback:,} feedback)"
    for state in MARKED_STATES:
        if link.states.get(state):
            text += f" · {link.states[state]:,} {state.upper()}"
    return text


class _Nodes:
    """The overview node each org node belongs to, with ids that cannot collide."""

    def __init__(self, graph: OrgGraph) -> None:
        self.of: dict[str, str] = {}
        self.nodes: dict[str, PictureNode] = {}
        members: dict[str, list[str]] = {}
        by_kind: dict[Kind, list[str]] = {"customer": [], "supplier": []}
        for node, data in graph.nodes(data=True):
            if data["kind"] == "team":
                members.setdefault(str(data.get("group") or NO_GROUP), []).append(node)
            else:
                by_kind[data["kind"]].append(node)
        kept = {n for nodes in by_kind.values() if len(nodes) <= MAX_OWN_NODES for n in nodes}
        self._used = set(kept)
        front = {f.team for f in front_line(graph)}
        for group in sorted(members, key=lambda g: (g == NO_GROUP, g)):
            teams = sorted(members[group], key=lambda t: str(graph.nodes[t]["name"]))
            node_id = self.new_id(f"group:{group}")
            names = ", ".join(str(graph.nodes[t]["name"]) for t in teams[:_NAMES_LISTED])
            more = len(teams) - _NAMES_LISTED
            self.nodes[node_id] = PictureNode(
                id=node_id,
                label=group,
                kind="team",
                front_line=any(t in front for t in teams),
                description=f"{names}{f', and {more:,} more' if more > 0 else ''}",
                teams=len(teams),
            )
            self.of.update(dict.fromkeys(teams, node_id))
        for kind, nodes in by_kind.items():
            if len(nodes) <= MAX_OWN_NODES:
                for node in sorted(nodes):
                    data = graph.nodes[node]
                    self.nodes[node] = PictureNode(
                        id=node,
                        label=str(data["name"]),
                        kind=kind,
                        lead=data.get("lead"),
                        description=data.get("description"),
                    )
                    self.of[node] = node
                continue
            word = "external customers" if kind == "customer" else "outside suppliers"
            node_id = self.new_id(f"{kind}s")
            self.nodes[node_id] = PictureNode(
                id=node_id, label=f"{len(nodes):,} {word}", kind=kind, teams=len(nodes)
            )
            self.of.update(dict.fromkeys(nodes, node_id))

    def new_id(self, wanted: str) -> str:
        found, number = wanted, 1
        while found in self._used:
            number += 1
            found = f"{wanted}~{number}"
        self._used.add(found)
        return found


def _prune(links: dict[tuple[str, str], _Link], budget: int) -> set[tuple[str, str]]:
    """The edges a drawn overview keeps: each node's heaviest edge out and in, so no node is
    left unconnected, then the heaviest of the rest up to ``budget`` (ties by id)."""
    order = sorted(links, key=lambda pair: (-links[pair].handoffs, pair))
    keep: set[tuple[str, str]] = set()
    seen_out: set[str] = set()
    seen_in: set[str] = set()
    for provider, receiver in order:
        if provider not in seen_out or receiver not in seen_in:
            keep.add((provider, receiver))
            seen_out.add(provider)
            seen_in.add(receiver)
    for pair in order:
        if len(keep) >= budget:
            break
        keep.add(pair)
    return keep


@collector_paused
def overview(graph: OrgGraph, *, drawn: bool = True) -> Picture:
    """One node per group (sized by its teams), one edge per pair with the hand-offs counted.

    ``drawn``: keep only the heaviest edges (:func:`edge_budget`), for the formats a person
    looks at; data formats (JSON, GraphML, GEXF) pass ``False`` and get every edge.
    """
    parts = _Nodes(graph)
    links: dict[tuple[str, str], _Link] = {}
    inside: dict[str, int] = {}
    of = parts.of
    for provider, receiver in graph.edges:
        source, target = of[provider], of[receiver]
        if source == target:
            inside[source] = inside.get(source, 0) + 1
            continue
        link = links.get((source, target))
        if link is None:  # not setdefault: that would make a _Link for every hand-off
            link = links[source, target] = _Link()
        link.add(graph, provider, receiver)
    # Where a group sits on the way to the customers: the mean distance of its teams. An edge
    # toward a group no nearer the customers flows back, and is drawn so as not to pull.
    hops = reach(graph).hops
    totals: dict[str, list[int]] = {}
    for node, distance in hops.items():
        total = totals.setdefault(parts.of[node], [0, 0])
        total[0] += distance
        total[1] += 1
    rank = {node: total[0] / total[1] for node, total in totals.items()}
    for node, part in parts.nodes.items():
        if part.kind == "customer":
            rank[node] = 0.0
    kept = set(links) if not drawn else _prune(links, edge_budget(len(parts.nodes)))
    edges = [
        PictureEdge(
            source,
            target,
            _link_label(link),
            backward=source in rank and target in rank and rank[source] <= rank[target],
            feedback=link.feedback == link.handoffs,
            state=edge_state(link.found),
            handoffs=link.handoffs,
        )
        for (source, target), link in sorted(links.items())
        if (source, target) in kept
    ]
    nodes: list[PictureNode] = []
    for part in parts.nodes.values():
        if part.teams is not None and part.kind == "team":
            count = inside.get(part.id, 0)
            word = "team" if part.teams == 1 else "teams"
            text = f"{part.label}\n{part.teams:,} {word}"
            if count:
                text += f", {_plural(count, 'hand-off')} inside"
            part = replace(part, label=text)  # noqa: PLW2901
        nodes.append(part)
    nodes.sort(key=lambda n: n.id)
    groups = len({g for _, g in graph.nodes(data="group") if g})
    name = str(graph.graph.get("name") or "Internal-customer graph")
    parties = graph.number_of_nodes()
    title = f"{name}: {parties:,} teams, customers and suppliers in {_plural(groups, 'group')}"
    boxes = f"{len(nodes):,} box{'' if len(nodes) == 1 else 'es'}"
    notes = [
        f"The group overview: {parties:,} teams, customers and suppliers drawn as {boxes}, "
        "a group's teams in one."
    ]
    if not groups:
        notes.append(
            "No team has a group, so the teams share one box: give teams a group in the org files, "
            "or draw every team (--all) or one (--focus TEAM)."
        )
    if len(edges) < len(links):
        notes.append(
            f"{len(edges):,} of {len(links):,} links between groups drawn: each group's "
            "heaviest in and out, then the heaviest; -f json, graphml or gexf have them all."
        )
    drawn_in = {n: p for n, p in parts.of.items() if n != p}
    return Picture(title, nodes, edges, notes, stands_for=drawn_in)


#: In a drill-down, at most this many groups at the edge get a node each; the rest share one.
MAX_EDGE_GROUPS = 20


def drill_down(graph: OrgGraph, group: str) -> Picture:
    """``--group``: one group's teams and the teams one hand-off away, at the edge.

    While that stays readable (:data:`~icmap.analysis.picture.READABLE_NODES`) the teams at the
    edge are drawn one by one (:func:`~icmap.analysis.picture.group_picture`). Beyond it, as
    in a large org where a group of 25 works with 150 teams, they are drawn as one node per
    group they belong to, with the hand-offs to and from each counted, as in the overview;
    past :data:`MAX_EDGE_GROUPS` such groups, those with the fewest hand-offs share one node.
    """
    from icmap.analysis.picture import READABLE_NODES, group_picture, members_picture

    members = {n for n in graph.nodes if graph.nodes[n].get("group") == group}
    edge = {x for m in members for x in (*graph.predecessors(m), *graph.successors(m))}
    edge -= members
    if len(members) + len(edge) <= READABLE_NODES:
        return group_picture(graph, group)
    inner = members_picture(graph, members, f"{group} and the teams it works with")
    parts = _Nodes(graph)
    crossing = [(p, n) for n in members for p in graph.predecessors(n) if p not in members]
    crossing += [(n, s) for n in members for s in graph.successors(n) if s not in members]
    weight: dict[str, int] = {}
    for provider, receiver in crossing:
        part = parts.of[receiver if provider in members else provider]
        weight[part] = weight.get(part, 0) + 1
    # Customers and suppliers keep their nodes; only groups of teams are lumped together.
    ranked = sorted(
        (p for p in weight if parts.nodes[p].kind == "team"), key=lambda p: (-weight[p], p)
    )
    lumped = set(ranked[MAX_EDGE_GROUPS:])
    others = parts.new_id("other groups") if lumped else ""
    near: dict[str, set[str]] = {}
    links: dict[tuple[str, str], _Link] = {}
    for provider, receiver in crossing:
        outside = receiver if provider in members else provider
        part = parts.of[outside]
        part = others if part in lumped else part
        near.setdefault(part, set()).add(outside)
        pair = (provider, part) if provider in members else (part, receiver)
        links.setdefault(pair, _Link()).add(graph, provider, receiver)
    nodes = list(inner.nodes)
    for part_id in sorted(near):
        count = len(near[part_id])
        word = "team" if count == 1 else "teams"
        if part_id == others:
            label = f"{len(lumped):,} other groups\n{count:,} {word} one hand-off away"
            nodes.append(PictureNode(id=others, label=label, kind="team", teams=count))
            continue
        shown = parts.nodes[part_id]
        if shown.kind == "team":
            label = f"{shown.label}\n{count:,} {word} one hand-off away"
            shown = replace(shown, label=label, teams=count, front_line=False)
        nodes.append(shown)
    hops = reach(graph).hops
    nearest = {p: min((hops.get(t, 0) for t in near[p]), default=0) for p in near}

    def backward(source: str, target: str) -> bool:
        # Toward outside teams no nearer the customers than the member: flows back.
        return source in hops and target in near and hops[source] <= nearest[target] > 0

    edges = list(inner.edges) + [
        PictureEdge(
            source,
            target,
            _link_label(link),
            backward=backward(source, target),
            feedback=link.feedback == link.handoffs,
            state=edge_state(link.found),
            handoffs=link.handoffs,
        )
        for (source, target), link in sorted(links.items())
    ]
    notes = [
        f"{len(members):,} team{'' if len(members) == 1 else 's'} in {group}; the "
        f"{len(edge):,} teams, customers and suppliers one hand-off away are drawn by group; "
        "--all draws every team"
    ]
    drawn_in = {t: p for p, outside in near.items() for t in outside if t != p}
    return Picture(inner.title, nodes, edges, notes, stands_for=drawn_in)
