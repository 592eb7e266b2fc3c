"""A team has no ``lead``.

Why it matters: an internal customer with a problem needs to know whom to talk to. A team
without a named owner is hard to agree service levels with.

Fix: add ``lead: Name`` to the team.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding

CODE = "IC401"
NAME = "missing-lead"
SEVERITY = "info"


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    for team in ctx.org.teams.values():
        if not team.lead:
            yield Finding(
                CODE,
                f"team {team.id!r} names no lead (owner)",
                team.pos.file,
                team.pos.line,
                team.pos.col,
                (team.id,),
            )
