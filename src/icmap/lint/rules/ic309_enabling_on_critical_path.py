"""An enabling team is on a critical path.

Why it matters: an enabling team is meant to teach: it helps other teams acquire a capability
and then steps away. When it is on the chain of hand-offs the external customer waits on
longest, delivery waits on a team that is meant to teach, not to do: it has become a
dependency, and the teams it should have enabled still cannot do without it. A chain as long
as the critical path the report shows is critical too: the customer is then marked "(tied)".

Fix: make the hand-off feedback or facilitation that delivery does not wait on (``feedback:
true`` when it carries only advice), move the work to the receiving team, or, if the team
really delivers, give it its real type (often complicated-subsystem).

Passes (the threat models are advice the team does not wait on)::

    security:
      type: enabling
      provides: [{what: Threat models, to: booking, mode: facilitating, feedback: true}]

Fails (booking waits a week for them on its way to the customer)::

    security:
      type: enabling
      provides: [{what: Threat models, to: booking, lead_time: 1w, mode: facilitating}]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding, customers_text

CODE = "IC309"
NAME = "enabling-on-critical-path"
SEVERITY = "warning"


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    for team in ctx.org.teams.values():
        if team.type != "enabling" or team.id not in ctx.critical_teams:
            continue
        shown = customers_text(
            [
                (p.customer, team.id not in p.path)
                for p in ctx.critical.paths
                if team.id in p.teams()
            ]
        )
        yield Finding(
            CODE,
            f"enabling team {team.id!r} is on the critical path to {shown}: "
            "delivery waits on a team meant to teach, not to do",
            team.pos.file,
            team.pos.line,
            team.pos.col,
            (team.id,),
        )
