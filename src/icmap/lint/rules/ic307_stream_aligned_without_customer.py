"""A stream-aligned team's work reaches no external customer.

Why it matters: a stream-aligned team is aligned to a flow of work for a customer; that is
what the type means. When its hand-offs reach an external customer only through feedback
(reports, insights, incident notes), or not at all through delivery, it is either not
stream-aligned (an enabling or platform team under another name) or its delivery hand-offs
are missing from the org files. A team with no path to a customer at all is reported by
IC301 instead, not here.

Fix: add the delivery hand-off that carries its work toward the customer, or give the team the
type it really has.

Passes::

    insights:
      type: stream-aligned
      provides: [{what: Insights dashboard, to: senders}]

Fails (its only hand-off is feedback)::

    insights:
      type: stream-aligned
      provides: [{what: Customer insights, to: booking, feedback: true}]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding

CODE = "IC307"
NAME = "stream-aligned-without-customer"
SEVERITY = "warning"


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    teams = [t for t in ctx.org.teams.values() if t.type == "stream-aligned"]
    if not teams:
        return
    everywhere = set(ctx.reach.disconnected)
    by_delivery = set(ctx.delivery_reach.disconnected)
    for team in teams:
        if team.id in everywhere or team.id not in by_delivery:
            continue
        yield Finding(
            CODE,
            f"stream-aligned team {team.id!r} reaches an external customer only through "
            "feedback: none of its delivery hand-offs leads to one",
            team.pos.file,
            team.pos.line,
            team.pos.col,
            (team.id,),
            hint="add the hand-off that delivers its work, or give the team its real type",
        )
