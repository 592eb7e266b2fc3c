"""The two sides of a relation disagree on whether it is feedback.

Why it matters: ``feedback: true`` takes a hand-off off the critical paths. When the provider
says a relation is feedback and the receiver says it is not (or the other way round), one of
them plans as if the customer waited on it and the other as if nobody did. icmap follows the
side that says ``true``.

Fix: agree, and write the same ``feedback`` value on both sides (or on one side only).

Passes::

    provides: [{what: Bug reports, to: developers, feedback: true}]   # testers
    receives: [{what: Bug reports, from: testers, feedback: true}]    # developers

Fails::

    provides: [{what: Bug reports, to: developers, feedback: true}]   # testers
    receives: [{what: Bug reports, from: testers, feedback: false}]   # developers
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding

CODE = "IC205"
NAME = "feedback-disagreement"
SEVERITY = "warning"


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    for relation in ctx.org.relations:
        if len(relation.declared_by) < 2:  # one side cannot disagree with itself
            continue
        said = {d.side: d for d in relation.declarations if d.feedback is not None}
        if len(said) < 2 or said["provider"].feedback == said["receiver"].feedback:
            continue
        yes_side, no_side = (
            ("provider", "receiver") if said["provider"].feedback else ("receiver", "provider")
        )
        where = said["receiver" if no_side == "receiver" else "provider"].pos
        yield Finding(
            CODE,
            f"{relation.provider} → {relation.receiver} ({relation.what!r}): the {yes_side} "
            f"marks it feedback, the {no_side} says feedback: false; icmap treats it as feedback",
            where.file,
            where.line,
            where.col,
            (relation.provider, relation.receiver),
        )
