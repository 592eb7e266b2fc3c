"""A team depends on more providers than it can keep track of.

Why it matters: every team or supplier a team receives something from is a relationship to
keep up: its roadmap to follow, its changes to absorb, its people to know. Team Topologies
calls this cognitive load, and a team beyond its limit slows down everywhere at once. Distinct
providers are counted (three hand-offs from the same platform count once), feedback included:
it is still a team to listen to.

It runs on orgs that use the Team Topologies fields (a team ``type``, or a ``mode``,
``state``, ``since`` or ``until`` anywhere), so orgs written before them keep their findings.

Fix: take some dependencies away (a platform that bundles several, a capability moved into the
team), or split the team. Option ``max-providers`` (default 6): more distinct providers than
this are reported. Six because a team of five to nine people, as Team Topologies sizes
them, can give each relationship an owner up to about that many, and because a team rarely
absorbs more than one new dependency a sprint; raise it for a large team.

Passes (with ``max-providers: 2``)::

    booking:
      receives:
        - {what: Pipelines, from: runtime}
        - {what: Event streams, from: data}

Fails (with ``max-providers: 2``)::

    booking:
      receives:
        - {what: Pipelines, from: runtime}
        - {what: Event streams, from: data}
        - {what: Route pricing, from: engine}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding

CODE = "IC310"
NAME = "too-many-providers"
SEVERITY = "info"
OPTIONS = {"max-providers": 6}


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    if not ctx.uses_topologies:
        return
    limit = int(options["max-providers"])
    for team in ctx.org.teams.values():
        if team.id not in ctx.graph:
            continue
        providers = sorted(ctx.graph.predecessors(team.id))
        if len(providers) <= limit:
            continue
        yield Finding(
            CODE,
            f"team {team.id!r} depends on {len(providers)} providers (more than {limit}): "
            + ", ".join(providers),
            team.pos.file,
            team.pos.line,
            team.pos.col,
            (team.id,),
        )
