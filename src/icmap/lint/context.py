"""What every rule may look at: the org, its graph and the analyses, each computed once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from icmap.analysis.chokepoints import Chokepoint
    from icmap.analysis.critical import CriticalPaths
    from icmap.analysis.feedback import LoopCrossing
    from icmap.analysis.loops import Loop
    from icmap.analysis.reach import Reach
    from icmap.graph import OrgGraph
    from icmap.model import Org, Relation


@dataclass(frozen=True)
class Finding:
    """One rule's complaint: where, what, and the teams it is about (for suppressions)."""

    code: str
    message: str
    file: str
    line: int
    col: int
    subjects: tuple[str, ...] = ()
    hint: str | None = None


class Context:
    """The org under check; analyses are computed on first use and shared by the rules."""

    def __init__(self, org: Org, graph: OrgGraph) -> None:
        self.org = org
        self.graph = graph

    @cached_property
    def reach(self) -> Reach:
        from icmap.analysis.reach import reach

        return reach(self.graph)

    @cached_property
    def critical(self) -> CriticalPaths:
        from icmap.analysis.critical import critical_paths

        return critical_paths(self.graph)

    def critical_handoffs(self) -> Iterator[tuple[str, Relation]]:
        """Each delivery relation on some customer's critical path once, with that customer."""
        import itertools

        from icmap.graph import relations

        seen: set[tuple[str, str]] = set()
        for path in self.critical.paths:
            for u, v in itertools.pairwise(path.path):
                if (u, v) not in seen:
                    seen.add((u, v))
                    for relation in relations(self.graph, u, v):
                        if not relation.feedback:
                            yield path.customer, relation

    @cached_property
    def chokepoints(self) -> list[Chokepoint]:
        from icmap.analysis.chokepoints import chokepoints

        return chokepoints(self.graph)

    @cached_property
    def delivery_loops(self) -> list[Loop]:
        """Loops that remain when feedback hand-offs are left out, with their cycles."""
        from icmap.analysis.loops import loop_cycles
        from icmap.graph import delivery_graph

        return loop_cycles(delivery_graph(self.graph))

    @cached_property
    def crossings(self) -> list[LoopCrossing]:
        from icmap.analysis.feedback import loop_crossings

        return loop_crossings(self.graph, self.critical, self.reach)
