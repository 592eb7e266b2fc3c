"""Critical paths to each customer, and every team's slack, as in the critical path method.

A hand-off ``provider -> receiver`` weighs its lead time (the longest of its relations'): how
long the receiver waits. The critical path to a customer is the chain of hand-offs ending at
that customer whose lead times add up to the most, visiting no team twice. A team's slack is
how much later its deliveries could arrive without lengthening that chain (CPM total float).

Method. Loops make "longest path" hard in general (it is NP-hard on arbitrary graphs), so
the graph is split into its strongly connected groups (loops), which form a DAG:

- Between loops, longest paths are exact dynamic programming over the DAG: O(nodes + edges).
- Inside a loop, the longest simple path between every entry and exit team is searched
  exhaustively when the search takes at most :data:`EXACT_LOOP_STEPS` steps (always the case
  for loops of a handful of teams). A larger loop is cut into a DAG by keeping only the edges
  that go forward in a depth-first order; its paths are then real chains but possibly not the
  longest, and the result says so (``exact`` is false and the loop is listed). A cut loop of
  more than :data:`CUT_LOOP_MEMBERS` teams is then taken team by team as part of the DAG,
  instead of through a table of the longest path between every two of its teams, so a loop of
  thousands of teams (a measured org where tickets bounce between groups) costs its size, not
  its square: the same longest chains, ties between them broken by hops as elsewhere.
- Slack of a team inside a loop adds its longest arrival and departure independently; they may
  share teams, so it is a lower bound (never an overstatement of the float).

Feedback hand-offs (every relation on them marked ``feedback: true``) carry information back,
not the work the customer waits for: critical paths and slack follow delivery hand-offs only
(:func:`icmap.graph.delivery_graph`). Loops left among delivery hand-offs are handled as above.

Without any lead time in the org, hops count instead (each hand-off weighs 1) and ``unit`` is
``"hops"``; where only some hand-offs have one, the others weigh 0 and are counted.
"""

from __future__ import annotations

import dataclasses
import functools
import heapq
import itertools
import math
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from icmap.compact import cached, collector_paused, compact, compact_delivery
from icmap.graph import delivery_graph

if TYPE_CHECKING:
    from icmap.compact import Compact
    from icmap.graph import OrgGraph

Unit = Literal["hours", "hops"]
#: Depth-first steps allowed per loop for the exact search before approximating it.
EXACT_LOOP_STEPS = 50_000
#: Members of a loop past which, when its exact search is over budget, the loop is cut into a
#: DAG and its teams taken one by one, instead of keeping the longest path between every two
#: of them: that table grows with the square of the loop (times the paths' lengths), and one
#: loop of 1,000 teams (a log of tickets bouncing between groups) took 1.2 GB, 2,000 teams 9 GB.
CUT_LOOP_MEMBERS = 100


@dataclass(frozen=True)
class CriticalPath:
    """The longest chain of hand-offs ending at ``customer``: ids from first provider to it.

    When other chains are as long, ``path`` is the one chosen deterministically (the most
    hand-offs, then the first by id) and ``ties`` holds the delivery hand-offs off it that lie
    on one of those other chains (zero slack for this customer), sorted by provider and
    receiver. Every hand-off on ``path`` or in ``ties`` is on a critical path to the customer.
    ``ties`` is left empty when the paths were computed without slack.
    """

    customer: str
    path: tuple[str, ...]
    total: float
    missing_lead_times: int
    exact: bool = True
    ties: tuple[tuple[str, str], ...] = ()

    def handoffs(self) -> list[tuple[str, str]]:
        """Every hand-off on a critical path to the customer: the path's, then the ties."""
        return [*itertools.pairwise(self.path), *self.ties]

    def teams(self) -> set[str]:
        """Every team and supplier on a critical path to the customer (it excluded)."""
        return {u for u, _ in self.handoffs()}

    def only_tied(self, teams: set[str]) -> bool:
        """Whether ``teams`` are on a critical path to the customer only through a chain as
        long as the one shown (``ties``), none of them on ``path`` itself."""
        return bool(teams & self.team_set) and not teams.intersection(self.path)

    @functools.cached_property
    def team_set(self) -> frozenset[str]:
        """:meth:`teams`, computed once: pages ask it of every team."""
        return frozenset(self.teams())


@dataclass(frozen=True)
class CriticalPaths:
    """Critical paths per customer, slack per team, and how they were weighed."""

    unit: Unit
    paths: list[CriticalPath]
    slack: dict[str, float]
    handoffs: int
    missing_lead_times: int
    approximated_loops: list[list[str]] = field(default_factory=list)
    #: Teams in a loop of delivery hand-offs: their slack is a lower bound.
    looped: frozenset[str] = frozenset()

    def slack_unknown(self) -> list[str]:
        """Teams in a loop on no critical path whose slack is only known to be at least 0:
        not critical, not known to have any (sorted)."""
        on_a_path: set[str] = set().union(*(path.team_set for path in self.paths))
        return sorted(
            team
            for team, value in self.slack.items()
            if value == 0 and team in self.looped and team not in on_a_path
        )

    def critical_handoffs(self) -> dict[tuple[str, str], list[str]]:
        """Each hand-off on some critical path, tied ones included, with the customers it is
        critical to (in the order of ``paths``)."""
        found: dict[tuple[str, str], list[str]] = {}
        for path in self.paths:
            for edge in path.handoffs():
                found.setdefault(edge, []).append(path.customer)
        return found


@dataclass(slots=True)
class _Inner:
    """Longest simple paths inside one loop: ``best[u][v] = (weight, path from u to v)``.

    Nodes are indices of the delivery hand-offs' compact view (:mod:`icmap.compact`).
    """

    best: dict[int, dict[int, tuple[float, tuple[int, ...]]]]
    exact: bool


class _Alone(_Inner):
    """The "loop" of a team in none: its one path, itself, made when asked.

    Most teams are in no loop, and each one's ``{u: {u: (0.0, (u,))}}`` kept for the whole
    run took about 600 B a team (60 MB at 100,000 teams): this keeps the team alone.
    """

    __slots__ = ("node",)

    def __init__(self, node: int, *, exact: bool) -> None:
        self.node = node
        self.exact = exact

    @property
    def best(self) -> dict[int, dict[int, tuple[float, tuple[int, ...]]]]:  # type: ignore[override]
        return {self.node: {self.node: (0.0, (self.node,))}}


#: Each hand-off's weight along the compact view's successor lists: ``weights[u][k]`` for
#: ``u -> succ[u][k]``.
Weights = list[list[float]]
#: The members of a loop too large to search -> each one's place in the depth-first order that
#: cuts it into a DAG (:func:`_cut_order` for a graph, :func:`cut_order` for any adjacency).
CutOrder = Callable[[list[int]], dict[int, int]]


def _exact_inner(
    view: Compact, members: list[int], weights: Weights
) -> dict[int, dict[int, tuple[float, tuple[int, ...]]]] | None:
    """Every simple path inside the loop by depth-first search; ``None`` if over budget."""
    # Every team of a loop reaches every other, so the search takes at least this many steps:
    # past the budget, nothing is tried (a deep search holds a path per step, which for a loop
    # of 10,000 teams took gigabytes before the budget stopped it).
    if len(members) * (len(members) - 1) > EXACT_LOOP_STEPS:
        return None
    steps = 0
    inside = set(members)
    best: dict[int, dict[int, tuple[float, tuple[int, ...]]]] = {}
    for start in members:
        found: dict[int, tuple[float, tuple[int, ...]]] = {start: (0.0, (start,))}
        stack: list[tuple[int, float, tuple[int, ...]]] = [(start, 0.0, (start,))]
        while stack:
            node, total, path = stack.pop()
            row = weights[node]
            for k, succ in enumerate(view.succ[node]):
                if succ not in inside or succ in path:
                    continue
                steps += 1
                if steps > EXACT_LOOP_STEPS:
                    return None
                extended = (total + row[k], (*path, succ))
                if succ not in found or extended[0] > found[succ][0]:
                    found[succ] = extended
                stack.append((succ, *extended))
        best[start] = found
    return best


def _cut_order(graph: OrgGraph, view: Compact, members: list[int]) -> dict[int, int]:
    """Each member's place in the depth-first order that cuts a loop into a DAG: only the
    hand-offs forward in it are kept."""
    import networkx as nx

    # The depth-first order follows the graph's own hand-off order, as it always has.
    names = set(view.names(members))
    walk = nx.dfs_preorder_nodes(delivery_graph(graph).subgraph(names), min(names))
    order = {view.index[n]: i for i, n in enumerate(walk)}
    for node in members:
        order.setdefault(node, len(order))
    return order


def cut_order(members: list[int], successors: Callable[[int], Iterable[int]]) -> dict[int, int]:
    """Each member's place in the depth-first preorder from the least member, following
    ``successors`` (those inside the loop, in the order given): the order networkx's
    ``dfs_preorder_nodes`` gives on the loop alone, for views that have no graph (streams)."""
    inside = set(members)
    start = min(members)
    order = {start: 0}
    stack: list[Iterator[int]] = [iter(successors(start))]
    while stack:
        for node in stack[-1]:
            if node in inside and node not in order:
                order[node] = len(order)
                stack.append(iter(successors(node)))
                break
        else:
            stack.pop()
    for node in members:
        order.setdefault(node, len(order))
    return order


def _dag_inner(
    view: Compact, members: list[int], weights: Weights, order_of: CutOrder
) -> dict[int, dict[int, tuple[float, tuple[int, ...]]]]:
    """Longest paths inside a loop cut into a DAG (edges forward in a depth-first order)."""
    order = order_of(members)
    ranked = sorted(members, key=order.__getitem__)
    best: dict[int, dict[int, tuple[float, tuple[int, ...]]]] = {}
    for start in ranked:
        found: dict[int, tuple[float, tuple[int, ...]]] = {start: (0.0, (start,))}
        for node in ranked[order[start] :]:
            if node not in found:
                continue
            total, path = found[node]
            row = weights[node]
            for k, succ in enumerate(view.succ[node]):
                if succ in order and order[succ] > order[node]:
                    candidate = (total + row[k], (*path, succ))
                    if succ not in found or candidate[0] > found[succ][0]:
                        found[succ] = candidate
        best[start] = found
    return best


def _inner_paths(view: Compact, members: list[int], weights: Weights, order_of: CutOrder) -> _Inner:
    if len(members) == 1:
        return _Alone(members[0], exact=True)
    exact = _exact_inner(view, members, weights)
    if exact is not None:
        return _Inner(exact, exact=True)
    return _Inner(_dag_inner(view, members, weights, order_of), exact=False)


def _unit_of(graph: OrgGraph) -> tuple[Unit, int]:
    return unit_of_view(compact(graph))


def unit_of_view(view: Compact) -> tuple[Unit, int]:
    """What the hand-offs of ``view`` (feedback included) are weighed in, and how many lack a
    lead time."""
    missing = sum(row.count(None) for row in view.succ_hours)
    unit: Unit = "hops" if view.edges and missing == view.edges else "hours"
    return unit, missing


@collector_paused
def critical_paths(
    graph: OrgGraph, *, with_slack: bool = True, split: tuple[_Loops, list[int]] | None = None
) -> CriticalPaths:
    """The critical path to each customer (by id) and each team's and supplier's slack.

    Only delivery hand-offs count (feedback ones are left out). ``slack`` holds, for every
    team and supplier whose delivered work reaches a customer, the least slack over the
    customers it reaches; teams on a critical path have 0. ``with_slack=False``
    skips it (it is half the work); ``split`` reuses :func:`split_loops` from another call.

    >>> import networkx as nx
    >>> from icmap.model import Duration, Relation
    >>> g = nx.DiGraph()
    >>> g.add_nodes_from(["a", "b", "c"], kind="team"); g.add_node("shop", kind="customer")
    >>> def hand_off(u, v, days):
    ...     g.add_edge(u, v, relations=[Relation(u, v, "w", (), Duration.of(days, "d"))])
    >>> hand_off("a", "c", 2); hand_off("b", "c", 1); hand_off("c", "shop", 3)
    >>> result = critical_paths(g)
    >>> result.paths[0].path, result.paths[0].total, result.slack["b"]
    (('a', 'c', 'shop'), 120.0, 24.0)

    The result is computed once per graph (:func:`icmap.compact.cached`): ``icmap team --all``
    asks for it once per page. Treat it as read-only.
    """
    if split is not None:
        return _critical_paths(graph, with_slack=with_slack, split=split)
    key = "critical.paths+slack" if with_slack else "critical.paths"
    return cached(graph, key, lambda: _critical_paths(graph, with_slack=with_slack, split=None))


def _critical_paths(
    graph: OrgGraph, *, with_slack: bool, split: tuple[_Loops, list[int]] | None
) -> CriticalPaths:
    unit, missing = _unit_of(graph)
    handoffs = compact(graph).edges
    return paths_of_view(
        split or split_loops(graph), unit, handoffs, missing, with_slack=with_slack
    )


def paths_of_view(
    split: tuple[_Loops, list[int]],
    unit: Unit,
    handoffs: int,
    missing: int,
    *,
    with_slack: bool = True,
) -> CriticalPaths:
    """:func:`critical_paths` on a loop split made without a graph (:func:`split_view`):
    ``handoffs`` and ``missing`` count the whole view's hand-offs, feedback included, as
    :func:`unit_of_view` does."""
    loops_split, topo = split
    view, components, component_of, inner = (
        loops_split.view,
        loops_split.components,
        loops_split.component_of,
        loops_split.inner,
    )
    approximated = sorted(
        [
            sorted(view.names(components[i]))
            for i, found in inner.items()
            if not found.exact and len(components[i]) > 1
        ]
        + [sorted(view.names(members)) for members in loops_split.cut]
    )

    paths: list[CriticalPath] = []
    # A node's longest path in does not depend on the customer it leads to: one forward pass
    # serves every customer. Slack needs one backward pass for all of them (see :func:`_late`),
    # and each customer's ties only a walk over its own critical hand-offs (:func:`_ties`).
    forward = _Forward(loops_split)
    forward.run(topo)
    leave = forward.leave
    flags = _upstream_flags(loops_split, topo)
    totals: dict[int, float] = {}
    for customer in view.customers:
        arrived = leave[customer]
        assert arrived is not None  # every node is reached when chains may start anywhere
        total = totals[customer] = arrived[0]
        path = forward.path_to(customer)
        lacking = sum(1 for u, v in itertools.pairwise(path) if view.hours(u, v) is None)
        shown = CriticalPath(
            view.ids[customer],
            view.names(path),
            _tidy(total),
            lacking if unit == "hours" else 0,
            not flags[component_of[customer]] & _APPROXIMATED_UP,
        )
        if with_slack:
            ties = _ties(loops_split, customer, path, forward=forward)
            shown = dataclasses.replace(
                shown, ties=tuple((view.ids[u], view.ids[v]) for u, v in ties)
            )
        paths.append(shown)
    slack: dict[str, float] = {}
    if with_slack:
        late, own, reaches = _late(loops_split, topo, totals)
        for node, latest in enumerate(late):
            if node in totals:
                # A customer's slack counts the other customers only.
                if node not in own:
                    continue
                latest = own[node]  # noqa: PLW2901
            elif not reaches[node]:
                continue
            left = leave[node]
            assert left is not None
            slack[view.ids[node]] = _tidy(max(0.0, latest - left[0]))
    looped = frozenset(
        view.ids[n]
        for members in (*components, *loops_split.cut)
        if len(members) > 1
        for n in members
    )
    return CriticalPaths(unit, paths, slack, handoffs, missing, approximated, looped)


Score = tuple[float, int]  # (weight, hops): on equal weight the longer chain wins


@dataclass(frozen=True)
class _Loops:
    """The delivery hand-offs split into strongly connected groups, with their inner paths.

    ``components`` are in topological order; nodes are indices of ``view``.
    """

    view: Compact
    components: list[list[int]]
    component_of: list[int]
    inner: dict[int, _Inner]
    #: The hand-offs the passes follow: ``view``'s, less those a cut loop dropped.
    succ: Sequence[Sequence[int]]
    pred: Sequence[Sequence[int]]
    #: Weights along ``pred``: ``pred_weights[v][k]`` for ``pred[v][k] -> v``.
    pred_weights: Weights
    succ_weights: Weights
    #: The loops cut into a DAG (:data:`CUT_LOOP_MEMBERS`): their teams are components of one.
    cut: tuple[list[int], ...] = ()


class _Forward:
    """Longest paths ending at each node, component by component in topological order."""

    def __init__(self, loops: _Loops, starts: set[int] | None = None) -> None:
        # With ``starts``, chains may only begin at those nodes; otherwise anywhere.
        self.starts = starts
        self.loops = loops
        size = len(loops.view.ids)
        self.leave: list[Score | None] = [None] * size  # best path ending at the node
        self.entry: list[int] = [-1] * size  # where that path entered the node's loop
        self.came_from: list[int] = [-1] * size  # entry -> the node before it, if any (-1)
        #: The longest path into each node from outside its loop (its own ``leave`` if alone).
        self.into: list[float] = [-math.inf] * size

    def run(self, order: Iterable[int]) -> None:
        leave, entry = self.leave, self.entry
        for index in order:
            members = self.loops.components[index]
            arrive = self._arrive(index, members)
            into = self.into
            for u, score in arrive.items():
                into[u] = score[0]
            if len(members) == 1:
                # Alone, a node's path inside its "loop" is itself: the path in is the path.
                for u, score in arrive.items():
                    leave[u], entry[u] = score, u
                continue
            table = self.loops.inner[index].best
            for x in members:
                best_x: Score | None = None
                for u, score in arrive.items():
                    if x in table[u]:
                        inner_weight, inner_path = table[u][x]
                        candidate = (score[0] + inner_weight, score[1] + len(inner_path) - 1)
                        if best_x is None or candidate > best_x:
                            best_x, entry[x] = candidate, u
                if best_x is not None:
                    leave[x] = best_x

    def _arrive(self, index: int, members: list[int]) -> dict[int, Score]:
        """The best path into each member of component ``index`` from outside it."""
        loops, starts, leave, came_from = self.loops, self.starts, self.leave, self.came_from
        pred, pred_weights, component_of = loops.pred, loops.pred_weights, loops.component_of
        arrive: dict[int, Score] = {}
        for u in members:
            best: Score | None = (0.0, 0) if starts is None or u in starts else None
            source = -1
            weights = pred_weights[u]
            for k, p in enumerate(pred[u]):
                left = leave[p]
                if left is None or component_of[p] == index:
                    continue
                candidate = (left[0] + weights[k], left[1] + 1)
                if best is None or candidate > best:
                    best, source = candidate, p
            if best is not None:
                arrive[u], came_from[u] = best, source
        return arrive

    def path_to(self, node: int) -> tuple[int, ...]:
        component_of, inner = self.loops.component_of, self.loops.inner
        segments: list[tuple[int, ...]] = []
        current = node
        while current != -1:
            entry = self.entry[current]
            segments.append(inner[component_of[current]].best[entry][current][1])
            current = self.came_from[entry]
        return tuple(n for segment in reversed(segments) for n in segment)


#: The bit of :func:`_upstream_flags`.
_APPROXIMATED_UP = 1


def _upstream_flags(loops: _Loops, topo: list[int]) -> list[int]:
    """For each component: whether an approximated loop lies upstream of it (itself included),
    as the bit :data:`_APPROXIMATED_UP`.

    One forward pass over the components for every customer, instead of a walk upstream of each.
    """
    components, component_of, inner = loops.components, loops.component_of, loops.inner
    pred = loops.pred
    flags = [0] * len(components)
    for index in topo:
        members = components[index]
        found = 0
        if len(members) > 1:
            found = 0 if inner[index].exact else _APPROXIMATED_UP
        elif not inner[index].exact:
            found = _APPROXIMATED_UP  # a team of a loop cut into a DAG
        for v in members:
            for u in pred[v]:
                found |= flags[component_of[u]]
        flags[index] = found
    return flags


def _late(
    loops: _Loops, topo: list[int], totals: dict[int, float]
) -> tuple[list[float], dict[int, float], list[bool]]:
    """The latest each node may finish without lengthening any customer's critical path.

    ``late[n]`` is the least over the customers ``c`` that ``n`` reaches of ``total_c -
    to_c(n)``, where ``to_c(n)`` is the longest chain from ``n`` to ``c``: as ``to_c(n)`` is a
    maximum over ``n``'s hand-offs, the minimum over customers commutes with it and one
    backward pass serves every customer. Inside a loop, the longest inner paths combine the
    exits through them. ``reaches[n]`` says whether ``n`` reaches a customer
    (``late[n]`` may still be ``inf`` there: a loop cut into a DAG can leave a member no chain
    out of it, and its slack is then unknown, ``inf``, as it always was). ``own`` holds, for
    the customers that reach another, the same least over the others only (a customer's slack
    counts the other customers). Slack is then ``late[n] - leave[n]``, floored at 0.
    """
    succ, succ_weights = loops.succ, loops.succ_weights
    components, component_of, inner = loops.components, loops.component_of, loops.inner
    inf = math.inf
    late = [inf] * len(succ)
    reaches = [False] * len(succ)
    own: dict[int, float] = {}
    for index in reversed(topo):
        members = components[index]
        depart: dict[int, float] = {}
        onward = False  # some member hands on to a node, outside the loop, reaching a customer
        for v in members:
            best = inf
            for w, y in zip(succ_weights[v], succ[v], strict=True):
                if component_of[y] != index and reaches[y]:
                    onward = True
                    best = min(best, late[y] - w)
            depart[v] = best
        if len(members) == 1:
            (only,) = members
            total = totals.get(only)
            reaches[only] = onward or total is not None
            if total is None:
                late[only] = depart[only]
            else:
                if onward:
                    own[only] = depart[only]
                late[only] = min(total, depart[only])
            continue
        inside = [v for v in members if v in totals]
        full = {v: min(d, totals[v]) if v in totals else d for v, d in depart.items()}
        table = inner[index].best
        for x in members:
            reaches[x] = onward or bool(inside)
            late[x] = min(full[v] - w for v, (w, _) in table[x].items())
            if x in totals and (onward or len(inside) > 1):
                own[x] = min(
                    (depart[v] if v == x else full[v]) - w for v, (w, _) in table[x].items()
                )
    _reach_whole_cut_loops(loops, reaches)
    return late, own, reaches


def _reach_whole_cut_loops(loops: _Loops, reaches: list[bool]) -> None:
    """As for a loop kept whole, a team that its cut loop leaves no chain out of still reaches
    what its loop reaches (its slack unknown, ``inf``)."""
    for members in loops.cut:
        if any(reaches[x] for x in members):
            for x in members:
                reaches[x] = True


#: No slack: ``total - through`` rounds to 0 at six decimals (as :func:`_tidy` does).
_TIGHT = 5e-7


def _ties(
    loops: _Loops,
    customer: int,
    path: tuple[int, ...],
    *,
    forward: _Forward,
) -> list[tuple[int, int]]:
    """The hand-offs off ``path`` with no slack for ``customer``: on a chain as long as it.

    Between loops a hand-off ``u -> v`` lies on a longest chain when the longest chain into
    ``u``, its weight and the longest chain from ``v`` to the customer add up to the total,
    which holds exactly when ``v`` is on a longest chain and the hand-off is tight (the longest
    chain into ``u`` plus its weight is the longest into ``v``). So the critical hand-offs are
    found walking back from the customer along tight hand-offs, loops taken whole through
    their longest inner paths: the cost is that of the customer's critical hand-offs (and the
    hand-offs into their teams), not of all its upstream.

    A chain passes a loop once: it enters at one team and leaves from one (a team of the loop
    it left could not be met again downstream). So a hand-off inside a loop is critical when a
    longest simple path between a critical entry and a critical exit of the loop takes it
    (:func:`_loop_ties`); the longest chains into and out of its ends alone could share teams
    and call a hand-off with days of slack tied.
    """
    pred, pred_weights = loops.pred, loops.pred_weights
    components, component_of, inner = loops.components, loops.component_of, loops.inner
    leave, into = forward.leave, forward.into
    on_path = set(itertools.pairwise(path))
    found: list[tuple[int, int]] = []
    # Components whose critical exits are known, latest first: their exits (the customer, or
    # a team handing on along a critical hand-off) and their critical entries.
    exits: dict[int, set[int]] = {component_of[customer]: {customer}}
    waiting = [-component_of[customer]]
    # Each loop on the walk: its (entry, exit) pairs a longest chain passes it by.
    crossings: dict[int, list[tuple[int, int]]] = {}
    while waiting:
        index = -heapq.heappop(waiting)
        leaving = exits.pop(index)
        members = components[index]
        if len(members) == 1:
            entries = members
        else:
            table = inner[index].best
            ends = []
            for v in leaving:
                left = leave[v]
                assert left is not None
                ends.append((v, left[0] - _TIGHT))
            pairs = [
                (u, v)
                for u in members
                for v, need in ends
                if v in table[u] and into[u] + table[u][v][0] >= need
            ]
            crossings[index] = pairs
            entries = sorted({u for u, _ in pairs})
        for v in entries:
            need = into[v] - _TIGHT
            for w, u in zip(pred_weights[v], pred[v], strict=True):
                other = component_of[u]
                if other == index:
                    # Alone, a team handing work to itself: a tie when it weighs nothing.
                    if (
                        u == v
                        and len(members) == 1
                        and into[u] + w >= need
                        and (u, v) not in on_path
                    ):
                        found.append((u, v))
                    continue
                left = leave[u]
                assert left is not None
                if left[0] + w < need:
                    continue
                if (u, v) not in on_path:
                    found.append((u, v))
                if other not in exits:
                    exits[other] = set()
                    heapq.heappush(waiting, -other)
                exits[other].add(u)
    for index, pairs in crossings.items():
        found += _loop_ties(loops, index, pairs, on_path)
    found.sort()
    return found


def _loop_ties(
    loops: _Loops, index: int, pairs: list[tuple[int, int]], on_path: set[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The hand-offs inside loop ``index`` on a longest simple path between an entry and an
    exit in ``pairs`` (each pair's longest inner path is on a critical chain), off ``on_path``.

    A hand-off ``u -> v`` is one when the longest inner path of some pair takes it, or when the
    longest inner paths from the entry to ``u`` and from ``v`` to the exit share no team and,
    with the hand-off, are as long as the pair's: each is a simple chain of that length. A tie
    whose only chain is an inner path as long as another that was kept can be missed; a
    hand-off with slack is never called tied.
    """
    table = loops.inner[index].best
    members = loops.components[index]
    component_of, succ, succ_weights = loops.component_of, loops.succ, loops.succ_weights
    inside = [
        (u, v, weight)
        for u in members
        for weight, v in zip(succ_weights[u], succ[u], strict=True)
        if component_of[v] == index and u != v and (u, v) not in on_path
    ]
    found: set[tuple[int, int]] = set()
    for entry, exit_ in pairs:
        longest, path = table[entry][exit_]
        found.update(edge for edge in itertools.pairwise(path) if edge not in on_path)
        need = longest - _TIGHT
        into_row = table[entry]
        for u, v, weight in inside:
            if (u, v) in found or u not in into_row or exit_ not in table[v]:
                continue
            before, after = into_row[u], table[v][exit_]
            if before[0] + weight + after[0] >= need and not set(before[1]) & set(after[1]):
                found.add((u, v))
    return sorted(found)


def split_loops(graph: OrgGraph) -> tuple[_Loops, list[int]]:
    """The loop structure the critical paths and :func:`longest_chain` need.

    Computed once per graph (:func:`icmap.compact.cached`) and shared by every call.
    """
    return cached(graph, "critical.split", lambda: _split(graph, _unit_of(graph)[0]))


def _split(graph: OrgGraph, unit: Unit) -> tuple[_Loops, list[int]]:
    view = compact_delivery(graph)
    return split_view(view, unit, functools.partial(_cut_order, graph, view))


def split_view(
    view: Compact,
    unit: Unit,
    order_of: CutOrder,
    components: Iterable[list[int]] | None = None,
) -> tuple[_Loops, list[int]]:
    """The delivery hand-offs' loops with their inner paths, and the loops in topological order.

    ``view`` holds the delivery hand-offs only; ``order_of`` cuts a loop too large to search;
    ``components`` are the view's strongly connected components in topological order when the
    caller knows them (else :meth:`Compact.components`).
    """
    if unit == "hops":
        succ_weights = [[1.0] * len(row) for row in view.succ]
        pred_weights = [[1.0] * len(row) for row in view.pred]
    else:
        succ_weights = [[h or 0.0 for h in row] for row in view.succ_hours]
        pred_weights = [[h or 0.0 for h in row] for row in view.pred_hours]
    found: list[list[int]] = []
    inners: list[_Inner] = []
    cut: list[list[int]] = []
    dropped: set[tuple[int, int]] = set()
    for members in view.components() if components is None else components:
        if len(members) <= CUT_LOOP_MEMBERS:
            found.append(members)
            inners.append(_inner_paths(view, members, succ_weights, order_of))
            continue
        exact = _exact_inner(view, members, succ_weights)
        if exact is not None:
            found.append(members)
            inners.append(_Inner(exact, exact=True))
            continue
        # Too large to keep a path between every two teams: the loop's own DAG, team by team,
        # in its depth-first order (a topological order of that DAG, so of the whole).
        order = order_of(members)
        for u in members:
            dropped.update((u, v) for v in view.succ[u] if v in order and order[v] <= order[u])
        for node in sorted(members, key=order.__getitem__):
            found.append([node])
            inners.append(_Alone(node, exact=False))
        cut.append(members)
    succ: Sequence[Sequence[int]] = view.succ
    pred: Sequence[Sequence[int]] = view.pred
    if dropped:
        succ, succ_weights = _without(succ, succ_weights, dropped, forward=True)
        pred, pred_weights = _without(pred, pred_weights, dropped, forward=False)
    component_of = [0] * len(view.ids)
    for index, members in enumerate(found):
        for node in members:
            component_of[node] = index
    inner = dict(enumerate(inners))
    # No reference to the graph: the cache it lives in must not keep the graph alive.
    loops = _Loops(
        view, found, component_of, inner, succ, pred, pred_weights, succ_weights, tuple(cut)
    )
    return loops, list(range(len(found)))


def _without(
    rows: Sequence[Sequence[int]], weights: Weights, dropped: set[tuple[int, int]], *, forward: bool
) -> tuple[list[array[int]], Weights]:
    """Adjacency ``rows`` (successors if ``forward``, else predecessors) and their weights, less
    the hand-offs in ``dropped``."""
    # Arrays, as the compact view's rows: a list holds an int object per hand-off (40 B where
    # the array holds 8), and these are kept as long as the graph.
    kept_rows: list[array[int]] = []
    kept_weights: Weights = []
    for u, row in enumerate(rows):
        pairs = [
            (v, w)
            for v, w in zip(row, weights[u], strict=True)
            if ((u, v) if forward else (v, u)) not in dropped
        ]
        kept_rows.append(array("l", [v for v, _ in pairs]))
        kept_weights.append([w for _, w in pairs])
    return kept_rows, kept_weights


def longest_chain(
    graph: OrgGraph,
    sources: set[str],
    target: str,
    *,
    split: tuple[_Loops, list[int]] | None = None,
) -> CriticalPath | None:
    """The chain from any of ``sources`` to ``target`` whose lead times add up to the most.

    Same weights, method and limits as :func:`critical_paths` (delivery hand-offs only);
    ``None`` when no source reaches ``target`` through them.

    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c")], relations=[])
    >>> nx.set_edge_attributes(g, [], "relations")
    >>> longest_chain(g, {"a"}, "c").path
    ('a', 'b', 'c')
    """
    return longest_chains(graph, sources, [target], split=split).get(target)


@collector_paused
def longest_chains(
    graph: OrgGraph,
    sources: set[str],
    targets: Iterable[str],
    *,
    split: tuple[_Loops, list[int]] | None = None,
) -> dict[str, CriticalPath]:
    """:func:`longest_chain` to each of ``targets`` that ``sources`` reach, in one pass.

    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c"), ("b", "d")], relations=[])
    >>> nx.set_edge_attributes(g, [], "relations")
    >>> {t: chain.path for t, chain in longest_chains(g, {"a"}, ["c", "d", "a"]).items()}
    {'c': ('a', 'b', 'c'), 'd': ('a', 'b', 'd'), 'a': ('a',)}
    """
    unit, _ = _unit_of(graph)
    loops_split, topo = split or split_loops(graph)
    view = loops_split.view
    starts = {view.index[source] for source in sources if source in view.index}
    reachable = view.downstream(sorted(starts))
    inner, component_of = loops_split.inner, loops_split.component_of
    approximated = any(not found.exact for found in inner.values())
    involved = {component_of[n] for n, seen in enumerate(reachable) if seen}
    order = [i for i in topo if i in involved]
    forward = _Forward(loops_split, starts=starts)
    forward.run(order)
    # Whether an approximated loop the sources reach lies upstream of each component: one
    # forward pass over the reached components, not a walk upstream of each target.
    approximated_up: dict[int, bool] = {}
    if approximated:
        components, pred = loops_split.components, loops_split.pred
        for index in order:
            members = components[index]
            approximated_up[index] = not inner[index].exact or any(
                approximated_up.get(component_of[u], False)
                for v in members
                for u in pred[v]
                if reachable[u]
            )
    chains: dict[str, CriticalPath] = {}
    for name in targets:
        target = view.index.get(name)
        if target is None or forward.leave[target] is None:
            continue
        path = forward.path_to(target)
        lacking = sum(1 for u, v in itertools.pairwise(path) if view.hours(u, v) is None)
        exact = not approximated_up.get(component_of[target], False)
        arrived = forward.leave[target]
        assert arrived is not None
        total = _tidy(arrived[0])
        chains[name] = CriticalPath(
            name, view.names(path), total, lacking if unit == "hours" else 0, exact
        )
    return chains


def _tidy(value: float) -> float:
    return round(value, 6)
