"""Loops: groups of teams that serve each other, and the short cycles a person can act on.

A loop *group* is a strongly connected set of teams: every one reaches every other through
hand-offs. In a real org one group can hold 18 teams, which says little; what a person can act
on is a *cycle*, such as ``marketing → sales → marketing``. :func:`loop_cycles` lists, for each
group, the shortest cycle through each of its members.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from icmap.compact import collector_paused, compact
from icmap.graph import is_feedback

if TYPE_CHECKING:
    from icmap.graph import OrgGraph

#: Cycles listed per loop group, shortest first; the rest are counted in ``Loop.more_cycles``.
CYCLES_PER_LOOP = 10
#: Members of one group whose shortest cycle is searched (one breadth-first search each); a
#: larger group has the rest counted in ``Loop.unsearched``, so the work stays linear.
SEARCHED_PER_LOOP = 200


@dataclass(frozen=True)
class Cycle:
    """Teams in hand-off order: each hands work to the next, and the last to the first."""

    teams: tuple[str, ...]
    #: Some hand-off on the cycle is marked feedback: delivery does not go round it.
    feedback: bool = False


@dataclass(frozen=True)
class Loop:
    """One loop group (its teams sorted) and its shortest cycles, shortest first."""

    teams: tuple[str, ...]
    cycles: tuple[Cycle, ...]
    more_cycles: int = 0
    unsearched: int = 0


@collector_paused
def loops(graph: OrgGraph) -> list[list[str]]:
    """The strongly connected groups of more than one team, each sorted, largest first.

    Every team in a group can reach every other through hand-offs: marketing gives sales
    leads, sales gives marketing feedback. Found with Tarjan's algorithm in O(nodes + edges), on
    the compact view (:mod:`icmap.compact`).
    Self-provision is rejected by the loader, so a loop always has two or more teams.

    >>> import networkx as nx
    >>> loops(nx.DiGraph([("marketing", "sales"), ("sales", "marketing"), ("sales", "buyers")]))
    [['marketing', 'sales']]
    """
    view = compact(graph)
    groups = [list(view.names(c)) for c in view.components() if len(c) > 1]
    return sorted(groups, key=lambda group: (-len(group), group))


def shortest_cycle(graph: OrgGraph, through: str, within: set[str]) -> tuple[str, ...] | None:
    """The fewest-hand-off cycle through ``through`` that stays among ``within``, if any.

    Breadth-first from ``through``; among equally short cycles the one first in id order.
    Returned in hand-off order starting at ``through``.

    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("b", "a")])
    >>> shortest_cycle(g, "c", {"a", "b", "c"})
    ('c', 'a', 'b')
    """
    parent: dict[str, str | None] = {through: None}
    queue = deque([through])
    while queue:
        node = queue.popleft()
        for succ in sorted(graph.successors(node)):
            if succ == through:
                chain = [node]
                while parent[chain[-1]] is not None:
                    chain.append(parent[chain[-1]])  # type: ignore[arg-type]
                return tuple(reversed(chain))
            if succ in within and succ not in parent:
                parent[succ] = node
                queue.append(succ)
    return None


def cycle_via(graph: OrgGraph, u: str, v: str, within: set[str]) -> tuple[str, ...] | None:
    """The fewest-hand-off cycle that uses the hand-off ``u -> v``, among ``within``.

    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "b"), ("b", "a"), ("b", "c"), ("c", "a")])
    >>> cycle_via(g, "b", "c", {"a", "b", "c"})
    ('b', 'c', 'a')
    """
    parent: dict[str, str | None] = {v: None}
    queue = deque([v])
    while queue:
        node = queue.popleft()
        if node == u:
            chain = [node]
            while parent[chain[-1]] is not None:
                chain.append(parent[chain[-1]])  # type: ignore[arg-type]
            back = tuple(reversed(chain))  # v ... u
            return (u, *back[:-1])
        for succ in sorted(graph.successors(node)):
            if succ in within and succ not in parent:
                parent[succ] = node
                queue.append(succ)
    return None


def canonical(cycle: tuple[str, ...]) -> tuple[str, ...]:
    """The cycle rotated to start at its smallest id, so each cycle has one spelling."""
    start = cycle.index(min(cycle))
    return cycle[start:] + cycle[:start]


def cycle_is_feedback(graph: OrgGraph, teams: tuple[str, ...]) -> bool:
    """Whether any hand-off round the cycle is marked feedback."""
    return any(is_feedback(graph, u, v) for u, v in zip(teams, (*teams[1:], teams[0]), strict=True))


def group_cycles(graph: OrgGraph, group: list[str] | tuple[str, ...]) -> Loop:
    """The shortest cycle through each member of one loop group, distinct, shortest first.

    >>> import networkx as nx
    >>> g = nx.DiGraph([("m", "s"), ("s", "m"), ("s", "x"), ("x", "y"), ("y", "s")])
    >>> [c.teams for c in group_cycles(g, ["m", "s", "x", "y"]).cycles]
    [('m', 's'), ('s', 'x', 'y')]
    """
    members = set(group)
    ordered = sorted(members)
    found: set[tuple[str, ...]] = set()
    for member in ordered[:SEARCHED_PER_LOOP]:
        cycle = shortest_cycle(graph, member, members)
        if cycle is not None:
            found.add(canonical(cycle))
    ranked = sorted(found, key=lambda c: (len(c), c))
    listed = tuple(Cycle(c, cycle_is_feedback(graph, c)) for c in ranked[:CYCLES_PER_LOOP])
    return Loop(
        tuple(ordered),
        listed,
        more_cycles=max(0, len(ranked) - CYCLES_PER_LOOP),
        unsearched=max(0, len(ordered) - SEARCHED_PER_LOOP),
    )


@collector_paused
def loop_cycles(graph: OrgGraph) -> list[Loop]:
    """Every loop group (as :func:`loops` orders them) with its shortest cycles.

    O(group size times its hand-offs) per group, with at most :data:`SEARCHED_PER_LOOP`
    searches per group.

    >>> import networkx as nx
    >>> g = nx.DiGraph([("marketing", "sales"), ("sales", "marketing")])
    >>> [c.teams for c in loop_cycles(g)[0].cycles]
    [('marketing', 'sales')]
    """
    return [group_cycles(graph, group) for group in loops(graph)]


def cycle_text(teams: tuple[str, ...] | list[str]) -> str:
    """A cycle as people read it: ``a ⇄ b`` for two teams, ``a → b → c → a`` otherwise.

    >>> cycle_text(("marketing", "sales")), cycle_text(("a", "b", "c"))
    ('marketing ⇄ sales', 'a → b → c → a')
    """
    if len(teams) == 2:
        return f"{teams[0]} ⇄ {teams[1]}"
    return " → ".join((*teams, teams[0]))
