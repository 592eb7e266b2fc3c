"""Teams depend on each other in a loop of delivery hand-offs.

Why it matters: loops of mutual service (marketing ↔ sales) are normal, but they are where
delays feed on themselves: a late hand-off comes back round as a late input. Worth knowing,
rarely worth failing a build for, so this is information by default. The message names the
loop's shortest cycles, the ones a person can act on. A loop closed only by hand-offs marked
``feedback: true`` is not reported: delivery does not go round it. Teams that join the loop
only through such hand-offs (the report's loop counts them) are named apart.

Fix: nothing to fix unless the loop is unintended; make sure its hand-offs have lead times,
and mark the ones that only carry information back ``feedback: true``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding

CODE = "IC303"
NAME = "loop"
SEVERITY = "info"


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    from icmap.analysis.loops import cycle_text, loops

    # The report's loops count feedback hand-offs too: a team that joins this loop only
    # through one is named, so that the two do not seem to disagree.
    with_feedback: dict[str, list[str]] | None = None
    for loop in ctx.delivery_loops:
        group = loop.teams
        first = ctx.org.teams.get(group[0])
        if first is None:
            continue
        if with_feedback is None:
            with_feedback = {team: whole for whole in loops(ctx.graph) for team in whole}
        joining = sorted(set(with_feedback.get(group[0], group)) - set(group))
        cycles = "; ".join(cycle_text(c.teams) for c in loop.cycles)
        more = loop.more_cycles + loop.unsearched
        also = (
            f" ({', '.join(joining)} {'joins' if len(joining) == 1 else 'join'} it only "
            "through feedback hand-offs)"
            if joining
            else ""
        )
        yield Finding(
            CODE,
            f"{len(group)} teams serve each other in a loop: {', '.join(group)}{also}; "
            f"shortest cycles: {cycles}" + (f"; and {more} more" if more else ""),
            first.pos.file,
            first.pos.line,
            first.pos.col,
            tuple(group),
        )
