"""Every analysis of one org in one result, as ``icmap report`` shows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from icmap.analysis.chokepoints import Chokepoint, chokepoints
from icmap.analysis.critical import CriticalPaths, critical_paths
from icmap.analysis.feedback import LoopCrossing, loop_crossings
from icmap.analysis.frontline import FrontLineTeam, front_line
from icmap.analysis.loops import Loop, loop_cycles
from icmap.analysis.reach import Reach, reach
from icmap.analysis.weakest import CustomerWeakness, weakest_links
from icmap.graph import nodes_of_kind

if TYPE_CHECKING:
    from icmap.graph import OrgGraph


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


def build_report(graph: OrgGraph) -> Report:
    """Run every analysis on ``graph``."""
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
        crossings=tuple(loop_crossings(graph, critical, distances)),
        feedback_only=tuple(
            sorted(
                n
                for n in distances.hops
                if n not in critical.slack and graph.nodes[n]["kind"] != "customer"
            )
        ),
    )
