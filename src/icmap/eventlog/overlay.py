"""An event log laid over a declared org (``--events``): declared against measured.

The log's teams are matched to the org's parties (:mod:`icmap.eventlog.teammap`) and renamed
to their ids *before* the log is measured, so two log groups mapped to one team make one stay,
not a hand-off. Each declared relation then carries what the log measured of its pair of
teams (``Relation.measured``; ``None`` where the log never shows it, replacing any
``measured:`` block of the files), and :class:`~icmap.model.EventOverlay` keeps every
measured pair, declared or not, for the drift rules (IC701-IC706).

A case's last stay hands the case to an external customer: the org's only one, else the one
customer its team declares serving. Where neither says which (several customers and the team
declares none or several), the ending is not compared.

With ``lead_times="measured"`` each relation the log measured takes the measured median as
its ``lead_time``, so critical paths and slack follow the log; the declared value stays in its
declarations (:attr:`~icmap.model.Relation.declared_lead_time`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from icmap.eventlog import EventLogOptions
from icmap.eventlog.measure import MeasuredHandoff, measure
from icmap.eventlog.read import read_events
from icmap.eventlog.teammap import TeamMap, match_teams
from icmap.model import (
    Duration,
    EventOverlay,
    Measured,
    MeasuredPair,
    SourcePos,
    UnmatchedTeam,
    format_hours,
)

if TYPE_CHECKING:
    from icmap.diagnostics import Diagnostic
    from icmap.model import Org, Relation

LeadTimes = Literal["declared", "measured"]
#: The receiver measure() gives a case's last stay; no log team name holds a NUL.
_END = "\x00end of case"


@dataclass(frozen=True)
class Overlaid:
    """The org with the log laid over it, and what reading the log found (IC620, IC621)."""

    org: Org
    diagnostics: tuple[Diagnostic, ...]


def overlay_events(
    org: Org,
    paths: Sequence[Path],
    team_map: TeamMap | None = None,
    lead_times: LeadTimes = "declared",
    options: EventLogOptions | None = None,
) -> Overlaid:
    """``org`` with the logs at ``paths`` laid over it (see the module docstring)."""
    options = options or EventLogOptions()
    table = read_events(list(paths), options)
    connection = table.connection
    try:
        names = [
            row[0] for row in connection.execute("SELECT DISTINCT team FROM events").fetchall()
        ]
        matching = match_teams(org, sorted(names), team_map)
        renamed = [(name, id_) for name, id_ in matching.ids.items() if name != id_]
        if renamed:
            connection.execute("CREATE TEMP TABLE team_ids (name VARCHAR, id VARCHAR)")
            connection.executemany("INSERT INTO team_ids VALUES (?, ?)", renamed)
            connection.execute(
                "UPDATE events SET team = team_ids.id FROM team_ids "
                "WHERE events.team = team_ids.name"
            )
        log = measure(table, options, _END)
    finally:
        connection.close()  # which removes DuckDB's spill folder, if it made one
    shown = set(matching.ids.values())
    alone_by_team = {team.team: team.alone for team in log.teams}
    ends = _endings(org)
    pairs: list[MeasuredPair] = []
    for handoff in log.handoffs:
        receiver = ends.get(handoff.provider) if handoff.receiver == _END else handoff.receiver
        if handoff.provider not in shown or receiver is None:
            continue
        if handoff.receiver == _END:
            shown.add(receiver)
        elif receiver not in shown:
            continue
        alone = alone_by_team.get(handoff.provider, 0)
        pairs.append(MeasuredPair(handoff.provider, receiver, _measured(handoff, alone)))
    first_at = {team.team: SourcePos(team.file, team.line, 1) for team in log.teams}
    unmatched = tuple(
        UnmatchedTeam(name, first_at.get(name, SourcePos(log.files[0][0], 1, 1)), close)
        for name, close in sorted(matching.unmatched.items())
    )
    by_pair = {(p.provider, p.receiver): p.measured for p in pairs}
    relations = []
    replaced = 0
    overlong: list[Diagnostic] = []
    for relation in org.relations:
        measured = by_pair.get((relation.provider, relation.receiver))
        changed = replace(relation, measured=measured)
        if lead_times == "measured" and measured is not None and measured.median is not None:
            changed = replace(changed, lead_time=measured.median)
            replaced += 1
            process = relation.process_time
            if process is not None and process.hours > measured.median.hours:
                changed = replace(changed, process_time=None)
                overlong.append(_process_over_median(relation, process, measured.median))
        relations.append(changed)
    overlay = EventOverlay(
        tuple(display for display, _ in log.files),
        log.first.date() if log.first else None,
        log.last.date() if log.last else None,
        log.events,
        log.cases,
        lead_times,
        tuple(sorted(shown)),
        tuple(pairs),
        unmatched,
        replaced,
    )
    return Overlaid(
        replace(org, relations=tuple(relations), events=overlay),
        (*log.diagnostics, *overlong, *_customers_handing_on(org, pairs, first_at, matching.ids)),
    )


def _customers_handing_on(
    org: Org,
    pairs: list[MeasuredPair],
    first_at: dict[str, SourcePos],
    ids: dict[str, str],
) -> list[Diagnostic]:
    """IC623 for each customer the log shows handing cases on to teams: a log team matched to
    the customer (by its name) whose events sit in the middle of cases, so each of its visits
    reads as the case reaching the customer, and what follows as the customer handing work
    to a team, which no org file can declare."""
    from icmap.importers import problem

    onward: dict[str, int] = {}
    for pair in pairs:
        if pair.provider in org.customers:
            onward[pair.provider] = onward.get(pair.provider, 0) + pair.measured.handoffs
    names: dict[str, list[str]] = {}
    for name, party in sorted(ids.items()):
        names.setdefault(party, []).append(repr(name))
    return [
        problem(
            first_at.get(customer, SourcePos("<log>", 1, 1)),
            "IC623",
            f"the log's {' and '.join(names.get(customer, [repr(customer)]))} "
            f"{'is' if len(names.get(customer, ())) < 2 else 'are'} read as the customer "
            f"{customer}, "
            f"yet {'it hands' if len(names.get(customer, ())) < 2 else 'they hand'} cases on to "
            f"teams ({count:,} time{'' if count == 1 else 's'}): each visit counts as a case "
            "reaching the customer",
            "if it is a team, or the customer answering mid-case, map it with --team-map (to "
            "its team, or to - to leave its events out)",
        )
        for customer, count in sorted(onward.items())
    ]


def _process_over_median(relation: Relation, process: Duration, median: Duration) -> Diagnostic:
    """IC629: a declared process time longer than the log's median lead time, which would make
    waiting negative and flow efficiency pass 100 %; said where the process time is written."""
    from icmap.importers import problem

    where = next(
        (d.pos for d in relation.declarations if d.process_time is not None),
        relation.declarations[0].pos,
    )
    return problem(
        where,
        "IC629",
        f"process time {process.text or format_hours(process.hours)} of "
        f"{relation.provider} → {relation.receiver} is longer than the log's median lead time "
        f"{format_hours(median.hours)}: left out of flow efficiency under --lead-times measured",
        "a hand-off cannot take less time than the work in it: lower the process_time, or "
        "check that the log's teams are mapped to the right teams",
    )


def _endings(org: Org) -> dict[str, str]:
    """The customer each party's case endings go to, where the org says which."""
    if len(org.customers) == 1:
        (only,) = org.customers
        return dict.fromkeys((*org.teams, *org.suppliers), only)
    served: dict[str, set[str]] = {}
    for relation in org.relations:
        if relation.receiver in org.customers:
            served.setdefault(relation.provider, set()).add(relation.receiver)
    return {party: next(iter(found)) for party, found in served.items() if len(found) == 1}


def _measured(handoff: MeasuredHandoff, alone: int | None = None) -> Measured:
    """What the log measured of one pair; ``alone``, for a case's last stay handing it to the
    customer: the cases that never left the provider, as ``icmap import events`` counts them."""
    to_customer = handoff.receiver == _END
    return Measured(
        handoff.handoffs,
        handoff.cases,
        _duration(handoff.median_hours),
        _duration(handoff.p85_hours),
        None if to_customer else handoff.return_rate,
        handoff.first,
        handoff.last,
        seen=SourcePos(handoff.file, handoff.line, 1),
        alone=alone if to_customer else None,
    )


def _duration(hours: float) -> Duration:
    return Duration(hours, format_hours(hours, weeks=False))
