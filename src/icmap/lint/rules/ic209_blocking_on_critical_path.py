"""A dependency its receiver calls blocking is on a critical path.

Why it matters: the critical path is the chain of hand-offs the external customer waits on
longest. When the team receiving one of them says the dependency is ``blocking``, the customer
is kept waiting by it now, not only on paper; it is the first dependency to unblock.
A ``slowing`` dependency on a critical path is reported by IC210, at a lower severity.

Fix: unblock it (a conversation between the two teams' leads is the usual first step), then
set ``state: ok`` or ``slowing``.

Passes::

    receives: [{what: Route pricing, from: engine, lead_time: 2d, state: ok}]

Fails (the hand-off is on the path to the customer)::

    receives: [{what: Route pricing, from: engine, lead_time: 2d, state: blocking}]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding, declared_at, relation_text

CODE = "IC209"
NAME = "blocking-on-critical-path"
SEVERITY = "warning"
STATE = "blocking"


def critical_in_state(ctx: Context, state: str, code: str) -> Iterator[Finding]:
    """A finding for each relation in ``state`` on a critical path (shared with IC210)."""
    import itertools

    customers: dict[tuple[str, str], list[str]] = {}
    for path in ctx.critical.paths:
        for edge in itertools.pairwise(path.path):
            customers.setdefault(edge, []).append(path.customer)
    for relation in ctx.critical_relations():
        if relation.state != state:
            continue
        where = declared_at(relation, "state")
        shown = ", ".join(dict.fromkeys(customers[relation.provider, relation.receiver]))
        yield Finding(
            code,
            f"{relation_text(relation)} is {state}, and it is on the critical path to {shown}",
            where.file,
            where.line,
            where.col,
            (relation.provider, relation.receiver),
        )


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    yield from critical_in_state(ctx, STATE, CODE)
