"""A hand-off on a customer's critical path is scored below the satisfaction threshold.

Why it matters: the external customer is never served better than the internal chain that
feeds it. A poorly scored hand-off on the critical path is where service to the customer
is most likely to break.

Fix: talk to the internal customer about what would raise the score, then record the new one.
Option ``threshold`` (default 3.0). Where a survey round scored the hand-off, its latest mean
is the score (docs/surveys.md), and the finding points at the response file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from icmap.lint.context import Context, Finding

CODE = "IC204"
NAME = "low-satisfaction"
SEVERITY = "warning"
OPTIONS = {"threshold": 3.0}


def check(ctx: Context, options: Mapping[str, Any]) -> Iterator[Finding]:
    threshold = float(options["threshold"])
    for customer, relation in ctx.critical_handoffs():
        if relation.satisfaction is not None and relation.satisfaction < threshold:
            u, v = relation.provider, relation.receiver
            pos, source = relation.pos, ""
            survey = relation.survey
            if survey is not None and survey.mean is not None:
                pos = survey.pos
                source = f" (survey {survey.round}, {survey.answers} answer"
                source += "" if survey.answers == 1 else "s"
                if survey.declared is not None:
                    source += f"; the YAML says {survey.declared:g}"
                source += ")"
            yield Finding(
                CODE,
                f"{u} → {v} ({relation.what!r}) on the critical path to {customer} "
                f"is scored {relation.satisfaction:g}{source}, below {threshold:g}",
                pos.file,
                pos.line,
                pos.col,
                (u, v),
            )
