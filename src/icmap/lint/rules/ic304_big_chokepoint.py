"""A single team strands many others if it fails.

Why it matters: every path from the stranded teams to the external customer runs through this
one team. It is a single point of failure: when it is overloaded or reorganised, all their work
stops reaching the customer.

Fix: give the dependent teams a second route to the customer, or make sure the chokepoint is
staffed and run for it. Option ``max-stranded`` (default 5): more dependents than this are
reported.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding

CODE = "IC304"
NAME = "big-chokepoint"
SEVERITY = "warning"
OPTIONS = {"max-stranded": 5}


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    limit = int(options["max-stranded"])
    for point in ctx.chokepoints:
        team = ctx.org.teams.get(point.team)
        if team is None or point.stranded <= limit:
            continue
        shown = ", ".join(point.dependents[:8]) + (" …" if point.stranded > 8 else "")
        yield Finding(
            CODE,
            f"if {point.team!r} fails, {point.stranded} teams and suppliers lose every "
            f"path to the customer (more than {limit}): {shown}",
            team.pos.file,
            team.pos.line,
            team.pos.col,
            (point.team,),
        )
