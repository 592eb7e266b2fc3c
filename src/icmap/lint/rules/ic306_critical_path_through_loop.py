"""A customer's critical path turns back inside a loop where nothing is marked feedback.

Why it matters: most loops in an organisation are feedback (bug reports back to developers,
discharge letters back to the GP), and delivery does not wait on them. When none of a loop's
hand-offs says ``feedback: true``, the critical path may run out to the customer and back
again, naming a chain nobody waits on, and every slack figure inherits the mistake. The
message names the loop by its shortest cycle and the candidate hand-offs on the path: those
that take the work farther from the path's own customer after an earlier hand-off had brought
it closer (it turns back there), and those that bring it no closer and whose name sounds like
feedback (reports, letters, incidents...); the ones named like feedback first. Distances are
the fewest delivery hand-offs to that customer, whatever other customers a team serves: a path
that comes closer to its customer at every step is not reported, nor one that only moves away
at its start (sales hands the order to production). icmap suggests them; whether they are
feedback is for the teams to say.

Fix: mark the hand-offs that carry information back with ``feedback: true`` (on either side).
If the loop really is delivery, suppress this rule (``ignore: {IC306: reason}``) on any team of
the cycle the message names.

Passes (the incident reports are marked)::

    ops:
      provides:
        - {what: Service, to: users, lead_time: 1h}
        - {what: Incident reports, to: dev, lead_time: 3d, feedback: true}

Fails (the path runs ops → dev → qa → users: out to the customer's side and back)::

    ops:
      provides:
        - {what: Service, to: users, lead_time: 1h}
        - {what: Incident reports, to: dev, lead_time: 3d}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding

CODE = "IC306"
NAME = "critical-path-through-loop"
SEVERITY = "warning"


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    from icmap.analysis.loops import cycle_text

    for crossing in ctx.crossings:
        first = crossing.candidates[0]
        where = first.relations[0].pos
        named = "; ".join(
            f"{c.provider} → {c.receiver} ({', '.join(repr(r.what) for r in c.relations)})"
            for c in crossing.candidates
        )
        yield Finding(
            CODE,
            f"the critical path to {crossing.customer} turns back inside the loop "
            f"{cycle_text(crossing.cycle)}, where nothing is marked feedback; "
            f"candidates for feedback: true: {named}",
            where.file,
            where.line,
            where.col,
            tuple(crossing.cycle),
        )
