"""An event log shows a hand-off, again and again, that the org never declares.

Runs only when an event log is laid over the org (``--events``, docs/events.md). Why it matters:
the org files are the map people plan with; a path the work really takes that is missing from
them has no lead time, no owner on either side and no place in critical paths, and is often a
workaround (a team sending work past the one meant to take it). Hand-offs of a team of the log
that matches no party of the org are not judged (IC705 names those teams); a case that ends with
a team counts as a hand-off to the customer that team serves (the org's only customer, else the
one the team declares).

Fix: declare the hand-off (the provider's ``provides:``), or find out why the work goes that way
and stop it. Option ``min-handoffs`` (default 5): a pair the log shows fewer times is left
alone. The finding points at the providing team and names where the log first shows the pair.

Passes (the log shows desk → apps, which is declared)::

    customers: {staff: {}}
    teams:
      desk: {provides: [{what: Tickets, to: apps}, {what: Answers, to: staff}]}
      apps: {provides: [{what: Fixes, to: staff}]}

Fails (the log also shows apps → desk five times or more)::

    customers: {staff: {}}
    teams:
      desk: {provides: [{what: Tickets, to: apps}, {what: Answers, to: staff}]}
      apps: {provides: [{what: Fixes, to: staff}]}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding
from icmap.lint.measured import party_pos, seen, times
from icmap.model import format_hours

CODE = "IC701"
NAME = "undeclared-hand-off"
SEVERITY = "warning"
OPTIONS = {"min-handoffs": 5}


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    overlay = ctx.org.events
    if overlay is None:
        return
    least = int(options["min-handoffs"])
    declared = {(r.provider, r.receiver) for r in ctx.org.relations}
    for pair in overlay.pairs:
        measured = pair.measured
        if (pair.provider, pair.receiver) in declared or measured.handoffs < least:
            continue
        pos = party_pos(ctx.org, pair.provider, pair.receiver)
        if pair.receiver in ctx.org.customers:
            shown = f"{measured.cases:,} case{'s' if measured.cases != 1 else ''} ending with "
            shown += f"{pair.provider} (handed to {pair.receiver})"
        else:
            shown = f"{pair.provider} → {pair.receiver} {times(measured.handoffs)}"
            shown += f" in {measured.cases:,} case{'s' if measured.cases != 1 else ''}"
        details = []
        if measured.first is not None and measured.last is not None:
            details.append(f"{measured.first.isoformat()} to {measured.last.isoformat()}")
        if measured.median is not None:
            details.append(f"median {format_hours(measured.median.hours, weeks=False)}")
        where = seen(measured)
        yield Finding(
            CODE,
            f"the log shows {shown} ({'; '.join(details)}), a hand-off the org never declares"
            + (f"; {where}" if where else ""),
            pos.file,
            pos.line,
            pos.col,
            (pair.provider, pair.receiver),
            hint=(
                f"{pair.provider} is a customer, which hands nothing on in an org file: map "
                "the log's name for it with --team-map (IC623)"
                if pair.provider in ctx.org.customers
                else f"declare it under {pair.provider}'s provides:, or find out why work goes "
                "that way"
            ),
        )
