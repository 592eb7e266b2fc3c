"""Event logs: what really moved between teams, read from the records of the work itself.

An event log is one row per event: the case it belongs to (a ticket, a permit application, an
order), when it happened, and the team (group, queue, department) that did it, optionally the
activity. Within a case, events in time order; a run of events by one team is one *stay*, and
each change of team is a *hand-off* from the earlier team to the later: the internal-customer
graph as it really runs (docs/events.md).

- :mod:`icmap.eventlog.columns` finds the case, time, team and activity columns;
- :mod:`icmap.eventlog.read` reads CSV, JSON lines, Parquet and XES into one table of events
  in an embedded DuckDB database, with a finding for every row it cannot read;
- :mod:`icmap.eventlog.measure` turns the events into a :class:`MeasuredLog`: each pair's
  hand-offs, cases, median and 85th-percentile lead time and return rate, and the teams where
  cases end.

:mod:`icmap.importers.events` makes an :class:`~icmap.model.Org` of it (``icmap import
events``, ``--from events``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class EventLogOptions:
    """How to read a log: the columns to use (``None``: found by name), the customer cases
    end at (``None``: named after the log), and which hand-offs to keep."""

    case: str | None = None
    time: str | None = None
    team: str | None = None
    activity: str | None = None
    customer: str | None = None
    #: A strptime format for timestamps in a form icmap does not read by itself.
    time_format: str | None = None
    #: Pairs of teams seen fewer times than this are left out.
    min_handoffs: int = 1
    #: Pairs carrying less than this share of their provider's hand-offs are left out.
    min_share: float = 0.0
    #: Whether the command reading the log has the options naming its columns (``--case``,
    #: ``--time``, …): an error then names them, else ``icmap import events``.
    column_options: bool = True
    #: Told what the reading is doing now ("reading log.csv", "measuring …"), for a progress
    #: display; this package itself never prints.
    progress: Callable[[str], None] | None = field(default=None, compare=False, repr=False)
