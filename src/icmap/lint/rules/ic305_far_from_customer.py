"""A team is many hand-offs away from the nearest external customer.

Why it matters: each hand-off adds waiting and a chance to lose what the customer needs. A team
far from every customer rarely hears from one, and its work takes long to matter.

Fix: look for hand-offs that could be merged or skipped, or connect the team more directly to
the teams that serve the customer. Option ``max-hops`` (default 6).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding

CODE = "IC305"
NAME = "far-from-customer"
SEVERITY = "warning"
OPTIONS = {"max-hops": 6}


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    limit = int(options["max-hops"])
    for node, hops in sorted(ctx.reach.hops.items()):
        team = ctx.org.teams.get(node)
        if team is None or hops <= limit:
            continue
        yield Finding(
            CODE,
            f"team {node!r} is {hops} hand-offs from the nearest customer "
            f"({ctx.reach.nearest[node]}), more than {limit}",
            team.pos.file,
            team.pos.line,
            team.pos.col,
            (node,),
        )
