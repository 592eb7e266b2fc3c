"""A stream-aligned team serves no value stream, or more streams than it can focus on.

Why it matters: Team Topologies aligns a team to one flow of work for a customer; that is what
``type: stream-aligned`` means. Once an org names its value streams, a stream-aligned team with
a hand-off in none of them is either aligned to a flow nobody has named yet, or not
stream-aligned at all; one spread over several streams switches between their priorities and
customers, and the streams wait on each other through it. A team serves a stream when one of
its hand-offs (given or received) names the stream.

It runs only on orgs that declare ``streams:``: without them there is nothing to be aligned to.

Fix: add the stream to the hand-offs that carry the team's work (``streams: [order]``), split a
team spread over streams, or give the team the type it really has. Option ``max-streams``
(default 1): serving more streams than this is reported.

Passes::

    streams: {order: {customer: shoppers}}
    teams:
      checkout:
        type: stream-aligned
        provides: [{what: Orders, to: shoppers, streams: order}]

Fails (it serves no stream)::

    streams: {order: {customer: shoppers}}
    teams:
      checkout:
        type: stream-aligned
        provides: [{what: Orders, to: shoppers}]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding

CODE = "IC312"
NAME = "stream-aligned-focus"
SEVERITY = "warning"
OPTIONS = {"max-streams": 1}


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    if not ctx.org.streams:
        return
    teams = [t for t in ctx.org.teams.values() if t.type == "stream-aligned"]
    if not teams:
        return
    limit = int(options["max-streams"])
    served: dict[str, set[str]] = {team.id: set() for team in teams}
    for relation in ctx.org.relations:
        for end in (relation.provider, relation.receiver):
            if end in served:
                served[end].update(s for s in relation.streams if s in ctx.org.streams)
    for team in teams:
        streams = sorted(served[team.id])
        if not streams:
            text = (
                f"stream-aligned team {team.id!r} serves no value stream: none of its "
                "hand-offs names one of " + ", ".join(sorted(ctx.org.streams))
            )
            hint = "add the stream to the hand-offs that carry its work, or give it its real type"
        elif len(streams) > limit:
            text = (
                f"stream-aligned team {team.id!r} serves {len(streams)} value streams "
                f"(more than {limit}): " + ", ".join(streams)
            )
            hint = "align the team to one stream (split it), or raise max-streams"
        else:
            continue
        yield Finding(CODE, text, team.pos.file, team.pos.line, team.pos.col, (team.id,), hint=hint)
