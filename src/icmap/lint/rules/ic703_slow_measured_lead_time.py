"""The event log's 85th-percentile lead time of a hand-off is well past the declared one.

Runs only when an event log is laid over the org (``--events``, docs/events.md). Why it matters:
critical paths, slack and value streams are computed from the declared lead times. When the
log shows that one case in seven waits longer than the declared lead time plus a margin, those
numbers flatter the org, and the customer's real wait is longer than icmap shows (``icmap
report --events LOG --lead-times measured`` shows the paths with the measured medians).

Fix: find out why the hand-off is slower than declared, then make it faster or declare the
lead time it really has. Options: ``margin`` (default ``50%``): how far past the declared lead
time the 85th percentile may go, as a share of it (``50%``) or a duration (``4h``, ``1d``);
``min-handoffs`` (default 5): a hand-off the log shows fewer times is not judged. The finding
points at the declared lead time and names where the log first shows the hand-off.

Passes (the log's 85th percentile of desk → apps is within 50% of 1d)::

    customers: {staff: {}}
    teams:
      desk: {provides: [{what: Tickets, to: apps, lead_time: 1d}]}
      apps: {provides: [{what: Fixes, to: staff, lead_time: 1d}]}

Fails (the log's 85th percentile of desk → apps is 2 days)::

    customers: {staff: {}}
    teams:
      desk: {provides: [{what: Tickets, to: apps, lead_time: 4h}]}
      apps: {provides: [{what: Fixes, to: staff, lead_time: 1d}]}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding, declared_at, relation_text
from icmap.lint.measured import margin_hours, read_margin, seen
from icmap.model import format_hours

CODE = "IC703"
NAME = "slow-measured-lead-time"
SEVERITY = "warning"
OPTIONS = {"margin": "50%", "min-handoffs": 5}
OPTION_READERS = {"margin": read_margin}


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    if ctx.org.events is None:
        return
    allowed = str(options["margin"])
    least = int(options["min-handoffs"])
    for relation in ctx.org.relations:
        measured, declared = relation.measured, relation.declared_lead_time
        if measured is None or measured.p85 is None or declared is None:
            continue
        if measured.handoffs < least:
            continue
        slack = margin_hours(allowed, declared.hours)
        if measured.p85.hours <= declared.hours + slack:
            continue
        pos = declared_at(relation, "lead_time")
        p85 = format_hours(measured.p85.hours, weeks=False)
        text = (
            f"{relation_text(relation)}: the log's 85th percentile is {p85}, more than the "
            f"declared {format_hours(declared.hours, weeks=False)}"
        )
        if slack:
            text += f" plus the margin of {allowed}"
        median = format_hours(measured.median.hours, weeks=False) if measured.median else "?"
        count = f"{measured.handoffs:,} hand-off{'' if measured.handoffs == 1 else 's'}"
        text += f" (median {median} over {count}"
        where = seen(measured)
        text += f"; {where})" if where else ")"
        yield Finding(
            CODE,
            text,
            pos.file,
            pos.line,
            pos.col,
            (relation.provider, relation.receiver),
            hint="make the hand-off faster, or declare the lead time it really has",
        )
