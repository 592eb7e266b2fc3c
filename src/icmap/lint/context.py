"""What every rule may look at: the org, its graph and the analyses, each computed once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from icmap.analysis.chokepoints import Chokepoint
    from icmap.analysis.critical import CriticalPaths
    from icmap.analysis.feedback import LoopCrossing
    from icmap.analysis.loops import Loop
    from icmap.analysis.reach import Reach
    from icmap.analysis.streams import StreamFlow
    from icmap.graph import OrgGraph
    from icmap.model import Org, Relation, SourcePos


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

    def __init__(self, org: Org, graph: OrgGraph, today: date | None = None) -> None:
        self.org = org
        self.graph = graph
        #: The date end dates are judged against: ``--today``, else the real date.
        self.today = today or date.today()

    @cached_property
    def reach(self) -> Reach:
        from icmap.analysis.reach import reach

        return reach(self.graph)

    @cached_property
    def uses_topologies(self) -> bool:
        """Whether the org says anything in Team Topologies terms (a team type, a mode, a
        state or a date on any relation): rules about cognitive load run only then, so orgs
        written before those fields get the findings they always had."""
        return any(t.type for t in self.org.teams.values()) or any(
            map(_says_topology, self.org.relations)
        )

    @cached_property
    def delivery_reach(self) -> Reach:
        """As :attr:`reach`, following delivery hand-offs only (feedback left out)."""
        from icmap.analysis.reach import reach
        from icmap.graph import delivery_graph

        return reach(delivery_graph(self.graph))

    @cached_property
    def critical(self) -> CriticalPaths:
        from icmap.analysis.critical import critical_paths

        return critical_paths(self.graph)

    @cached_property
    def critical_customers(self) -> dict[tuple[str, str], list[tuple[str, bool]]]:
        """Each delivery hand-off on some customer's critical path, with those customers.

        Ties count: a hand-off on a chain as long as the path shown (zero slack) is on a
        critical path too; its customer comes with ``True`` (tied), one on the path shown
        with ``False``.
        """
        import itertools

        found: dict[tuple[str, str], list[tuple[str, bool]]] = {}
        for path in self.critical.paths:
            for edge in itertools.pairwise(path.path):
                found.setdefault(edge, []).append((path.customer, False))
            for edge in path.ties:
                found.setdefault(edge, []).append((path.customer, True))
        return found

    def critical_to(self, provider: str, receiver: str) -> str:
        """The customers a hand-off is on a critical path to, in words (``users, shops
        (tied)``): "(tied)" where it is on a chain as long as the path shown, not on it."""
        return customers_text(self.critical_customers.get((provider, receiver), []))

    def critical_handoffs(self) -> Iterator[tuple[str, Relation]]:
        """Each delivery relation on some customer's critical path (ties included) once, with
        those customers as a message names them (``users``, ``users, shops (tied)``; past
        :data:`NAMED_CUSTOMERS`, how many more): a reader must not take a customer left out
        as unaffected."""
        from icmap.graph import relations

        for (u, v), customers in self.critical_customers.items():
            named = customers_text(customers)
            for relation in relations(self.graph, u, v):
                if not relation.feedback:
                    yield named, relation

    def critical_relations(self) -> list[Relation]:
        """Each delivery relation on some customer's critical path, once, in path order."""
        seen: dict[int, Relation] = {}
        for _, relation in self.critical_handoffs():
            seen.setdefault(id(relation), relation)
        return list(seen.values())

    @cached_property
    def critical_teams(self) -> set[str]:
        """Every node on some customer's critical path (ties included)."""
        return {node for edge in self.critical_customers for node in edge}

    @cached_property
    def streams(self) -> list[StreamFlow]:
        """Each value stream's numbers (empty when the org declares no streams)."""
        from icmap.analysis.streams import stream_flows

        return stream_flows(self.graph)

    @cached_property
    def chokepoints(self) -> list[Chokepoint]:
        from icmap.analysis.chokepoints import chokepoints

        return chokepoints(self.graph)

    @cached_property
    def delivery_loops(self) -> list[Loop]:
        """Loops that remain when feedback hand-offs are left out, with their cycles."""
        from icmap.analysis.loops import loop_cycles
        from icmap.compact import compact_delivery
        from icmap.graph import delivery_graph

        # Most orgs have none: then no copy of the graph without its feedback is made.
        if all(len(c) == 1 for c in compact_delivery(self.graph).components()):
            return []
        return loop_cycles(delivery_graph(self.graph))

    @property
    def latest_round(self) -> str | None:
        """The name of the org's latest survey round, if it has any."""
        return self.org.surveys[-1].name if self.org.surveys else None

    def survey_series(self) -> Iterator[tuple[Relation, list[tuple[str, float | None]]]]:
        """Each relation a survey round scored, with its mean in every round (oldest first)."""
        import statistics

        scores: dict[tuple[str, str, str], list[list[float]]] = {}
        rounds = self.org.surveys
        if not rounds:  # nothing scored: no pass over every relation
            return
        for index, survey_round in enumerate(rounds):
            for answer in survey_round.answers:
                if answer.score is not None:
                    key = (answer.provider, answer.receiver, answer.what)
                    scores.setdefault(key, [[] for _ in rounds])[index].append(answer.score)
        for relation in self.org.relations:
            per_round = scores.get((relation.provider, relation.receiver, relation.what))
            if per_round is not None:
                yield (
                    relation,
                    [
                        (r.name, statistics.fmean(v) if v else None)
                        for r, v in zip(rounds, per_round, strict=True)
                    ],
                )

    @cached_property
    def crossings(self) -> list[LoopCrossing]:
        from icmap.analysis.feedback import loop_crossings

        return loop_crossings(self.graph, self.critical)


def _says_topology(relation: Relation) -> bool:
    """Whether either side gives ``relation`` a mode, a state or a date: the relation holds
    the one given (the receiver's where both give one), so its own values answer without
    reading each side's."""
    return bool(relation.mode or relation.state or relation.since or relation.until)


def declared_at(relation: Relation, attribute: str) -> SourcePos:
    """Where the relation's value of ``attribute`` was written: the receiver's side when it
    gives one (its value is the one kept), else the side that does, else the relation."""
    given = [d for d in relation.declarations if getattr(d, attribute) is not None]
    given.sort(key=lambda d: d.side != "receiver")
    return given[0].pos if given else relation.pos


#: Customers a finding names before saying how many more (an org may have dozens).
NAMED_CUSTOMERS = 5


def customers_text(customers: list[tuple[str, bool]]) -> str:
    """``users, shops (tied)``: customers, each marked when the critical path to it only ties.

    >>> customers_text([("users", False), ("shops", True)])
    'users, shops (tied)'

    Past :data:`NAMED_CUSTOMERS`, how many more:

    >>> customers_text([(f"c{n}", False) for n in range(8)])
    'c0, c1, c2, c3, c4 and 3 more'
    """
    named = list(dict.fromkeys(c + (" (tied)" if tied else "") for c, tied in customers))
    shown = ", ".join(named[:NAMED_CUSTOMERS])
    return shown + (
        f" and {len(named) - NAMED_CUSTOMERS} more" if len(named) > NAMED_CUSTOMERS else ""
    )


def relation_text(relation: Relation) -> str:
    """``provider → receiver ('what')``, as findings name a hand-off."""
    return f"{relation.provider} → {relation.receiver} ({relation.what!r})"
