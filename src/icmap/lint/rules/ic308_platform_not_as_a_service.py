"""A platform team serves no team, or mostly not as a service.

Why it matters: a platform exists so that other teams can use what it offers with little
interaction: x-as-a-service. A platform that no team receives anything from is not a
platform (or its users are missing from the org files). One whose hand-offs to teams are
mostly collaboration or facilitating is working alongside each team, which does not scale to
many teams and leaves the platform with the cognitive load it was meant to take off them.

Only hand-offs to teams that say a ``mode`` are counted; a platform with no team receiving
anything from it and no path to a customer at all is reported by IC301 instead.

Fix: offer the platform's capabilities as a service (self-service, documented, with a lead
time) and write ``mode: x-as-a-service``; or, if the collaboration is deliberate and short,
give it an ``until``. Option ``min-service-share`` (default 0.5): a platform whose hand-offs
with a mode are x-as-a-service less than this share of the time (half, by default: "mostly
not") is reported.

Passes::

    runtime:
      type: platform
      provides: [{what: Pipelines, to: [booking, tracking], mode: x-as-a-service}]

Fails (two of its three hand-offs are collaboration)::

    data:
      type: platform
      provides:
        - {what: Event streams, to: [booking, tracking], mode: collaboration}
        - {what: Event streams, to: insights, mode: x-as-a-service}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding

CODE = "IC308"
NAME = "platform-not-as-a-service"
SEVERITY = "warning"
OPTIONS = {"min-service-share": 0.5}


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    share = float(options["min-service-share"])
    disconnected = set(ctx.reach.disconnected)
    for team in ctx.org.teams.values():
        if team.type != "platform":
            continue
        to_teams = [
            r for r in ctx.org.relations if r.provider == team.id and r.receiver in ctx.org.teams
        ]
        if not to_teams:
            if team.id in disconnected:
                continue
            message = f"platform team {team.id!r}: no team receives anything from it"
        else:
            moded = [r for r in to_teams if r.mode is not None]
            served = sum(1 for r in moded if r.mode == "x-as-a-service")
            if not moded or served >= share * len(moded):
                continue
            message = (
                f"platform team {team.id!r}: only {served} of its {len(moded)} hand-offs to "
                f"teams with a mode are x-as-a-service (fewer than {share:.0%})"
            )
        yield Finding(CODE, message, team.pos.file, team.pos.line, team.pos.col, (team.id,))
