"""A hand-off on a customer's critical path has no lead time.

Why it matters: the critical path is the chain that decides how long the external customer
waits. A hand-off on it without a lead time counts as instant, so the total is understated and
the real bottleneck may hide there.

A hand-off counts as instant only when none of the relations on it (feedback aside) has a
lead time; one that has any is weighed by the longest.

Fix: add ``lead_time`` to the relation (on either side).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding
from icmap.model import Relation

CODE = "IC203"
NAME = "critical-handoff-without-lead-time"
SEVERITY = "warning"


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    if ctx.critical.unit == "hops":
        return  # no lead times anywhere: one finding per hand-off would only be noise
    by_handoff: dict[tuple[str, str], list[Relation]] = {}
    customer_of: dict[tuple[str, str], str] = {}
    for customer, relation in ctx.critical_handoffs():
        edge = (relation.provider, relation.receiver)
        by_handoff.setdefault(edge, []).append(relation)
        customer_of.setdefault(edge, customer)
    for (u, v), found in by_handoff.items():
        # One relation with a lead time gives the hand-off its lead time: only a hand-off
        # none of whose delivery relations has one counts as instant.
        if any(r.lead_time is not None for r in found):
            continue
        first = found[0]
        whats = ", ".join(repr(r.what) for r in found)
        yield Finding(
            CODE,
            f"{u} → {v} ({whats}) is on the critical path to {customer_of[u, v]} "
            "but has no lead_time",
            first.pos.file,
            first.pos.line,
            first.pos.col,
            (u, v),
        )
