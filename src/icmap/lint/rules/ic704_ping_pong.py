"""Two teams bounce work back and forth: the log shows it coming straight back too often.

Runs only when an event log is laid over the org (``--events``, docs/events.md). A hand-off's
return rate is the share of its hand-offs that the receiver handed straight back to the
provider (A → B → A within a case). Why it matters: every return is a wait for the customer and
rework for both teams; it is the log's counterpart of a low %C&A (IC211): what arrives is not
usable as it is, or is sent to the wrong team. Each pair of teams is reported once, whether the
org declares the hand-off or not, at its busier direction.

Fix: agree with the other team what a complete hand-off holds (a checklist, a form, an example),
or route the work so it reaches the team that can finish it. Options: ``threshold`` (default
``20%``): a return rate above it is reported; ``min-handoffs`` (default 5): a direction the log
shows fewer times is not judged. The finding points at the declared hand-off (or the providing
team where the org declares none) and names where the log first shows it.

Passes (one desk → apps hand-off in ten comes back)::

    customers: {staff: {}}
    teams:
      desk: {provides: [{what: Tickets, to: apps}]}
      apps: {provides: [{what: Fixes, to: staff}, {what: Questions, to: desk, feedback: true}]}

Fails (a third of them come back)::

    customers: {staff: {}}
    teams:
      desk: {provides: [{what: Tickets, to: apps}]}
      apps: {provides: [{what: Fixes, to: staff}, {what: Questions, to: desk, feedback: true}]}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding
from icmap.lint.measured import party_pos, percent, read_share, seen
from icmap.loader.reader import parse_share
from icmap.model import MeasuredPair

CODE = "IC704"
NAME = "ping-pong"
SEVERITY = "warning"
OPTIONS = {"threshold": "20%", "min-handoffs": 5}
OPTION_READERS = {"threshold": read_share}


def _rate(pair: MeasuredPair) -> str:
    m = pair.measured
    returns = round((m.return_rate or 0.0) * m.handoffs)
    return (
        f"{percent(m.return_rate or 0.0)} of {pair.provider} → {pair.receiver} hand-offs come "
        f"straight back ({returns:,} of {m.handoffs:,})"
    )


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    overlay = ctx.org.events
    if overlay is None:
        return
    threshold = parse_share(str(options["threshold"]), "threshold")
    least = int(options["min-handoffs"])
    bouncing: dict[frozenset[str], list[MeasuredPair]] = {}
    for pair in overlay.pairs:
        rate = pair.measured.return_rate
        if rate is not None and rate > threshold and pair.measured.handoffs >= least:
            bouncing.setdefault(frozenset((pair.provider, pair.receiver)), []).append(pair)
    for found in sorted(bouncing.values(), key=lambda f: min((p.provider, p.receiver) for p in f)):
        found.sort(key=lambda p: (-p.measured.handoffs, p.provider, p.receiver))
        busiest = found[0]
        ends = (busiest.provider, busiest.receiver)
        declared = [r for r in ctx.org.relations if (r.provider, r.receiver) == ends]
        pos = declared[0].pos if declared else party_pos(ctx.org, *ends)
        rates = " and ".join(_rate(p) for p in found)
        where = seen(busiest.measured)
        yield Finding(
            CODE,
            f"{busiest.provider} and {busiest.receiver} bounce work back and forth: {rates}, "
            f"above {options['threshold']}" + (f"; {where}" if where else ""),
            pos.file,
            pos.line,
            pos.col,
            ends,
            hint="agree what a complete hand-off holds, or route the work to the team that "
            "can finish it",
        )
