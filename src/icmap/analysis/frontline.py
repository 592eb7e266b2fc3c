"""The front line: the teams one hand-off away from an external customer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from icmap.graph import kind, nodes_of_kind

if TYPE_CHECKING:
    from icmap.graph import OrgGraph


@dataclass(frozen=True)
class FrontLineTeam:
    """A team that hands its work straight to ``customers``."""

    team: str
    customers: tuple[str, ...]


def front_line(graph: OrgGraph) -> list[FrontLineTeam]:
    """Every team with an edge to an external customer, by id, with the customers it serves.

    Outside suppliers delivering straight to a customer are not part of the front line.

    >>> import networkx as nx
    >>> g = nx.DiGraph([("waiters", "diners"), ("kitchen", "waiters")])
    >>> nx.set_node_attributes(g, "team", "kind"); g.nodes["diners"]["kind"] = "customer"
    >>> front_line(g)
    [FrontLineTeam(team='waiters', customers=('diners',))]
    """
    serving: dict[str, list[str]] = {}
    for customer in nodes_of_kind(graph, "customer"):
        for provider in graph.predecessors(customer):
            if kind(graph, provider) == "team":
                serving.setdefault(provider, []).append(customer)
    return [FrontLineTeam(team, tuple(sorted(serving[team]))) for team in sorted(serving)]
