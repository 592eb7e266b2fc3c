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
    first = SourcePos(log.files[0][0], 1, 1)
    for team in log.teams:
        if team.team == log.customer:
            # Its hand-offs and the cases ending with it would be one party: a wrong map.
            builder.error(
                SourcePos(team.file, team.line, 1),
                "IC627",
                f"the log's team {team.team!r} has the name of the customer its cases end at: "
                "the two would be one",
                "name the customer otherwise with --customer NAME",
            )
            continue
        builder.add_team(team.team, SourcePos(team.file, team.line, 1), team.team)
    builder.add_customer(log.customer, first, "", "Where the log's cases end")
    if log.people:
        builder.warn(
            first,
            "IC622",
            "the team column found is org:resource, which names people: this is a map of people",
            "name the column that holds teams or groups with --team",
        )
    _variants(builder, log)
    for team in log.teams:
        if team.team.startswith('"') and not team.team.endswith('"'):
            builder.warn(
                SourcePos(team.file, team.line, 1),
                "IC620",
                f"the log's team {team.team!r} starts with a quote that never closes: a quote "
                "left open in the file?",
                "close the quote (or remove it) in the log",
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
    if not log.events:
        builder.error(first, "IC614", *_no_events(log))
    elif not log.handoffs:
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
        notes=_columns_found(log, options),
    )


def _columns_found(log: MeasuredLog, options: EventLogOptions) -> list[str]:
    """A note naming the columns found by name (not given with --case, --time, …), so a
    wrong guess shows before the numbers are trusted; one per distinct choice of files."""
    given = {
        "case": options.case,
        "time": options.time,
        "team": options.team,
        "activity": options.activity,
    }
    by_file: dict[str, str] = {}
    for display, columns in log.files:
        found = [
            f"{role} {name!r}"
            for role, name in (
                ("case", columns.case),
                ("time", columns.time),
                ("team", columns.team),
                ("activity", columns.activity),
            )
            if name is not None and given[role] is None
        ]
        if found:
            by_file[display] = ", ".join(found)
    hint = " (name others with --case, --time, --team, --activity)"
    if len(set(by_file.values())) == 1:
        return [f"columns found by name: {next(iter(by_file.values()))}{hint}"]
    return [f"columns found by name in {file}: {found}{hint}" for file, found in by_file.items()]


def _variants(builder: OrgBuilder, log: MeasuredLog) -> None:
    """Warn (IC628) where the log writes one name two ways, differing only in case or in the
    spaces between words (``Service Desk``, ``service  desk``): each is a team of its own, and
    the hand-offs between them are not real."""
    spellings: dict[str, list[tuple[str, SourcePos]]] = {}
    for team in log.teams:
        key = " ".join(team.team.casefold().split())
        spellings.setdefault(key, []).append((team.team, SourcePos(team.file, team.line, 1)))
    for found in spellings.values():
        if len(found) < 2:
            continue
        found.sort(key=lambda item: (item[1].file, item[1].line, item[0]))
        first = found[0][0]
        for name, pos in found[1:]:
            builder.warn(
                pos,
                "IC628",
                f"the log's team {name!r} is {first!r} written otherwise (case or spaces): "
                "read as two teams",
                "write the team one way in the log; hand-offs between the two are not real",
            )


def _no_events(log: MeasuredLog) -> tuple[str, str]:
    """What to say, and the hint, when no event of the log could be used."""
    if not log.rows:
        return "no events: the log has a header and no rows", "export the log again, with its rows"
    reasons = dict(log.left_out)
    timeless = reasons.get("time", 0) + reasons.get("no time", 0)
    if timeless == log.rows:
        column = log.files[0][1].time
        return (
            f"no events: no row's time (column {column!r}) is one icmap reads, so all "
            f"{log.rows:,} rows are left out",
            "give --time-format in strptime's terms ('%d/%m/%Y %H:%M'), or %s for seconds "
            "since 1970; or name the time column with --time",
        )
    return (
        f"no events: all {log.rows:,} rows are left out (the warnings say why)",
        "check the columns chosen (--case, --time, --team)",
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
