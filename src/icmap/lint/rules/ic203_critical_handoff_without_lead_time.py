"""A hand-off on a customer's critical path has no lead time.

Why it matters: the critical path is the chain that decides how long the external customer
waits. A hand-off on it without a lead time counts as instant, so the total is understated and
the real bottleneck may hide there.

Fix: add ``lead_time`` to the relation (on either side).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding

CODE = "IC203"
NAME = "critical-handoff-without-lead-time"
SEVERITY = "warning"


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    if ctx.critical.unit == "hops":
        return  # no lead times anywhere: one finding per hand-off would only be noise
    for customer, relation in ctx.critical_handoffs():
        if relation.lead_time is None:
            u, v = relation.provider, relation.receiver
            yield Finding(
                CODE,
                f"{u} → {v} ({relation.what!r}) is on the critical path to {customer} "
                "but has no lead_time",
                relation.pos.file,
                relation.pos.line,
                relation.pos.col,
                (u, v),
            )
