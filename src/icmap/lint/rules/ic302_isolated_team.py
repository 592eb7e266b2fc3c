"""A team neither provides anything to anyone nor receives anything from anyone.

Why it matters: every team is somebody's supplier and somebody's internal customer. A team
with no hand-offs at all is either not yet described or not part of the organisation's work.

Fix: describe what it provides and receives, or remove it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding

CODE = "IC302"
NAME = "isolated-team"
SEVERITY = "warning"


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    for team in ctx.org.teams.values():
        if ctx.graph.degree(team.id) == 0:
            yield Finding(
                CODE,
                f"team {team.id!r} provides nothing and receives nothing",
                team.pos.file,
                team.pos.line,
                team.pos.col,
                (team.id,),
            )
