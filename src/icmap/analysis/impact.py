"""The blast radius of a team failing: who is hit downstream, who is stranded upstream.

Several teams at once mean their joint failure.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from icmap.analysis.critical import (
    CriticalPath,
    Unit,
    critical_paths,
    longest_chains,
    split_loops,
)
from icmap.analysis.loops import Cycle, cycle_is_feedback, shortest_cycle
from icmap.compact import Compact, collector_paused, compact
from icmap.graph import lead_time_hours, nodes_of_kind, relations

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from icmap.graph import OrgGraph

Direction = Literal["down", "up"]


#: Teams shown at each end of a chain too long to show whole (:meth:`Hit.ends`).
CHAIN_ENDS = 4


@dataclass(frozen=True)
class Hit:
    """A team reached from the failed ones: hops away, the team it is reached through, and
    the first hand-off of its chain.

    ``via`` is the next team toward the failed ones on a shortest chain (a failed team itself
    one hop away); :attr:`path` follows ``via`` to the failed team. Each hit keeps only the
    one step, so a chain of thousands of teams costs its length, not its square.
    """

    team: str
    distance: int
    via: str
    first_handoff: tuple[str, ...]
    #: Each hit's ``via``, shared by all the hits of one spread (the failed teams are absent).
    toward: Mapping[str, str] = field(repr=False, compare=False)
    #: Whether the chain runs from the failed team to this one (downstream) or back.
    down: bool = field(default=True, repr=False, compare=False)
    #: The chain's first :data:`CHAIN_ENDS` teams from the failed one (shared between hits).
    head: tuple[str, ...] = field(default=(), repr=False, compare=False)
    #: Whether only chains through a feedback hand-off link it to the failed teams: it is
    #: reached by what flows back, never by delivered work.
    feedback: bool = False

    @property
    def path(self) -> tuple[str, ...]:
        """The whole chain, from the failed team to ``team`` (downstream) or from ``team`` to
        the failed one (upstream): ``distance + 1`` teams."""
        chain = [self.team]
        while chain[-1] in self.toward:
            chain.append(self.toward[chain[-1]])
        return tuple(reversed(chain)) if self.down else tuple(chain)

    def ends(self) -> tuple[tuple[str, ...], int, tuple[str, ...]]:
        """The chain as shown: its first and last :data:`CHAIN_ENDS` teams and how many lie
        between them, or the whole :attr:`path` (then ``0, ()``) when it is no longer than
        ``2 * CHAIN_ENDS + 1`` teams. Costs the ends, not the chain."""
        length = self.distance + 1
        if length <= 2 * CHAIN_ENDS + 1 or len(self.head) < CHAIN_ENDS:
            return self.path, 0, ()
        near = [self.team]
        while len(near) < CHAIN_ENDS:
            near.append(self.toward[near[-1]])
        far = self.head[:CHAIN_ENDS]
        between = length - 2 * CHAIN_ENDS
        if self.down:
            return far, between, tuple(reversed(near))
        return tuple(near), between, tuple(reversed(far))


@dataclass(frozen=True)
class CustomerHit:
    """An external customer the failure reaches, with the fastest and longest chains to it.

    ``longest`` follows delivery hand-offs only, like critical paths; it is ``None`` when the
    failure reaches the customer only through feedback hand-offs.
    """

    customer: str
    fastest: tuple[str, ...]
    fastest_hours: float
    longest: CriticalPath | None
    #: Hand-offs on ``fastest`` without a lead time, counted as 0 (0 when the org is weighed
    #: in hand-offs): the fastest chain may not be the fastest one really.
    fastest_missing: int = 0
    #: Whether ``fastest`` runs through a feedback hand-off (``longest`` never does).
    fastest_feedback: bool = False


@dataclass(frozen=True)
class Impact:
    """What a failure of ``failed`` does to the organisation."""

    failed: tuple[str, ...]
    downstream: list[Hit]
    customers: list[CustomerHit]
    stranded: tuple[str, ...]
    upstream: list[Hit]
    critical_for: tuple[str, ...]
    customer_count: int
    #: The shortest cycle through each failed team that is in a loop: the failure comes back.
    loops: tuple[Cycle, ...] = ()
    #: What chains are measured in: lead times, or hand-offs when the org gives no lead time.
    unit: Unit = "hours"
    #: Teams downstream in the whole org, when ``downstream`` lists only those within a depth:
    #: the verdict always counts them all.
    downstream_total: int | None = None
    #: Those of ``critical_for`` whose critical path the failed teams are on only through a
    #: chain as long as the one shown (a tie), not on the path shown.
    tied_to: tuple[str, ...] = ()

    def verdict(self) -> str:
        """One line: how many teams downstream, customers hit, teams stranded, and criticality.

        >>> Impact(("k",), [], [], ("f",), [], ("c",), 1).verdict().split(", ")[1:3]
        ['0 of 1 customer hit', '1 team or supplier stranded']
        """
        teams = len(self.downstream) if self.downstream_total is None else self.downstream_total
        stranded = len(self.stranded)
        words = [
            f"{teams} team{'s' if teams != 1 else ''} downstream",
            f"{len(self.customers)} of {self.customer_count} "
            f"customer{'s' if self.customer_count != 1 else ''} hit",
            f"{stranded} {'team or supplier' if stranded == 1 else 'teams and suppliers'} stranded",
        ]
        if self.critical_for:
            tied = set(self.tied_to)
            named = [c + (" (tied)" if c in tied else "") for c in self.critical_for]
            words.append(f"on the critical path to {', '.join(named)}")
        else:
            words.append("on no critical path")
        return f"{' + '.join(self.failed)}: {', '.join(words)}"


def _spread(
    graph: OrgGraph, failed: tuple[str, ...], direction: Direction, depth: int | None
) -> list[Hit]:
    """Breadth-first from the failed nodes along (down) or against (up) the hand-offs."""
    view = compact(graph)
    ids = view.ids
    step = view.succ if direction == "down" else view.pred
    starts = [view.index[n] for n in failed]
    parent = [-1] * len(ids)
    distance = [-1] * len(ids)
    for start in starts:
        distance[start] = 0
    # The hand-off each chain starts with: from the failed team to its first hop (down), or
    # from the hit team to the next one toward the failed (up).
    first_hop = [-1] * len(ids)
    heads: list[tuple[str, ...]] = [()] * len(ids)
    for start in starts:
        heads[start] = (ids[start],)
    queue = deque(sorted(starts))
    toward: dict[str, str] = {}
    down = direction == "down"
    # Hand-offs that are feedback only (a few in most orgs): a team no chain without one
    # links to the failed ones is marked.
    back = {(u, v) for u, v, found in view.marked if all(r.feedback for r in found)}
    delivered = _delivered(view, starts, down, back) if back else None
    hits: list[Hit] = []
    whats: dict[tuple[int, int], tuple[str, ...]] = {}
    while queue:
        node = queue.popleft()
        if depth is not None and distance[node] >= depth:
            continue
        for nxt in step[node]:  # sorted, as the ids are
            if distance[nxt] != -1:
                continue
            distance[nxt], parent[nxt] = distance[node] + 1, node
            first_hop[nxt] = nxt if distance[node] == 0 else first_hop[node]
            head = heads[node]
            heads[nxt] = head if len(head) >= CHAIN_ENDS else (*head, ids[nxt])
            queue.append(nxt)
            toward[ids[nxt]] = ids[node]
            # Downstream, every chain through one first hop starts with the same hand-off.
            pair = (parent[first_hop[nxt]], first_hop[nxt]) if down else (nxt, node)
            first = whats.get(pair)
            if first is None:
                first = tuple(r.what for r in relations(graph, ids[pair[0]], ids[pair[1]]))
                if down:
                    whats[pair] = first
            hits.append(
                Hit(
                    ids[nxt],
                    distance[nxt],
                    ids[node],
                    first,
                    toward,
                    down,
                    heads[nxt],
                    delivered is not None and not delivered[nxt],
                )
            )
    return hits


def _delivered(
    view: Compact, starts: list[int], down: bool, back: set[tuple[int, int]]
) -> list[bool]:
    """Which nodes a chain of delivery hand-offs (none in ``back``) links to ``starts``,
    following the hand-offs (``down``) or against them."""
    step = view.succ if down else view.pred
    seen = [False] * len(view.ids)
    stack = list(starts)
    for start in starts:
        seen[start] = True
    while stack:
        node = stack.pop()
        for nxt in step[node]:
            if not seen[nxt] and ((node, nxt) if down else (nxt, node)) not in back:
                seen[nxt] = True
                stack.append(nxt)
    return seen


def _fastest(
    graph: OrgGraph, failed: tuple[str, ...], customers: list[str]
) -> dict[str, tuple[tuple[str, ...], float, int, bool]]:
    """Least total lead time from any failed node to each customer (fewest hand-offs on a tie).

    One Dijkstra from all the failed nodes at once serves every customer. It is networkx's
    ``multi_source_dijkstra`` step for step (the same ties go the same way), keeping each
    node's predecessor instead of copying a path to every node.
    """
    adjacency = graph.succ
    sources = set(failed)
    done: dict[str, float] = {}
    seen: dict[str, float] = {}
    parent: dict[str, str | None] = {}
    counter = itertools.count()
    fringe: list[tuple[float, int, str]] = []
    for source in sources:
        seen[source], parent[source] = 0, None
        heapq.heappush(fringe, (0, next(counter), source))
    while fringe:
        distance, _, node = heapq.heappop(fringe)
        if node in done:
            continue
        done[node] = distance
        for succ, data in adjacency[node].items():
            hours = (
                data["lead_time_hours"]
                if "lead_time_hours" in data
                else lead_time_hours(graph, node, succ)
            )
            # A millionth of an hour per hand-off prefers shorter chains among equally fast ones.
            through = distance + ((hours or 0.0) + 1e-6)
            if succ not in done and (succ not in seen or through < seen[succ]):
                seen[succ], parent[succ] = through, node
                heapq.heappush(fringe, (through, next(counter), succ))
    fastest: dict[str, tuple[tuple[str, ...], float, int, bool]] = {}
    for customer in customers:
        chain = [customer]
        while (before := parent[chain[-1]]) is not None:
            chain.append(before)
        path = tuple(reversed(chain))
        steps = list(itertools.pairwise(path))
        leads = [lead_time_hours(graph, u, v) for u, v in steps]
        hours = sum(lead or 0.0 for lead in leads)
        back = any(adjacency[u][v].get("feedback") for u, v in steps)
        fastest[customer] = (path, round(hours, 6), leads.count(None), back)
    return fastest


def _stranded(graph: OrgGraph, failed: tuple[str, ...]) -> tuple[str, ...]:
    """Nodes that reach a customer, but no longer once ``failed`` are gone."""
    view = compact(graph)
    blocked = [False] * len(view.ids)
    for node in failed:
        blocked[view.index[node]] = True
    before = view.upstream(view.customers)
    after = [False] * len(view.ids)
    stack = [c for c in view.customers if not blocked[c]]
    for start in stack:
        after[start] = True
    pred = view.pred
    while stack:
        for p in pred[stack.pop()]:
            if not after[p] and not blocked[p]:
                after[p] = True
                stack.append(p)
    kinds = view.kinds
    return tuple(
        view.ids[n]
        for n, up in enumerate(before)
        if up and not after[n] and not blocked[n] and kinds[n] != "customer"
    )


@collector_paused
def impact(
    graph: OrgGraph,
    failed: Iterable[str],
    *,
    depth: int | None = None,
) -> Impact:
    """The impact of ``failed`` teams (or suppliers) all failing at once.

    - ``downstream``: every node that depends on their output, by hops (within ``depth``);
    - ``customers``: external customers reached, with the fastest and the longest chain;
    - ``stranded``: nodes whose every path to any customer runs through a failed one;
    - ``upstream``: what the failed ones depend on, by hops (within ``depth``);
    - ``critical_for``: customers with a critical path (or one tying with it) through a failed
      one;
    - ``loops``: the shortest cycle through each failed node that is in a loop.

    >>> import networkx as nx
    >>> g = nx.DiGraph([("mill", "bakery"), ("bakery", "counter"), ("counter", "shop")])
    >>> nx.set_node_attributes(g, "team", "kind"); g.nodes["shop"]["kind"] = "customer"
    >>> nx.set_edge_attributes(g, [], "relations")
    >>> result = impact(g, ["bakery"])
    >>> [h.team for h in result.downstream], result.stranded, result.critical_for
    (['counter'], ('mill',), ('shop',))
    """
    failed = tuple(sorted(set(failed)))
    customers = nodes_of_kind(graph, "customer")
    downstream = _spread(graph, failed, "down", depth)
    everything_down = downstream if depth is None else _spread(graph, failed, "down", None)
    reached = sorted(h.team for h in everything_down if h.team in customers)
    customer_hits = []
    split = split_loops(graph)
    longest = longest_chains(graph, set(failed), reached, split=split)
    fastest = _fastest(graph, failed, reached)
    # With slack, so that a chain tying with the one shown counts as critical (as in the
    # report and the team page); computed once per graph and shared with them.
    critical_result = critical_paths(graph)
    weighed = critical_result.unit == "hours"
    for customer in reached:
        path, hours, missing, back = fastest[customer]
        chain = longest.get(customer)
        hit = CustomerHit(customer, path, hours, chain, missing if weighed else 0, back)
        customer_hits.append(hit)
    stranded = _stranded(graph, failed)
    failed_set = set(failed)
    on_path = {p.customer for p in critical_result.paths if p.team_set & failed_set}
    tied_to = {p.customer for p in critical_result.paths if p.only_tied(failed_set)}
    cycles: list[Cycle] = []
    seen: set[tuple[str, ...]] = set()
    for node in failed:
        around = shortest_cycle(graph, node, set(graph.nodes))
        if around is None:
            continue
        # Two failed teams in one loop find the same cycle from each end: said once.
        start = around.index(min(around))
        turned = tuple(around[start:]) + tuple(around[:start])
        if turned not in seen:
            seen.add(turned)
            cycles.append(Cycle(around, cycle_is_feedback(graph, around)))
    return Impact(
        failed=failed,
        downstream=[h for h in downstream if h.team not in customers],
        customers=customer_hits,
        stranded=stranded,
        upstream=_spread(graph, failed, "up", depth),
        critical_for=tuple(sorted(on_path)),
        customer_count=len(customers),
        unit=critical_result.unit,
        loops=tuple(cycles),
        downstream_total=sum(1 for h in everything_down if h.team not in customers),
        tied_to=tuple(sorted(tied_to)),
    )
