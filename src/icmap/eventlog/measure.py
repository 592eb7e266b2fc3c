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
    #: The activity the receiver most often starts its stay with ("" without activities).
    what: str
    #: Where the first such hand-off is in the log: its file (as shown) and line.
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

    @property
    def people(self) -> bool:
        """Whether some file's team column names people (``org:resource``)."""
        return any(columns.people for _, columns in self.files)


#: Stays, hand-offs and the customer hand-off at the end of each case, as SQL over ``events``.
_STAYS = """
CREATE OR REPLACE TEMP TABLE stays AS
WITH ordered AS (
    SELECT file, case_id, ts, team, activity, seq, line,
           lag(team) OVER (PARTITION BY file, case_id ORDER BY ts, seq) AS before
    FROM events
), numbered AS (
    SELECT *, sum(CASE WHEN before IS NOT DISTINCT FROM team THEN 0 ELSE 1 END)
              OVER (PARTITION BY file, case_id ORDER BY ts, seq ROWS UNBOUNDED PRECEDING) AS stay
    FROM ordered
)
SELECT file, case_id, stay, any_value(team) AS team,
       min(ts) AS started, max(ts) AS ended,
       arg_min(activity, (ts, seq)) AS first_activity,
       arg_min(line, seq) AS line
FROM numbered GROUP BY file, case_id, stay
"""

_PAIRS = """
WITH linked AS (
    SELECT file, case_id, stay, team AS provider, started, line,
           lead(team) OVER w AS receiver,
           lead(started) OVER w AS taken,
           lead(first_activity) OVER w AS what,
           lead(line) OVER w AS taken_line,
           lead(team, 2) OVER w AS back
    FROM stays WINDOW w AS (PARTITION BY file, case_id ORDER BY stay)
)
SELECT provider, receiver, count(*) AS handoffs, count(DISTINCT (file, case_id)) AS cases,
       quantile_cont(epoch(taken) - epoch(started), 0.5) / 3600 AS median_hours,
       quantile_cont(epoch(taken) - epoch(started), 0.85) / 3600 AS p85_hours,
       count(*) FILTER (WHERE back = provider) AS returns,
       min(taken)::DATE AS first, max(taken)::DATE AS last,
       coalesce(mode(what), '') AS what,
       arg_min(file, (taken, file, taken_line)) AS at_file,
       arg_min(taken_line, (taken, file, taken_line)) AS at_line
FROM linked WHERE receiver IS NOT NULL
GROUP BY provider, receiver
"""

_ENDINGS = """
WITH last_stay AS (
    SELECT file, case_id, team, started, line,
           max(ended) OVER (PARTITION BY file, case_id) AS case_ended,
           stay = max(stay) OVER (PARTITION BY file, case_id) AS is_last,
           max(stay) OVER (PARTITION BY file, case_id) = 1 AS alone
    FROM stays
)
SELECT team, count(*) AS handoffs, count(*) AS cases,
       quantile_cont(epoch(case_ended) - epoch(started), 0.5) / 3600 AS median_hours,
       quantile_cont(epoch(case_ended) - epoch(started), 0.85) / 3600 AS p85_hours,
       min(case_ended)::DATE AS first, max(case_ended)::DATE AS last,
       count(*) FILTER (WHERE alone) AS alone,
       arg_min(file, (case_ended, file, line)) AS at_file,
       arg_min(line, (case_ended, file, line)) AS at_line
FROM last_stay WHERE is_last GROUP BY team
"""

_TEAMS = """
SELECT team, count(*) AS events, count(DISTINCT (file, case_id)) AS cases,
       arg_min(file, (file, seq)) AS at_file, arg_min(line, (file, seq)) AS at_line
FROM events GROUP BY team
"""


def measure(table: EventTable, options: EventLogOptions, customer: str) -> MeasuredLog:
    """The measured graph of ``table``'s events, its last stays handed to ``customer``."""
    connection = table.connection
    displays = [display for display, _ in table.files]
    if options.progress is not None:
        options.progress(f"measuring {table.rows:,} events: stays and hand-offs")
    connection.execute(_STAYS)
    pairs = connection.execute(_PAIRS).fetchall()
    endings = {row[0]: row for row in connection.execute(_ENDINGS).fetchall()}
    team_rows = connection.execute(_TEAMS).fetchall()
    totals = connection.execute(
        # Times come back as epoch seconds: DuckDB hands out time zones through pytz, which
        # not every install has.
        "SELECT count(*), count(DISTINCT (file, case_id)), epoch(min(ts)), epoch(max(ts)) "
        "FROM events"
    ).fetchone()
    assert totals is not None
    found: list[MeasuredHandoff] = []
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
    ) in pairs:
        found.append(
            MeasuredHandoff(
                provider,
                receiver,
                int(n),
                int(cases),
                _hours(median),
                _hours(p85),
                int(returns),
                round(int(returns) / int(n), 6),
                first,
                last,
                what,
                displays[int(at_file)],
                int(at_line),
            )
        )
    for team, (_, n, cases, median, p85, first, last, _alone, at_file, at_line) in endings.items():
        found.append(
            MeasuredHandoff(
                team,
                customer,
                int(n),
                int(cases),
                _hours(median),
                _hours(p85),
                0,
                0.0,
                first,
                last,
                "",
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
            int(endings[team][2]) if team in endings else 0,
            int(endings[team][7]) if team in endings else 0,
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


def _moment(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, tz=timezone.utc)


def _hours(value: float | None) -> float:
    return round(float(value or 0.0), 6)
