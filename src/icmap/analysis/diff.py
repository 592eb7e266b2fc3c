"""What an org change does to the internal-customer graph: ``icmap diff``.

Compares two loaded orgs (before and after) by id. Beyond the raw changes it reports their
consequences: who gained or lost a path to the customer, the front line, each customer's
critical path, chokepoints, loops and, when given, the check's findings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from icmap.analysis.chokepoints import chokepoints
from icmap.analysis.critical import CriticalPath, Unit, critical_paths
from icmap.analysis.frontline import front_line
from icmap.analysis.loops import Loop, group_cycles, loops
from icmap.analysis.reach import reach
from icmap.analysis.streams import StreamFlow, stream_flows
from icmap.compact import collector_paused
from icmap.loader.resolve import normalise_what

if TYPE_CHECKING:
    from icmap.diagnostics import Diagnostic
    from icmap.graph import OrgGraph
    from icmap.model import Answer, Org, Relation, Side

RelationKey = tuple[str, str, str]


@dataclass(frozen=True)
class Rename:
    kind: str
    old: str
    new: str


@dataclass(frozen=True)
class RelationChange:
    provider: str
    receiver: str
    what: str
    changes: dict[str, tuple[object, object]]


@dataclass(frozen=True)
class TypeChange:
    """A team whose Team Topologies type changed (``None``: no type on that side)."""

    team: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class DetailChange:
    """A team, customer or supplier in both orgs (renames followed) whose name, group, lead or
    description differs: each such field as ``(before, after)``, ``None`` where unset."""

    kind: str
    id: str
    changes: dict[str, tuple[str | None, str | None]]


@dataclass(frozen=True)
class SuppressionChange:
    """A team (in both orgs, renames followed, or only in the head) whose ``ignore:`` entries
    changed: each added or removed as ``(rule, reason)``, as written."""

    team: str
    added: tuple[tuple[str, str], ...]
    removed: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ScoreChange:
    """A hand-off whose survey score changed: each side's score, round and number of answers.

    ``round`` is ``None`` on a side where the score is the YAML ``satisfaction`` (or none).
    """

    provider: str
    receiver: str
    what: str
    before: float | None
    after: float | None
    before_round: str | None
    after_round: str | None
    before_answers: int
    after_answers: int


@dataclass(frozen=True)
class PathChange:
    """A customer's critical path before and after; each side's total in its own unit (an org
    with no lead time at all measures its paths in hops, and the change may give the first)."""

    customer: str
    before: tuple[str, ...] | None
    after: tuple[str, ...] | None
    before_total: float | None
    after_total: float | None
    #: The head's unit (``hours`` or ``hops``).
    unit: Unit
    #: The base's unit: ``unit`` unless lead times came or went with the change.
    before_unit: Unit

    @property
    def growth(self) -> float | None:
        """How much longer the path became, in ``unit``; ``None`` when the units differ."""
        if self.before_unit != self.unit:
            return None
        return (self.after_total or 0.0) - (self.before_total or 0.0)

    @property
    def changed(self) -> bool:
        """Whether the chain, its total or the unit of its total moved."""
        growth = self.growth
        return self.before != self.after or growth is None or abs(growth) > 1e-9


@dataclass(frozen=True)
class StreamChange:
    """A value stream before and after the change (``None`` on the side that lacks it).

    ``handoffs_added`` and ``handoffs_removed`` are the relations that joined or left the
    stream, as ``(provider, receiver, what)`` (new ids; a relation of a removed stream is not
    listed). ``changed``: it was added or removed, a relation joined or left it, or its
    critical path, lead time, target, flow efficiency, rolled %C&A or hand-offs differ.
    """

    stream: str
    before: StreamFlow | None
    after: StreamFlow | None
    handoffs_added: tuple[RelationKey, ...] = ()
    handoffs_removed: tuple[RelationKey, ...] = ()
    changed: bool = False


@dataclass
class OrgDiff:
    #: The organisation's name before and after, when it changed.
    organisation: tuple[str | None, str | None] | None = None
    added: dict[str, list[str]] = field(default_factory=dict)  # kind -> ids
    removed: dict[str, list[str]] = field(default_factory=dict)
    renamed: list[Rename] = field(default_factory=list)
    relations_added: list[Relation] = field(default_factory=list)
    relations_removed: list[Relation] = field(default_factory=list)
    relations_changed: list[RelationChange] = field(default_factory=list)
    #: Teams in both orgs (renames followed) whose ``type`` differs.
    types_changed: list[TypeChange] = field(default_factory=list)
    #: Parties in both orgs (renames followed) whose name, group, lead or description differs.
    details_changed: list[DetailChange] = field(default_factory=list)
    #: Teams whose ``ignore:`` entries were added or removed: what a reviewer must see, as
    #: each silences a check finding.
    suppressions_changed: list[SuppressionChange] = field(default_factory=list)
    #: Survey rounds (by name) only in the head, only in the base, and in both but different.
    rounds_added: list[str] = field(default_factory=list)
    rounds_removed: list[str] = field(default_factory=list)
    rounds_changed: list[str] = field(default_factory=list)
    #: Hand-offs whose score changed where a survey scored either side.
    scores_changed: list[ScoreChange] = field(default_factory=list)
    lost_path: list[str] = field(default_factory=list)
    gained_path: list[str] = field(default_factory=list)
    front_line_added: list[str] = field(default_factory=list)
    front_line_removed: list[str] = field(default_factory=list)
    critical_paths: list[PathChange] = field(default_factory=list)
    #: Every value stream on either side, by id.
    streams: list[StreamChange] = field(default_factory=list)
    chokepoints_new: list[str] = field(default_factory=list)
    chokepoints_gone: list[str] = field(default_factory=list)
    loops_new: list[list[str]] = field(default_factory=list)
    loops_gone: list[list[str]] = field(default_factory=list)
    #: The shortest cycles of each new loop (in the head) and each gone one (in the base),
    #: parallel to ``loops_new`` and ``loops_gone``: what a reviewer can act on.
    loops_new_cycles: list[list[tuple[str, ...]]] = field(default_factory=list)
    loops_gone_cycles: list[list[tuple[str, ...]]] = field(default_factory=list)
    #: Loops that shrank, grew, split or merged: (teams before, teams after) for each overlap.
    loops_changed: list[tuple[list[str], list[str]]] = field(default_factory=list)
    findings_new: list[Diagnostic] = field(default_factory=list)
    findings_gone: list[Diagnostic] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.organisation,
                self.added,
                self.removed,
                self.renamed,
                self.relations_added,
                self.relations_removed,
                self.relations_changed,
                self.types_changed,
                self.details_changed,
                self.suppressions_changed,
                self.rounds_added,
                self.rounds_removed,
                self.rounds_changed,
                self.scores_changed,
                self.lost_path,
                self.gained_path,
                self.front_line_added,
                self.front_line_removed,
                [p for p in self.critical_paths if p.changed],
                [s for s in self.streams if s.changed],
                self.chokepoints_new,
                self.chokepoints_gone,
                self.loops_new,
                self.loops_gone,
                self.loops_changed,
                self.findings_new,
                self.findings_gone,
            )
        )


def _parties(org: Org) -> dict[str, dict[str, object]]:
    return {
        "team": dict(org.teams),
        "customer": dict(org.customers),
        "supplier": dict(org.suppliers),
    }


def _key(relation: Relation) -> RelationKey:
    return (relation.provider, relation.receiver, normalise_what(relation.what))


def _signatures(org: Org, nodes: set[str]) -> dict[str, frozenset[tuple[str, str, str]]]:
    """Each of ``nodes``' relations without its own id: what renames keep.

    One pass over the relations for all of them: a pass per node cost a second at 30,000
    teams when a change adds and removes a few dozen.
    """
    found: dict[str, set[tuple[str, str, str]]] = {node: set() for node in nodes}
    for r in org.relations:
        if r.provider in found:
            found[r.provider].add(("to", r.receiver, normalise_what(r.what)))
        if r.receiver in found:
            found[r.receiver].add(("from", r.provider, normalise_what(r.what)))
    return {node: frozenset(relations) for node, relations in found.items()}


def _renames(
    base: Org, head: Org, removed: dict[str, list[str]], added: dict[str, list[str]]
) -> list[Rename]:
    found = []
    candidates = [kind for kind in added if removed.get(kind)]
    old_all = _signatures(base, {old for kind in candidates for old in removed[kind]})
    new_all = _signatures(head, {new for kind in candidates for new in added[kind]})
    for kind in candidates:
        old_signatures = {old: old_all[old] for old in removed[kind]}
        for new in list(added[kind]):
            signature = new_all[new]
            matches = [old for old, sig in old_signatures.items() if sig and sig == signature]
            if len(matches) == 1:
                found.append(Rename(kind, matches[0], new))
                old_signatures.pop(matches[0])
    return found


def _keyed(org: Org, renamed: dict[str, str], what: dict[str, str]) -> dict[RelationKey, Relation]:
    """``org``'s relations by key, renamed ids followed; ``what`` holds each ``what`` already
    normalised (the same few recur across thousands of relations and both orgs)."""
    found = {}
    for relation in org.relations:
        written = relation.what
        normal = what.get(written)
        if normal is None:
            normal = what[written] = normalise_what(written)
        provider, receiver = relation.provider, relation.receiver
        if renamed:
            provider, receiver = renamed.get(provider, provider), renamed.get(receiver, receiver)
        found[provider, receiver, normal] = relation
    return found


def _sides(relation: Relation) -> list[Side]:
    return sorted(relation.declared_by)


def _relation_changes(base: Org, head: Org, diff: OrgDiff, renamed: dict[str, str]) -> None:
    """Hand-offs added, removed and changed, teams whose type changed, survey rounds."""
    what: dict[str, str] = {}
    before, after = _keyed(base, renamed, what), _keyed(head, {}, what)
    diff.relations_added = [after[k] for k in sorted(after.keys() - before.keys())]
    diff.relations_removed = [before[k] for k in sorted(before.keys() - after.keys())]
    # Compared in any order, the few changes sorted by key after: sorting the hundreds of
    # thousands of unchanged ones cost more than comparing them.
    changed: list[tuple[RelationKey, RelationChange]] = []
    scores: list[tuple[RelationKey, ScoreChange]] = []
    for key, old in before.items():
        new = after.get(key)
        if new is None:
            continue
        changes, score = _compared(old, new)
        if score is not None:
            scores.append((key, score))
        if changes:
            changed.append((key, RelationChange(new.provider, new.receiver, new.what, changes)))
    diff.relations_changed = [change for _, change in sorted(changed, key=_first)]
    diff.scores_changed = [score for _, score in sorted(scores, key=_first)]
    diff.types_changed = _type_changes(base, head, renamed)
    diff.details_changed = _detail_changes(base, head, renamed)
    diff.suppressions_changed = _suppression_changes(base, head, renamed)
    _round_changes(base, head, diff)


def _compared(
    old: Relation, new: Relation
) -> tuple[dict[str, tuple[object, object]], ScoreChange | None]:
    """What differs between a relation before and after (by field), and its score's change."""
    changes: dict[str, tuple[object, object]] = {}
    old_lead = old.lead_time.hours if old.lead_time else None
    new_lead = new.lead_time.hours if new.lead_time else None
    if old_lead != new_lead:
        changes["lead_time_hours"] = (old_lead, new_lead)
    old_process = old.process_time.hours if old.process_time else None
    new_process = new.process_time.hours if new.process_time else None
    if old_process != new_process:
        changes["process_time_hours"] = (old_process, new_process)
    if old.complete_accurate != new.complete_accurate:
        changes["complete_accurate"] = (old.complete_accurate, new.complete_accurate)
    if old.streams != new.streams:
        changes["streams"] = (list(old.streams), list(new.streams))
    score = None
    if old.survey is not None or new.survey is not None:
        score = _score_change(old, new)
    elif old.satisfaction != new.satisfaction:
        changes["satisfaction"] = (old.satisfaction, new.satisfaction)
    if old.feedback != new.feedback:
        changes["feedback"] = (old.feedback, new.feedback)
    # Each field by name, not through getattr: this runs for every relation of both orgs.
    if old.mode != new.mode:
        changes["mode"] = (old.mode, new.mode)
    if old.state != new.state:
        changes["state"] = (old.state, new.state)
    if old.since != new.since:
        changes["since"] = (_plain(old.since), _plain(new.since))
    if old.until != new.until:
        changes["until"] = (_plain(old.until), _plain(new.until))
    old_sides, new_sides = _sides(old), _sides(new)
    if old_sides != new_sides:
        changes["declared_by"] = (old_sides, new_sides)
    return changes, score


def _first(pair: tuple[RelationKey, object]) -> RelationKey:
    return pair[0]


def _scored(relation: Relation) -> tuple[float | None, str | None, int]:
    survey = relation.survey
    if survey is not None and survey.mean is not None:
        return relation.satisfaction, survey.round, survey.answers
    return relation.satisfaction, None, 0


def _score_change(old: Relation, new: Relation) -> ScoreChange | None:
    """The change of score where a survey scores either side, if any.

    A new round that gives the same score is no change; a score that moves between the YAML
    and a survey is one, even when the number is the same.
    """
    before, after = _scored(old), _scored(new)
    if before[0] != after[0] or (before[1] is None) != (after[1] is None):
        return ScoreChange(
            new.provider,
            new.receiver,
            new.what,
            before[0],
            after[0],
            before[1],
            after[1],
            before[2],
            after[2],
        )
    return None


def _round_changes(base: Org, head: Org, diff: OrgDiff) -> None:
    before = {r.name: r.answers for r in base.surveys}
    after = {r.name: r.answers for r in head.surveys}
    diff.rounds_added = [r.name for r in head.surveys if r.name not in before]
    diff.rounds_removed = [r.name for r in base.surveys if r.name not in after]
    diff.rounds_changed = [
        r.name
        for r in head.surveys
        if r.name in before and _answers(before[r.name]) != _answers(r.answers)
    ]


def _answers(answers: tuple[Answer, ...]) -> list[tuple[object, ...]]:
    """What an answer says, not where it was written (moving rows is no change)."""
    return sorted(
        (
            a.provider,
            a.receiver,
            a.what,
            a.score,
            a.lead_time.hours if a.lead_time else None,
            a.comment,
            a.respondent,
        )
        for a in answers
    )


def _plain(value: object) -> object:
    """A date as ``YYYY-MM-DD`` (as JSON carries it); anything else as it is."""
    return value.isoformat() if isinstance(value, date) else value


def _type_changes(base: Org, head: Org, renamed: dict[str, str]) -> list[TypeChange]:
    before = {renamed.get(t.id, t.id): t.type for t in base.teams.values()}
    return [
        TypeChange(team.id, before[team.id], team.type)
        for team in sorted(head.teams.values(), key=lambda t: t.id)
        if team.id in before and before[team.id] != team.type
    ]


#: The fields of a party compared by ``diff``, in the order they are listed; ``type`` has a
#: list of its own (:class:`TypeChange`).
DETAIL_FIELDS = ("name", "group", "lead", "description")


def _details(party: object) -> dict[str, str | None]:
    """A party's details as written: ``None`` for one left out (a name left out is its id)."""
    found: dict[str, str | None] = {}
    for name in DETAIL_FIELDS:
        value = getattr(party, name, None)
        found[name] = value or None
    if found["name"] == getattr(party, "id", None):
        found["name"] = None
    return found


def _detail_changes(base: Org, head: Org, renamed: dict[str, str]) -> list[DetailChange]:
    """The parties in both orgs whose name, group, lead or description differs, by kind and
    id; a rename is not a change of name (it is listed as a rename)."""
    found = []
    heads = _parties(head)
    for kind, old_parties in _parties(base).items():
        before = {renamed.get(i, i): p for i, p in old_parties.items()}
        new_parties = heads[kind]
        for party_id in sorted(before.keys() & new_parties.keys()):
            if before[party_id] is new_parties[party_id]:
                continue  # the head's read took the base's party as it was
            old, new = _details(before[party_id]), _details(new_parties[party_id])
            changes = {f: (old[f], new[f]) for f in DETAIL_FIELDS if old[f] != new[f]}
            if changes:
                found.append(DetailChange(kind, party_id, changes))
    return found


def _suppression_changes(base: Org, head: Org, renamed: dict[str, str]) -> list[SuppressionChange]:
    """Each team whose ``ignore:`` entries differ between the orgs (a new team's count as
    added), by id."""
    before = {renamed.get(t.id, t.id): t.ignore for t in base.teams.values() if t.ignore}
    found = []
    for team in sorted(head.teams.values(), key=lambda t: t.id):
        old = {(s.rule, s.reason) for s in before.get(team.id, ())}
        new = {(s.rule, s.reason) for s in team.ignore}
        if old != new:
            found.append(
                SuppressionChange(team.id, tuple(sorted(new - old)), tuple(sorted(old - new)))
            )
    return found


def _path_changes(before: Analysed, after: Analysed, renamed: dict[str, str]) -> list[PathChange]:
    """Each customer's critical path and total, before and after."""
    found = []
    old_paths = {renamed.get(p.customer, p.customer): p for p in before.critical}
    new_paths = {p.customer: p for p in after.critical}
    for customer in sorted(old_paths.keys() | new_paths.keys()):
        old_path, new_path = old_paths.get(customer), new_paths.get(customer)
        found.append(
            PathChange(
                customer,
                tuple(renamed.get(n, n) for n in old_path.path) if old_path else None,
                new_path.path if new_path else None,
                old_path.total if old_path else None,
                new_path.total if new_path else None,
                after.unit,
                before.unit,
            )
        )
    return found


def _stream_relations(org: Org, renamed: dict[str, str]) -> dict[str, dict[RelationKey, str]]:
    """Each stream's relations by key (renamed ids followed), each with its ``what``."""
    found: dict[str, dict[RelationKey, str]] = {}
    for relation in org.relations:
        if not relation.streams:
            continue
        provider, receiver, what = _key(relation)
        key = (renamed.get(provider, provider), renamed.get(receiver, receiver), what)
        for stream in relation.streams:
            found.setdefault(stream, {})[key] = relation.what
    return found


def _stream_numbers(flow: StreamFlow, renamed: dict[str, str]) -> tuple[object, ...]:
    """What a stream change compares: its path (renames followed), its numbers and what it
    is called and says it starts with."""
    target = flow.stream.target.hours if flow.stream.target else None
    return (
        flow.stream.name,
        flow.stream.description,
        flow.stream.starts,
        tuple(renamed.get(n, n) for n in flow.path),
        flow.unit,
        flow.lead_time,
        target,
        flow.flow_efficiency,
        flow.rolled_ca,
        flow.handoffs,
        flow.customer,
    )


def _stream_changes(
    base: Org, head: Org, sides: tuple[Analysed, Analysed], renamed: dict[str, str]
) -> list[StreamChange]:
    """Every value stream of either side, before and after, with the relations that joined
    or left it."""
    old_flows = {f.id: f for f in sides[0].flows}
    new_flows = {f.id: f for f in sides[1].flows}
    if not old_flows and not new_flows:
        return []
    old_relations, new_relations = _stream_relations(base, renamed), _stream_relations(head, {})
    found = []
    for stream in sorted(old_flows.keys() | new_flows.keys()):
        before, after = old_flows.get(stream), new_flows.get(stream)
        was, now = old_relations.get(stream, {}), new_relations.get(stream, {})
        added: tuple[RelationKey, ...] = ()
        removed: tuple[RelationKey, ...] = ()
        if before is not None and after is not None:
            added = tuple((p, r, now[p, r, w]) for p, r, w in sorted(now.keys() - was.keys()))
            removed = tuple((p, r, was[p, r, w]) for p, r, w in sorted(was.keys() - now.keys()))
        changed = (
            before is None
            or after is None
            or bool(added or removed)
            or _stream_numbers(before, renamed) != _stream_numbers(after, {})
        )
        found.append(StreamChange(stream, before, after, added, removed, changed))
    return found


def _finding_key(finding: Diagnostic, renamed: dict[str, str]) -> tuple[str, ...]:
    """What makes two findings the same across a change: the rule and what it is about.

    Not the message (a reworded message is the same finding) and not the line (moving lines
    is not a change); teams renamed by the change count under their new ids. The loader's
    findings, which name no subjects, are compared by message.
    """
    if finding.subjects:
        return (finding.code, *sorted(renamed.get(s, s) for s in finding.subjects))
    return (finding.code, finding.message)


@dataclass(frozen=True)
class Analysed:
    """What the diff compares of one org, taken from its graph: once taken, the graph (and
    the compact views cached for it) can go before the other org is read."""

    #: Parties with a path to a customer, front-line teams, chokepoints.
    connected: frozenset[str]
    front: frozenset[str]
    chokepoints: frozenset[str]
    critical: list[CriticalPath]
    unit: Unit
    flows: list[StreamFlow]
    loops: list[list[str]]
    #: The check's findings, when asked for.
    findings: list[Diagnostic] | None
    #: Each loop group's cycles (by its teams), when asked for: the base's gone loops show them.
    cycles: dict[frozenset[str], Loop] | None = None
    #: The loops left when feedback hand-offs are left out (what IC303 reports): a new one
    #: inside a group feedback already closed is a new loop of delivered work.
    delivery_loops: list[list[str]] = field(default_factory=list)
    #: The cycles of those of them that are no whole loop group, when asked for.
    delivery_cycles: dict[frozenset[str], Loop] | None = None

    def cycles_of(self, group: frozenset[str]) -> Loop:
        """The cycles of a delivery loop that is a whole loop group (asked for with cycles)."""
        assert self.cycles is not None
        return self.cycles[group]


def _delivery_loop_changes(
    diff: OrgDiff,
    before: Analysed,
    after: Analysed,
    head_graph: OrgGraph,
    renamed: dict[str, str],
) -> None:
    """A loop of delivery hand-offs new (or gone) inside a loop group that feedback closed
    on both sides: the groups compare alike, the work that goes round does not."""
    from icmap.graph import delivery_graph

    assert before.delivery_cycles is not None
    # Whether a group shares a team with another is looked up by team: an org may have
    # thousands of small loops, and comparing each with each would grow with their square.
    old = [[renamed.get(n, n) for n in g] for g in before.delivery_loops]
    new = after.delivery_loops
    in_old = {team for group in old for team in group}
    in_new = {team for group in new for team in group}
    listed_new = {team for group in diff.loops_new for team in group}
    listed_gone = {team for group in diff.loops_gone for team in group}
    for group in sorted(sorted(g) for g in new if in_old.isdisjoint(g)):
        if listed_new.isdisjoint(group):
            diff.loops_new.append(group)
            found = group_cycles(delivery_graph(head_graph), group).cycles
            diff.loops_new_cycles.append([c.teams for c in found])
    unrenamed = {n: o for o, n in renamed.items()}
    for group in sorted(sorted(g) for g in old if in_new.isdisjoint(g)):
        if listed_gone.isdisjoint(group):
            key = frozenset(unrenamed.get(n, n) for n in group)
            cycles = before.delivery_cycles.get(key) or before.cycles_of(key)
            diff.loops_gone.append(group)
            diff.loops_gone_cycles.append(
                [tuple(renamed.get(n, n) for n in c.teams) for c in cycles.cycles]
            )
    # Sorted as the loop groups are, each with its cycles.
    for groups, cycles_of in (
        (diff.loops_new, diff.loops_new_cycles),
        (diff.loops_gone, diff.loops_gone_cycles),
    ):
        paired = sorted(zip(groups, cycles_of, strict=True))
        groups[:] = [group for group, _ in paired]
        cycles_of[:] = [found for _, found in paired]


@collector_paused
def analyse_side(
    org: Org,
    graph: OrgGraph,
    findings: Callable[[Org, OrgGraph], list[Diagnostic]] | None = None,
    *,
    cycles: bool = False,
) -> Analysed:
    """What :func:`compare` needs of ``org`` and its graph; ``cycles`` for the base."""
    from icmap.compact import compact_delivery
    from icmap.graph import delivery_graph

    critical = critical_paths(graph)
    groups = loops(graph)
    view = compact_delivery(graph)
    delivered = sorted(sorted(view.names(c)) for c in view.components() if len(c) > 1)
    # Most orgs' delivery loops are their loop groups: only the others need cycles of their own.
    whole = {frozenset(group) for group in groups}
    own = [g for g in delivered if frozenset(g) not in whole]
    return Analysed(
        frozenset(reach(graph).hops),
        frozenset(f.team for f in front_line(graph)),
        frozenset(c.team for c in chokepoints(graph)),
        critical.paths,
        critical.unit,
        stream_flows(graph),
        groups,
        None if findings is None else findings(org, graph),
        {frozenset(g): group_cycles(graph, g) for g in groups} if cycles else None,
        delivered,
        {frozenset(g): group_cycles(delivery_graph(graph), g) for g in own} if cycles else None,
    )


@collector_paused
def diff_orgs(
    base: Org,
    head: Org,
    base_graph: OrgGraph,
    head_graph: OrgGraph,
    findings: Callable[[Org, OrgGraph], list[Diagnostic]] | None = None,
) -> OrgDiff:
    """Everything that differs between ``base`` and ``head``, and what it leads to.

    ``findings``, when given, runs the check on each side; findings are compared by rule and
    the teams they are about, not by message or position, so rewording a message or moving
    lines does not count as a change.
    """
    before = analyse_side(base, base_graph, findings, cycles=True)
    return compare(base, head, before, analyse_side(head, head_graph, findings), head_graph)


@collector_paused
def compare(
    base: Org, head: Org, before: Analysed, after: Analysed, head_graph: OrgGraph
) -> OrgDiff:
    """:func:`diff_orgs` from each side's :class:`Analysed` (the base's taken with ``cycles``),
    the base's graph no longer needed."""
    assert before.cycles is not None, "the base's side is taken with its loops' cycles"
    diff = OrgDiff()
    if base.name != head.name:
        diff.organisation = (base.name, head.name)
    old_parties, new_parties = _parties(base), _parties(head)
    for kind, old_of_kind in old_parties.items():
        added = sorted(new_parties[kind].keys() - old_of_kind.keys())
        removed = sorted(old_of_kind.keys() - new_parties[kind].keys())
        if added:
            diff.added[kind] = added
        if removed:
            diff.removed[kind] = removed
    diff.renamed = _renames(base, head, diff.removed, diff.added)
    for rename in diff.renamed:
        diff.added[rename.kind].remove(rename.new)
        diff.removed[rename.kind].remove(rename.old)
    diff.added = {k: v for k, v in diff.added.items() if v}
    diff.removed = {k: v for k, v in diff.removed.items() if v}
    renamed = {r.old: r.new for r in diff.renamed}
    _relation_changes(base, head, diff, renamed)

    old_connected = {renamed.get(n, n) for n in before.connected}
    new_connected = set(after.connected)
    diff.lost_path = sorted(n for n in old_connected - new_connected if n in head_graph)
    # A team added by the change is reported as added; "gained a path" is for existing ones.
    new_ids = {n for ids in diff.added.values() for n in ids}
    diff.gained_path = sorted(n for n in new_connected - old_connected if n not in new_ids)
    old_front = {renamed.get(t, t) for t in before.front}
    new_front = set(after.front)
    diff.front_line_added = sorted(new_front - old_front)
    diff.front_line_removed = sorted(old_front - new_front)

    diff.critical_paths = _path_changes(before, after, renamed)
    diff.streams = _stream_changes(base, head, (before, after), renamed)
    old_choke = {renamed.get(t, t) for t in before.chokepoints}
    new_choke = set(after.chokepoints)
    diff.chokepoints_new = sorted(new_choke - old_choke)
    diff.chokepoints_gone = sorted(old_choke - new_choke)
    old_loops = {frozenset(renamed.get(n, n) for n in group) for group in before.loops}
    new_loops = {frozenset(group) for group in after.loops}
    # A loop is new only when no loop before shares a team with it; one that shrank, grew,
    # split or merged is changed, and so is each loop it overlaps.
    diff.loops_new = sorted(sorted(g) for g in new_loops if not any(g & o for o in old_loops))
    diff.loops_gone = sorted(sorted(g) for g in old_loops if not any(g & n for n in new_loops))
    diff.loops_changed = sorted(
        (sorted(o), sorted(n)) for o in old_loops for n in new_loops if o & n and o != n
    )
    diff.loops_new_cycles = [
        [c.teams for c in group_cycles(head_graph, group).cycles] for group in diff.loops_new
    ]
    unrenamed = {new: old for old, new in renamed.items()}
    diff.loops_gone_cycles = [
        [
            tuple(renamed.get(n, n) for n in c.teams)
            for c in before.cycles[frozenset(unrenamed.get(n, n) for n in group)].cycles
        ]
        for group in diff.loops_gone
    ]
    _delivery_loop_changes(diff, before, after, head_graph, renamed)

    if before.findings is not None and after.findings is not None:
        old_keys = {_finding_key(d, renamed) for d in before.findings}
        new_keys = {_finding_key(d, {}) for d in after.findings}
        diff.findings_new = [d for d in after.findings if _finding_key(d, {}) not in old_keys]
        diff.findings_gone = [
            d for d in before.findings if _finding_key(d, renamed) not in new_keys
        ]
    return diff
