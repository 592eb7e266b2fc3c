"""The two sides of a relation give different lead times.

Why it matters: the provider promises one turnaround and the internal customer plans with
another. One of them is wrong, and the external customer feels the difference.

Fix: agree on the lead time and write the same value on both sides (or drop it from one side).

Off by default; ``--strict`` (or the config) turns it on.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding

CODE = "IC202"
NAME = "lead-time-disagreement"
SEVERITY = "warning"
ENABLED = False


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    for relation in ctx.org.relations:
        if len(relation.declared_by) < 2:  # one side cannot disagree with itself
            continue
        times = {d.side: d.lead_time for d in relation.declarations if d.lead_time is not None}
        if len(times) == 2 and times["provider"].hours != times["receiver"].hours:
            receiver_side = next(d for d in relation.declarations if d.side == "receiver")
            yield Finding(
                CODE,
                f"{relation.provider} → {relation.receiver} ({relation.what!r}): the provider says "
                f"{times['provider'].text}, the receiver {times['receiver'].text}",
                receiver_side.pos.file,
                receiver_side.pos.line,
                receiver_side.pos.col,
                (relation.provider, relation.receiver),
            )
