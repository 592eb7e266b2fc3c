"""A team's work reaches no external customer.

Why it matters: every team exists, directly or through its internal customers, to serve the
external customer. A team with no path to one either does work nobody downstream uses, or its
internal customers are missing from the org files.

Fix: add the relations that carry its work onward (``provides … to``), or remove the team.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding

CODE = "IC301"
NAME = "no-path-to-customer"
SEVERITY = "error"


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    for node in ctx.reach.disconnected:
        team = ctx.org.teams.get(node)
        if team is None:
            continue  # suppliers are reported only through the teams they feed
        yield Finding(
            CODE,
            f"team {node!r} has no path to any external customer: its work does not reach one",
            team.pos.file,
            team.pos.line,
            team.pos.col,
            (node,),
        )
