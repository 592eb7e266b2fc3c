"""No team of the event log matches any team, customer or supplier of the org, or the log
has no event to compare.

Runs only when an event log is laid over the org (``--events``, docs/events.md). Why it
matters: with no team in common, nothing of the log is compared and every drift rule passes
for want of anything to judge: almost always the wrong log for this org, the wrong team
column, or a ``--team-map`` left out. An error, at the first line of the log; IC705 names each
of its teams. A log with no event left to compare (a header and no rows, or every row left
out, IC620 says why: often a time in a form icmap does not read) is the same error.

Fix: check the log is this org's and its team column (``--team COLUMN``), or map the log's
names with ``--team-map`` (docs/events.md#matching).

Passes (the log names ``Desk`` and ``APPS``)::

    customers: {staff: {}}
    teams:
      desk: {provides: [{what: Tickets, to: apps}]}
      apps: {provides: [{what: Fixes, to: staff}]}

Fails (the log names only ``Kitchen`` and ``Bar``)::

    customers: {staff: {}}
    teams:
      desk: {provides: [{what: Tickets, to: apps}]}
      apps: {provides: [{what: Fixes, to: staff}]}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding

CODE = "IC706"
NAME = "log-matches-no-team"
SEVERITY = "error"


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    overlay = ctx.org.events
    if overlay is None or not overlay.files:
        return
    if not overlay.events:
        yield Finding(
            CODE,
            "the log has no event to compare: no row, or every row left out (IC620 says why)",
            overlay.files[0],
            1,
            1,
            hint="check the log and its columns; a time icmap does not read needs --time-format",
        )
        return
    # Teams mapped to "-" on purpose are neither parties nor unmatched: not this finding.
    if overlay.parties or not overlay.unmatched:
        return
    count = len(overlay.unmatched)
    shown = ", ".join(repr(team.name) for team in overlay.unmatched[:3])
    more = f" and {count - 3:,} more" if count > 3 else ""
    yield Finding(
        CODE,
        f"none of the log's {count:,} team{'s' if count != 1 else ''} ({shown}{more}) "
        "matches a team of the org: nothing of the log is compared",
        overlay.files[0],
        1,
        1,
        hint="is this the org's log, and its team column (--team)? map its names with "
        "--team-map (docs/events.md#matching)",
    )
