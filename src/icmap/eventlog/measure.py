"""The measured internal-customer graph: what an event log shows moving between teams.

Within a case, events are taken in time order (ties in file order). A run of events by one
team is one *stay*; each change of team is a hand-off from the earlier team to the later. For
each pair of teams:

- ``handoffs`` and ``cases``: how many hand-offs, in how many cases;
- the **lead time** of a hand-off: how long the case stayed with the provider, from the first
  event of its stay to the first event of the receiver's stay (what the receiver waited),
  as the median and the 85th percentile (linear interpolation);
- the **return rate**: the share of its hand-offs that the receiver handed straight back to
  the provider (A → B → A, "ping-pong"), the measured counterpart of %C&A.

A case's last stay hands the case to the external customer: from the first event of that stay
to the case's last event. The heavy part runs as one SQL query in DuckDB (window functions per
case), so a log of millions of events costs seconds and memory bounded by the pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from icmap.diagnostics import Diagnostic
    from icmap.eventlog import EventLogOptions
    from icmap.eventlog.columns import EventColumns
    from icmap.eventlog.read import EventTable


@dataclass(frozen=True)
class MeasuredHandoff:
    """One pair of teams as the log shows it (``receiver`` may be the external customer)."""

    provider: str
    receiver: str
    handoffs: int
    cases: int
    median_hours: float
    p85_hours: float
    returns: int
    return_rate: float
    first: date
    last: date
    #: The activity the receiver most often starts its stay with ("" without activities; of
    #: equally frequent ones, the first by name).
    what: str
    #: Where the first such hand-off is in the log: its file (as shown) and the line of the
    #: receiver's first event (to the customer: of the provider's).
    file: str
    line: int


@dataclass(frozen=True)
class MeasuredTeam:
    """One team of the log: the cases it touched, those that end with it, those it did alone."""

    team: str
    events: int
    cases: int
    ends: int
    alone: int
    file: str
    line: int


@dataclass(frozen=True)
class MeasuredLog:
    """Everything measured from one or more logs."""

    files: tuple[tuple[str, EventColumns], ...]
    customer: str
    events: int
    cases: int
    rows: int
    skipped: int
    first: datetime | None
    last: datetime | None
    teams: tuple[MeasuredTeam, ...]
    #: The pairs kept (by ``--min-handoffs`` and ``--min-share``), most hand-offs first.
    handoffs: tuple[MeasuredHandoff, ...]
    #: Pairs left out by those options, and the hand-offs they held.
    dropped_pairs: int
    dropped_handoffs: int
    diagnostics: tuple[Diagnostic, ...]
    #: Rows left out, by reason (``time``, ``no time``, ``case``, …).
    left_out: tuple[tuple[str, int], ...] = ()

    @property
    def people(self) -> bool:
        """Whether some file's team column names people (``org:resource``)."""
        return any(columns.people for _, columns in self.files)


#: One row per stay: the first event of each run of one team in a case (in time order, ties in
#: the order of the files and then of the rows), with the case's last time. A case is one case
#: whichever files its events are in (a log exported a month at a time). One sort of the
#: events; a case is keyed by the file and place of its first event, a number cheaper to group
#: by than its name.
_STAYS = """
CREATE OR REPLACE TEMP TABLE stays AS
SELECT case_key, file, team, ts AS started, activity AS first_activity, line, position,
       case_ended
FROM (
    SELECT file, team, ts, activity, line,
           lag(team) OVER w AS before,
           first_value((CAST(file AS BIGINT) << 40) + seq) OVER w AS case_key,
           row_number() OVER w AS position,
           last_value(ts) OVER (
               w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
           ) AS case_ended
    FROM events WINDOW w AS (PARTITION BY case_id ORDER BY ts, file, seq)
)
WHERE before IS DISTINCT FROM team
"""

#: Each stay hands the case to the next stay's team, or (the last) to the customer
#: (``receiver`` NULL): from the first event of its stay to the next stay's first event, or to
#: the case's last event. ``alone`` counts the cases whose only stay this is.
_PAIRS = """
WITH linked AS (
    SELECT case_key, file, team AS provider, started, line, case_ended, position,
           lead(team) OVER w AS receiver,
           lead(started) OVER w AS taken,
           lead(first_activity) OVER w AS what,
           lead(line) OVER w AS taken_line,
           lead(file) OVER w AS taken_file,
           lead(team, 2) OVER w AS back
    FROM stays WINDOW w AS (PARTITION BY case_key ORDER BY position)
), timed AS (
    SELECT provider, receiver, case_key, position, what, back,
           -- a hand-off is named where the receiver's stay starts, in whichever file
           coalesce(taken_file, file) AS file,
           coalesce(taken, case_ended) AS until,
           coalesce(taken_line, line) AS at_line,
           epoch(coalesce(taken, case_ended)) - epoch(started) AS seconds
    FROM linked
)
SELECT provider, receiver, count(*) AS handoffs, count(DISTINCT case_key) AS cases,
       quantile_cont(seconds, 0.5) / 3600 AS median_hours,
       quantile_cont(seconds, 0.85) / 3600 AS p85_hours,
       count(*) FILTER (WHERE back = provider) AS returns,
       min(until)::DATE AS first, max(until)::DATE AS last,
       histogram(what) AS whats,
       arg_min(file, (until, file, at_line)) AS at_file,
       arg_min(at_line, (until, file, at_line)) AS at_line,
       count(*) FILTER (WHERE position = 1) AS alone
FROM timed GROUP BY provider, receiver
"""

_TEAMS = """
WITH touched AS (SELECT team, count(DISTINCT case_key) AS cases FROM stays GROUP BY team)
SELECT team, count(*) AS events, any_value(cases) AS cases,
       arg_min(file, (file, seq)) AS at_file, arg_min(line, (file, seq)) AS at_line
FROM events JOIN touched USING (team) GROUP BY team
"""


def measure(table: EventTable, options: EventLogOptions, customer: str) -> MeasuredLog:
    """The measured graph of ``table``'s events, its last stays handed to ``customer``."""
    connection = table.connection
    displays = [display for display, _ in table.files]
    if options.progress is not None:
        options.progress(f"measuring {table.rows:,} events: stays and hand-offs")
    # Stays and hand-offs need no order of their own: DuckDB may then write them as it goes.
    connection.execute("SET preserve_insertion_order = false")
    try:
        connection.execute(_STAYS)
        rows = connection.execute(_PAIRS).fetchall()
        team_rows = connection.execute(_TEAMS).fetchall()
        totals = connection.execute(
            # Times come back as epoch seconds: DuckDB hands out time zones through pytz,
            # which not every install has.
            "SELECT count(*), (SELECT count(*) FROM stays WHERE position = 1), "
            "epoch(min(ts)), epoch(max(ts)) FROM events"
        ).fetchone()
        connection.execute("DROP TABLE stays")
    finally:
        connection.execute("RESET preserve_insertion_order")
    assert totals is not None
    found: list[MeasuredHandoff] = []
    endings: dict[str, tuple[int, int]] = {}
    for (
        provider,
        receiver,
        n,
        cases,
        median,
        p85,
        returns,
        first,
        last,
        what,
        at_file,
        at_line,
        alone,
    ) in rows:
        if receiver is None:
            endings[provider] = (int(n), int(alone))
        found.append(
            MeasuredHandoff(
                provider,
                customer if receiver is None else receiver,
                int(n),
                int(cases),
                _hours(median),
                _hours(p85),
                0 if receiver is None else int(returns),
                0.0 if receiver is None else round(int(returns) / int(n), 6),
                first,
                last,
                "" if receiver is None else _most_frequent(what),
                displays[int(at_file)],
                int(at_line),
            )
        )
    kept, dropped_pairs, dropped_handoffs = _kept(found, options)
    teams = tuple(
        MeasuredTeam(
            team,
            int(events),
            int(cases),
            *endings.get(team, (0, 0)),
            displays[int(at_file)],
            int(at_line),
        )
        for team, events, cases, at_file, at_line in sorted(team_rows)
    )
    return MeasuredLog(
        tuple(table.files),
        customer,
        int(totals[0]),
        int(totals[1]),
        table.rows,
        table.skipped,
        _moment(totals[2]),
        _moment(totals[3]),
        teams,
        tuple(sorted(kept, key=lambda h: (-h.handoffs, h.provider, h.receiver))),
        dropped_pairs,
        dropped_handoffs,
        tuple(table.diagnostics),
        tuple(sorted(table.left_out.items())),
    )


def _kept(
    found: list[MeasuredHandoff], options: EventLogOptions
) -> tuple[list[MeasuredHandoff], int, int]:
    """The pairs ``--min-handoffs`` and ``--min-share`` keep, and what they leave out."""
    out_of: dict[str, int] = {}
    for handoff in found:
        out_of[handoff.provider] = out_of.get(handoff.provider, 0) + handoff.handoffs
    kept, dropped, dropped_handoffs = [], 0, 0
    for handoff in found:
        share = handoff.handoffs / out_of[handoff.provider]
        if handoff.handoffs < options.min_handoffs or share < options.min_share:
            dropped += 1
            dropped_handoffs += handoff.handoffs
        else:
            kept.append(handoff)
    return kept, dropped, dropped_handoffs


def _most_frequent(counts: dict[str, int] | None) -> str:
    """The activity that starts most stays; of equally frequent ones, the first by name (a
    choice that does not depend on the order DuckDB's threads saw them in)."""
    if not counts:
        return ""
    return min(counts.items(), key=lambda item: (-item[1], item[0]))[0]


def _moment(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, tz=timezone.utc)


def _hours(value: float | None) -> float:
    return round(float(value or 0.0), 6)
