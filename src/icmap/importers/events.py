"""Event logs as an org: the internal-customer graph as the work really ran.

Each team of the log becomes a team (its id is the log's name for it, as written), each pair
of teams that handed cases on becomes a relation with the measured median as its
``lead_time`` and the numbers in a ``measured:`` block, and the teams whose stays end cases
hand them to one external customer: ``--customer``, else the process the log names, else the
log file's name. See docs/events.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from icmap.eventlog import EventLogOptions
from icmap.eventlog.measure import MeasuredHandoff, MeasuredLog, measure
from icmap.eventlog.read import read_events
from icmap.importers import ImportResult, hand_off_counts
from icmap.importers.build import OrgBuilder, printable
from icmap.model import Duration, Measured, SourcePos, format_hours

#: What a hand-off to the customer is called, and one between teams whose log has no activities.
CLOSED = "Closed cases"
CASES = "Cases"


def read_event_logs(paths: Sequence[Path], options: EventLogOptions | None = None) -> ImportResult:
    """The org an event log shows (files, or folders of them); nothing is written."""
    options = options or EventLogOptions()
    table = read_events(list(paths), options)
    first_file = table.files[0][0] if table.files else str(paths[0])
    customer = (
        printable(options.customer or table.process or _stem(Path(first_file))) or "customers"
    )
    try:
        measured = measure(table, options, customer)
    finally:
        table.connection.close()  # which removes DuckDB's spill folder, if it made one
    return org_of(measured, options)


def org_of(log: MeasuredLog, options: EventLogOptions) -> ImportResult:
    """The org of a measured log, with the import summary's counts."""
    builder = OrgBuilder()
    builder.diagnostics.extend(log.diagnostics)
    for team in log.teams:
        if team.team == log.customer:
            continue
        builder.add_team(team.team, SourcePos(team.file, team.line, 1), team.team)
    first = SourcePos(log.files[0][0], 1, 1)
    builder.add_customer(log.customer, first, "", "Where the log's cases end")
    if log.people:
        builder.warn(
            first,
            "IC622",
            "the team column found is org:resource, which names people: this is a map of people",
            "name the column that holds teams or groups with --team",
        )
    alone = {team.team: team.alone for team in log.teams}
    for handoff in log.handoffs:
        if handoff.provider == log.customer:
            continue
        pos = SourcePos(handoff.file, handoff.line, 1)
        to_customer = handoff.receiver == log.customer
        what = CLOSED if to_customer else (handoff.what or CASES)
        builder.add_relation(
            handoff.provider,
            handoff.receiver,
            what,
            pos,
            _why(handoff),
            lead_time=_duration(handoff.median_hours),
            measured=_measured(
                handoff, alone=alone.get(handoff.provider, 0) if to_customer else None
            ),
        )
    if not log.handoffs:
        builder.error(first, "IC614", "no hand-offs: no case in the log passes between teams")
    org = builder.finish(None, tuple(display for display, _ in log.files))
    errors = any(d.severity == "error" for d in builder.diagnostics)
    counts = {
        "files read": len(log.files),
        "events read": log.events,
        "events left out": log.skipped,
        "cases": log.cases,
        "teams": len(org.teams),
        **hand_off_counts(org),
        "pairs left out by --min-handoffs/--min-share": log.dropped_pairs,
    }
    return ImportResult(
        "events",
        None if errors else org,
        sorted(builder.diagnostics),
        builder.why,
        counts,
        [f"{log.customer}: the customer the log's cases end at"],
    )


def _why(handoff: MeasuredHandoff) -> str:
    return (
        f"{handoff.handoffs:,} hand-off{'s' if handoff.handoffs != 1 else ''} in "
        f"{handoff.cases:,} case{'s' if handoff.cases != 1 else ''}, "
        f"{handoff.first.isoformat()} to {handoff.last.isoformat()}"
    )


def _duration(hours: float) -> Duration:
    return Duration(hours, format_hours(hours, weeks=False))


def _measured(handoff: MeasuredHandoff, *, alone: int | None) -> Measured:
    """The relation's ``measured:`` block; ``alone`` (cases that never left the provider) is
    given for a hand-off to the customer only, which also has no return rate."""
    return Measured(
        handoff.handoffs,
        handoff.cases,
        _duration(handoff.median_hours),
        _duration(handoff.p85_hours),
        None if alone is not None else handoff.return_rate,
        handoff.first,
        handoff.last,
        seen=SourcePos(handoff.file, handoff.line, 1),
        alone=alone,
    )


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".json", ".parquet", ".xes"):
        name = name.removesuffix(suffix)
    return name
