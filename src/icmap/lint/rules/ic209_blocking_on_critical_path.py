"""A dependency its receiver calls blocking is on a critical path.

Why it matters: the critical path is the chain of hand-offs the external customer waits on
longest. When the team receiving one of them says the dependency is ``blocking``, the customer
is kept waiting by it now, not only on paper; it is the first dependency to unblock.
A ``slowing`` dependency on a critical path is reported by IC210, at a lower severity.

When several chains to a customer are equally long, every one of them is critical: a hand-off
on any of them (zero slack) is reported, the customer marked "(tied)" where the hand-off is
on a chain that ties with the critical path the report shows rather than on it.

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
    for relation in ctx.critical_relations():
        if relation.state != state:
            continue
        where = declared_at(relation, "state")
        shown = ctx.critical_to(relation.provider, relation.receiver)
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
